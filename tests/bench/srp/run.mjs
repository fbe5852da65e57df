// Serves the built benchmark page (argv[2]) on 127.0.0.1, opens it in headless Debian Chromium via
// playwright-core, runs the SRP client step of both implementations (argv[3] runs each) and prints
// one JSON line of medians.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';

const [dir, runsArg = '25'] = process.argv.slice(2);
const runs = Number(runsArg);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

const server = http.createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(dir, path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.waitForFunction(() => window.benchReady === true || null, null, { timeout: 30000 });
  const input = {
    a: randomBytes(128).toString('hex'),
    pool: 'AbC123xyZ',
    user: randomUUID(),
    password: 'correct horse battery staple',
    salt: randomBytes(16).toString('hex'),
    b: randomBytes(383).toString('hex'), // below N, whose top 64 bits are all ones
    block: randomBytes(64).toString('base64'),
  };
  const result = await page.evaluate(([i, r]) => window.benchSrp(i, r), [input, runs]);
  if (errors.length) throw new Error(errors.join('\n'));
  console.log(JSON.stringify({
    browser_wasm_client_ms: Number(result.wasm.toFixed(3)),
    browser_idjs_client_ms: Number(result.idjs.toFixed(3)),
    browser_runs: result.runs,
    browser_wasm_first_call_ms: Number(result.wasmFirst.toFixed(3)),
    browser_idjs_first_call_ms: Number(result.idjsFirst.toFixed(3)),
    browser_version: browser.version(),
  }));
} finally {
  await browser.close();
  server.close();
}
