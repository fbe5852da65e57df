// Runs the whole demo on this machine (`cargo xtask demo` builds what it needs, then runs this):
//
//   the Cognate server   SQLite under the data directory; a demo pool and app client made if missing,
//                        passkeys enabled for localhost
//   an echo API          answers with the request's identity headers
//   the edge verifier    the worker, in workerd (wrangler dev), in front of the echo API
//   the app              www/dist, with /config.json and the dev mailbox (/dev/mailbox)
//
// Flags: --data-dir DIR (default ./cognate-data), --port N (the app, default 8080), --server-port N
// (9229), --edge-port N (8787); 0 picks a free port. Prints the URLs, then `ready`. Ctrl-C stops it all.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand, ListUserPoolClientsCommand,
  ListUserPoolsCommand, SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DIST = path.join(HERE, 'dist');
const POOL_NAME = 'cognate-demo';
const CLIENT_NAME = 'cognate-demo-web';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const dataDir = path.resolve(flag('data-dir', path.join(process.cwd(), 'cognate-data')));
const bin = process.env.COGNATE_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug', 'cognate');
const children = [];
const servers = [];

/** `port`, or a free one when it is 0. */
async function portFor(port) {
  if (Number(port) !== 0) return Number(port);
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
  });
}

async function waitFor(url, what, child, output) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${output()}`);
    const up = await new Promise((resolve) => {
      http.get(url, (res) => { res.resume(); resolve(true); }).on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start within 90 s:\n${output?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(command, args, options, what) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  let output = '';
  child.stdout.on('data', (d) => { output = (output + d).slice(-20_000); });
  child.stderr.on('data', (d) => { output = (output + d).slice(-20_000); });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`demo: ${what} stopped (${signal ?? code}):\n${output}`);
      void stop(1);
    }
  });
  children.push(child);
  return { child, output: () => output };
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const s of servers) s.closeAllConnections?.();
  await Promise.all(children.map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    try { process.kill(-child.pid, 'SIGTERM'); } catch { resolve(); }
    setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
  })));
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** The admin keys the server wrote into its data directory on first start. */
function adminCredentials() {
  const text = readFileSync(path.join(dataDir, 'admin-credentials'), 'utf8');
  const value = (key) => text.match(new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm'))?.[1];
  return { accessKeyId: value('aws_access_key_id'), secretAccessKey: value('aws_secret_access_key') };
}

/** The demo pool and app client, made on first run and found by name after. */
async function demoPool(endpoint) {
  const admin = new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials: adminCredentials() });
  try {
    const pools = await admin.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    let poolId = pools.UserPools.find((p) => p.Name === POOL_NAME)?.Id;
    if (!poolId) {
      const created = await admin.send(new CreateUserPoolCommand({
        PoolName: POOL_NAME,
        AutoVerifiedAttributes: ['email'],
        Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }],
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
      }));
      poolId = created.UserPool.Id;
    }
    // Passkeys for pages on localhost (any port), verifying the user when the device can; and
    // authenticator apps as an optional second step.
    await admin.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' },
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'OPTIONAL',
    }));
    const clients = await admin.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
    let clientId = clients.UserPoolClients.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
    if (!clientId) {
      const created = await admin.send(new CreateUserPoolClientCommand({
        UserPoolId: poolId, ClientName: CLIENT_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }));
      clientId = created.UserPoolClient.ClientId;
    }
    return { poolId, clientId };
  } finally {
    admin.destroy();
  }
}

/** The dev mailbox: the outbox, read with the server's own command. */
async function mailbox(pool, to) {
  const args = ['outbox', 'list', '--data-dir', dataDir, '--pool', pool];
  if (to) args.push('--to', to);
  const { stdout } = await promisify(execFile)(bin, args, { maxBuffer: 4 << 20 });
  return stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

async function main() {
  if (!existsSync(path.join(DIST, 'app.js'))) throw new Error('www/dist is missing: run `cargo xtask demo` (it builds it)');
  if (!existsSync(bin)) throw new Error(`no cognate binary at ${bin}: run \`cargo xtask demo\``);
  // Without its wasm, wrangler waits for the build rather than failing: say so instead.
  if (!existsSync(path.join(ROOT, 'worker', 'build', 'cognate_edge_bg.wasm'))) throw new Error('worker/build is missing: run `cargo xtask demo` (it builds it)');
  mkdirSync(dataDir, { recursive: true });
  const [appPort, serverPort, edgePort] = await Promise.all([portFor(flag('port', 8080)), portFor(flag('server-port', 9229)), portFor(flag('edge-port', 8787))]);
  const endpoint = `http://127.0.0.1:${serverPort}`;
  const appUrl = `http://localhost:${appPort}`;

  const server = start(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${serverPort}`, '--public-url', endpoint], { env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } }, 'the Cognate server');
  await waitFor(`${endpoint}/health`, 'the Cognate server', server.child, server.output);
  const { poolId, clientId } = await demoPool(endpoint);

  // The API behind the edge: it tells what identity reached it.
  const echo = http.createServer((req, res) => {
    const identity = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-cognate-')));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, path: req.url, identity, authorization: req.headers.authorization ? 'present' : 'absent' }));
  });
  servers.push(echo);
  await new Promise((r) => echo.listen(0, '127.0.0.1', r));

  const vars = {
    ISSUERS: `${endpoint}/${poolId}`,
    CLIENT_IDS: clientId,
    ORIGIN: `http://127.0.0.1:${echo.address().port}`,
    RULES: JSON.stringify([{ path: '/api/**', cors: { origins: [appUrl], headers: ['authorization', 'content-type'], max_age: 600 } }]),
  };
  const wrangler = path.join(ROOT, 'worker', 'node_modules', '.bin', 'wrangler');
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(edgePort), '--log-level', 'warn', '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const edge = start(wrangler, args, { cwd: path.join(ROOT, 'worker'), env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1' } }, 'the edge verifier');
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  await waitFor(`${edgeUrl}/api/`, 'the edge verifier', edge.child, edge.output);

  const config = JSON.stringify({ userPoolId: poolId, clientId, endpoint: `${endpoint}/`, apiUrl: edgeUrl });
  const app = http.createServer(async (req, res) => {
    const url = new URL(req.url, appUrl);
    try {
      if (url.pathname === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(config);
        return;
      }
      if (url.pathname === '/dev/mailbox') {
        const mail = await mailbox(poolId, url.searchParams.get('to'));
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(mail));
        return;
      }
      const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      const file = path.join(DIST, path.normalize(name));
      if (!file.startsWith(DIST + path.sep) || !existsSync(file)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(readFileSync(file));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error.message ?? error));
    }
  });
  servers.push(app);
  await new Promise((r) => app.listen(appPort, '127.0.0.1', r));

  console.log(`demo: the app            ${appUrl}/`);
  console.log(`demo: the Cognate server ${endpoint} (pool ${poolId}, app client ${clientId}; data in ${dataDir})`);
  console.log(`demo: the edge verifier  ${edgeUrl} (in front of the echo API at ${vars.ORIGIN})`);
  console.log('demo: ready; Ctrl-C stops everything');
}

main().catch(async (error) => {
  console.error(`demo: ${error.message ?? error}`);
  await stop(1);
});
