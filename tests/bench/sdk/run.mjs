// `cargo xtask bench sdk`: what an app ships for the basic flow (sign-in, session, refresh,
// sign-out) with cognate-auth and with amazon-cognito-identity-js, each bundled and minified by
// esbuild and gzipped (our wasm counted too), and the wall time of a full SRP sign-in against a local
// Cognate server in headless Chromium, median of 20 each, alternating.
// Usage: node run.mjs <out dir>; prints one JSON line of figures last.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createClient, createPool, startServer } from '../../server/harness.mjs';
import { launch, servePackage } from '../../sdk/page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = path.resolve(here, '..', '..');
const out = path.resolve(process.argv[2]);
const RUNS = 20;
mkdirSync(out, { recursive: true });

const esbuild = path.join(tests, 'node_modules', '.bin', 'esbuild');
function bundle(entry, name, extra = []) {
  const file = path.join(out, `${name}.js`);
  execFileSync(esbuild, [path.join(here, entry), '--bundle', '--minify', '--format=esm', '--platform=browser',
    '--target=es2022', '--loader:.wasm=file', '--asset-names=[name]', `--outfile=${file}`, ...extra], { stdio: 'inherit' });
  return file;
}
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

const ours = bundle('ours-entry.mjs', 'ours');
const idjs = bundle('idjs-entry.mjs', 'idjs', ['--define:global=globalThis']);
const wasm = path.join(tests, '..', 'npm', 'dist', 'cognate_wasm_bg.wasm');
const oursJsGz = gz(ours);
const wasmGz = gz(wasm);
const idjsGz = gz(idjs);

// The sign-in race, in one page with both bundles.
const server = await startServer('sqlite');
const pool = await createPool(server);
const client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
await server.client.send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: 'bench', MessageAction: 'SUPPRESS' }));
await server.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: 'bench', Password: 'Bench-Pass-123', Permanent: true }));
const html = '<!doctype html><meta charset="utf-8"><script type="module">'
  + 'await import("/bench/ours.js"); await import("/bench/idjs.js"); window.loaded = true;</script>';
copyFileSync(wasm, path.join(out, 'cognate_wasm_bg.wasm'));
const site = await servePackage({ '/bench': html });
const browser = await launch();
const page = await browser.newPage();
await page.route('**/bench/*.{js,wasm}', (route) => {
  const file = path.join(out, path.basename(new URL(route.request().url()).pathname));
  route.fulfill({ contentType: file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', body: readFileSync(file) });
});
await page.goto(`${site.url}/bench`);
await page.waitForFunction(() => window.loaded === true);
const options = { userPoolId: pool.Id, clientId: client.ClientId, endpoint: `${server.endpoint}/` };
const times = { ours: [], idjs: [] };
for (let i = 0; i < RUNS + 1; i += 1) {
  const a = await page.evaluate(([o]) => window.oursBasicFlow(o, 'bench', 'Bench-Pass-123'), [options]);
  const b = await page.evaluate(([o]) => window.idjsBasicFlow(o, 'bench', 'Bench-Pass-123'), [options]);
  if (i > 0) { times.ours.push(a); times.idjs.push(b); } // the first of each warms up
}
await browser.close();
await site.close();
await server.stop();

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const figures = {
  bundle_gz_kb: round((oursJsGz + wasmGz) / 1024),
  bundle_js_gz_kb: round(oursJsGz / 1024),
  bundle_wasm_gz_kb: round(wasmGz / 1024),
  bundle_raw_kb: round((statSync(ours).size + statSync(wasm).size) / 1024),
  idjs_bundle_gz_kb: round(idjsGz / 1024),
  idjs_bundle_raw_kb: round(statSync(idjs).size / 1024),
  signin_ms: round(median(times.ours)),
  idjs_signin_ms: round(median(times.idjs)),
  runs: RUNS,
};
figures.signin_ratio = round(figures.signin_ms / figures.idjs_signin_ms, 3);
console.log(JSON.stringify(figures));
