// Serves the built package (npm/dist) and a blank page that loads it, on http://localhost (a secure
// context, so Web Locks exist), and launches Debian's Chromium headless through playwright-core.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from '../server/harness.mjs';

export const DIST = path.join(REPO_ROOT, 'npm', 'dist');
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.mjs': 'text/javascript' };

export async function servePackage(extra = {}) {
  if (!existsSync(path.join(DIST, 'index.js'))) throw new Error('npm/dist is missing: run `cargo xtask build-sdk` first');
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (extra[url.pathname]) {
      // A string is a page; { type, body } anything else.
      const { type, body } = typeof extra[url.pathname] === 'string' ? { type: 'text/html', body: extra[url.pathname] } : extra[url.pathname];
      res.writeHead(200, { 'content-type': type });
      res.end(body);
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>cognate-auth test</title><script type="module">import * as sdk from "/dist/index.js"; window.sdk = sdk; window.loaded = sdk.ready().then(() => true);</script>');
      return;
    }
    const file = path.join(DIST, path.normalize(url.pathname.replace(/^\/dist\//, '/')));
    if (!url.pathname.startsWith('/dist/') || !file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://localhost:${srv.address().port}`, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }) };
}

/** Debian's Chromium, headless; `args` are added to the usual switches (say --ignore-certificate-errors). */
export function launch({ args = [] } = {}) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...args],
  });
}

/** Opens the package page; resolves when the wasm is loaded. */
export async function openPage(context, base) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.loaded !== undefined);
  await page.evaluate(() => window.loaded);
  page.errors = errors;
  return page;
}
