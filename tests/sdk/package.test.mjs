// The package as users get it: `npm pack` makes a tarball, a fresh app installs it, Vite builds the
// app, and the built app signs in against a real server in headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { REPO_ROOT, createClient, createPool, startServer } from '../server/harness.mjs';
import { DIST, launch } from './page.mjs';

const TESTS = path.join(REPO_ROOT, 'tests');
let server, work, browser;

before(async () => {
  if (!existsSync(path.join(DIST, 'index.js'))) throw new Error('npm/dist is missing: run `cargo xtask build-sdk` first');
  server = await startServer('sqlite');
  work = mkdtempSync(path.join(os.tmpdir(), 'cognate-pack-'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npm pack → npm install → vite build → sign in', { timeout: 180_000 }, async () => {
  const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: path.join(REPO_ROOT, 'npm'), encoding: 'utf8' });
  const [{ filename, files }] = JSON.parse(packed);
  const shipped = files.map((f) => f.path).sort();
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/redirect.js', 'dist/redirect.d.ts', 'dist/cognate_wasm.js', 'dist/cognate_wasm_bg.wasm', 'package.json', 'README.md']) {
    assert.ok(shipped.includes(file), `${file} is in the tarball: ${shipped.join(', ')}`);
  }
  const app = path.join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', path.join(work, filename)], { cwd: app, stdio: 'ignore' });
  // The subpath export resolves (the module touches no browser global until it is called).
  const redirectExports = execFileSync(process.execPath, ['--input-type=module', '-e',
    "console.log(Object.keys(await import('cognate-auth/redirect')).sort().join())"], { cwd: app, encoding: 'utf8' }).trim();
  assert.equal(redirectExports, 'domainBase,handleRedirectCallback,signInWithRedirect,signOutWithRedirect');
  writeFileSync(path.join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="/main.js"></script>');
  writeFileSync(path.join(app, 'main.js'), [
    "import { CognateAuth } from 'cognate-auth';",
    'window.signIn = async (options, username, password) => {',
    '  const auth = new CognateAuth(options);',
    '  const result = await auth.signIn({ username, password });',
    '  return { signedIn: result.isSignedIn, username: (await auth.getSession()).username };',
    '};',
    'window.ready = true;',
  ].join('\n'));
  execFileSync(process.execPath, [path.join(TESTS, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });
  const built = path.join(app, 'dist');
  const assets = readdirSync(path.join(built, 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `Vite emitted the wasm as an asset: ${assets.join(', ')}`);

  const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  const site = http.createServer((req, res) => {
    const file = path.join(built, req.url === '/' ? 'index.html' : path.normalize(req.url));
    if (!file.startsWith(built) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  try {
    const pool = await createPool(server);
    const client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    await server.client.send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: 'vite', MessageAction: 'SUPPRESS' }));
    await server.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: 'vite', Password: 'Vite-Pass-123', Permanent: true }));
    const page = await browser.newPage();
    await page.goto(`http://localhost:${site.address().port}/`);
    await page.waitForFunction(() => window.ready === true);
    const result = await page.evaluate(([o]) => window.signIn(o, 'vite', 'Vite-Pass-123'),
      [{ userPoolId: pool.Id, clientId: client.ClientId, endpoint: `${server.endpoint}/` }]);
    assert.deepEqual(result, { signedIn: true, username: 'vite' });
  } finally {
    site.closeAllConnections();
    site.close();
  }
});
