// Runs the whole demo on this machine (`cargo xtask demo` builds what it needs, then runs this):
//
//   the Cognate server   SQLite under the data directory; a demo pool made if missing, with passkeys
//                        for localhost, the domain `cognate-demo` (its managed login pages), the web
//                        app client (also an OAuth client of those pages), the resource server
//                        `demo-api` and a machine client with a secret (client_credentials)
//   a pre-token webhook  the pool's PreTokenGeneration trigger: checks the server's signature and
//                        adds claims to the ID token
//   an echo API          answers with the request's identity headers
//   the edge verifier    the worker, in workerd (wrangler dev), in front of the echo API
//   the app              www/dist, with /config.json, the dev mailbox (/dev/mailbox) and the machine
//                        client's call (/dev/machine-call: the secret stays in this process)
//
// Flags: --data-dir DIR (default ./cognate-data), --port N (the app, default 8080), --server-port N
// (9229), --edge-port N (8787); 0 picks a free port. Prints the URLs, then `ready`. Ctrl-C stops it all.
import { spawn, execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CognitoIdentityProviderClient, CreateResourceServerCommand, CreateUserPoolClientCommand, CreateUserPoolCommand,
  CreateUserPoolDomainCommand, DescribeResourceServerCommand, DescribeUserPoolClientCommand, DescribeUserPoolCommand,
  ListUserPoolClientsCommand, ListUserPoolsCommand, ResourceNotFoundException, SetUserPoolMfaConfigCommand,
  UpdateUserPoolClientCommand, UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DIST = path.join(HERE, 'dist');
const POOL_NAME = 'cognate-demo';
const CLIENT_NAME = 'cognate-demo-web';
const MACHINE_NAME = 'cognate-demo-machine';
const DOMAIN = 'cognate-demo';
const API = 'demo-api';
const MACHINE_SCOPE = `${API}/read`;
const WEB_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
// aws.cognito.signin.user.admin lets a hosted-page session use the user's own APIs (GetUser, passkeys...).
const WEB_SCOPES = ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'];

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

/** UpdateUserPool replaces every mutable setting: these are sent back as DescribeUserPool gives them. */
const KEPT_POOL_SETTINGS = [
  'Policies', 'DeletionProtection', 'AutoVerifiedAttributes', 'VerificationMessageTemplate', 'SmsVerificationMessage',
  'EmailVerificationMessage', 'EmailVerificationSubject', 'SmsAuthenticationMessage', 'UserAttributeUpdateSettings',
  'DeviceConfiguration', 'EmailConfiguration', 'SmsConfiguration', 'UserPoolTags', 'AdminCreateUserConfig',
  'UserPoolAddOns', 'AccountRecoverySetting', 'UserPoolTier',
];

/**
 * The demo pool and its parts, made on first run and found by name after; what depends on this run's
 * ports (the webhook's URL, the app's URL as callback and sign-out URL) is set again on every start.
 */
async function demoPool(endpoint, { appUrl, hookUrl }) {
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
    // The pre-token trigger points at this run's webhook. MfaConfiguration is left out (UpdateUserPool
    // wants an SMS configuration with any other value than OFF): SetUserPoolMfaConfig sets it next.
    const { UserPool: pool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    const update = { UserPoolId: poolId };
    for (const key of KEPT_POOL_SETTINGS) if (pool[key] != null) update[key] = pool[key];
    const { PreTokenGeneration: _legacy, ...lambda } = pool.LambdaConfig ?? {};
    update.LambdaConfig = { ...lambda, PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: hookUrl } };
    await admin.send(new UpdateUserPoolCommand(update));
    // Passkeys for pages on localhost (any port), verifying the user when the device can; and
    // authenticator apps as an optional second step.
    await admin.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' },
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'OPTIONAL',
    }));

    // The managed login pages, on the server's origin under /domains/<domain>.
    let domain = pool.Domain;
    if (!domain) {
      await admin.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: DOMAIN }));
      domain = DOMAIN;
    }
    const domainBase = `${endpoint}/domains/${domain}`;

    // The API's scope, for the machine client.
    try {
      await admin.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: API }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await admin.send(new CreateResourceServerCommand({
        UserPoolId: poolId, Identifier: API, Name: 'The demo API',
        Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read the reports of the demo API' }],
      }));
    }

    const clients = (await admin.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }))).UserPoolClients;
    let clientId = clients.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
    if (!clientId) {
      const created = await admin.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: CLIENT_NAME, ExplicitAuthFlows: WEB_FLOWS }));
      clientId = created.UserPoolClient.ClientId;
    }
    // UpdateUserPoolClient resets what it is not given: the whole client, with this run's app URL.
    await admin.send(new UpdateUserPoolClientCommand({
      UserPoolId: poolId, ClientId: clientId, ClientName: CLIENT_NAME,
      ExplicitAuthFlows: WEB_FLOWS,
      SupportedIdentityProviders: ['COGNITO'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: WEB_SCOPES,
      CallbackURLs: [`${appUrl}/`],
      LogoutURLs: [`${appUrl}/`],
    }));

    let machineId = clients.find((c) => c.ClientName === MACHINE_NAME)?.ClientId;
    if (!machineId) {
      const created = await admin.send(new CreateUserPoolClientCommand({
        UserPoolId: poolId, ClientName: MACHINE_NAME, GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [MACHINE_SCOPE],
      }));
      machineId = created.UserPoolClient.ClientId;
    }
    const machine = (await admin.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: machineId }))).UserPoolClient;
    return { poolId, clientId, domainBase, machine: { clientId: machineId, secret: machine.ClientSecret } };
  } finally {
    admin.destroy();
  }
}

/** The key the server signs trigger calls with: COGNATE_TRIGGER_SECRET, or its data directory's. */
function triggerKey() {
  const text = (process.env.COGNATE_TRIGGER_SECRET ?? readFileSync(path.join(dataDir, 'trigger-secret'), 'utf8')).trim();
  return text.startsWith('whsec_') ? Buffer.from(text.slice('whsec_'.length), 'base64') : Buffer.from(text);
}

/** Whether a trigger call carries the server's Standard Webhooks signature, made in the last 5 minutes. */
function signedByServer(headers, body, key) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !/^\d+$/.test(timestamp ?? '') || !signatures) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The pool's pre-token generation trigger (V2_0): adds two claims to the ID token. */
function preTokenWebhook(key) {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method !== 'POST' || req.url !== '/hooks/pre-token') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (!signedByServer(req.headers, body, key)) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('bad or missing webhook signature');
        return;
      }
      const event = JSON.parse(body.toString('utf8'));
      event.response = {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: {
            claimsToAddOrOverride: { 'demo:greeting': `Hello, ${event.userName}!`, 'demo:token_source': event.triggerSource },
          },
        },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(event));
    });
  });
}

/** A JWT's payload, decoded (for showing it: the edge verifier is what checks it). */
const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

/**
 * What /dev/machine-call does, on this server where the secret is: the client_credentials grant at
 * the domain's token endpoint, then the API through the edge with that token.
 */
async function machineCall({ domainBase, machine, edgeUrl }) {
  const basic = Buffer.from(`${encodeURIComponent(machine.clientId)}:${encodeURIComponent(machine.secret)}`).toString('base64');
  const granted = await fetch(`${domainBase}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: MACHINE_SCOPE }),
  });
  const token = await granted.json();
  if (!granted.ok) return { step: 'token', status: granted.status, error: token };
  const called = await fetch(`${edgeUrl}/api/machine/report`, { headers: { authorization: `Bearer ${token.access_token}` } });
  const text = await called.text();
  let answer;
  try { answer = JSON.parse(text); } catch { answer = text; }
  return {
    step: 'api',
    status: called.status,
    identity: called.ok ? answer.identity : undefined,
    refusal: called.ok ? undefined : { answer, wwwAuthenticate: called.headers.get('www-authenticate') },
    token: { token_type: token.token_type, expires_in: token.expires_in, claims: claimsOf(token.access_token) },
  };
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
  const hooks = preTokenWebhook(triggerKey());
  servers.push(hooks);
  await new Promise((r) => hooks.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${hooks.address().port}/hooks/pre-token`;
  const { poolId, clientId, domainBase, machine } = await demoPool(endpoint, { appUrl, hookUrl });

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
    CLIENT_IDS: JSON.stringify([clientId, machine.clientId]),
    ORIGIN: `http://127.0.0.1:${echo.address().port}`,
    RULES: JSON.stringify([
      // The machine client's route: its token must carry the scope (a user's token has not).
      { path: '/api/machine/**', scopes: [MACHINE_SCOPE] },
      { path: '/api/**', cors: { origins: [appUrl], headers: ['authorization', 'content-type'], max_age: 600 } },
    ]),
  };
  const wrangler = path.join(ROOT, 'worker', 'node_modules', '.bin', 'wrangler');
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(edgePort), '--log-level', 'warn', '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const edge = start(wrangler, args, { cwd: path.join(ROOT, 'worker'), env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1' } }, 'the edge verifier');
  const edgeUrl = `http://127.0.0.1:${edgePort}`;
  await waitFor(`${edgeUrl}/api/`, 'the edge verifier', edge.child, edge.output);

  const config = JSON.stringify({ userPoolId: poolId, clientId, endpoint: `${endpoint}/`, apiUrl: edgeUrl, domain: domainBase });
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
      if (url.pathname === '/dev/machine-call') {
        if (req.method !== 'POST') {
          res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('POST only');
          return;
        }
        const result = await machineCall({ domainBase, machine, edgeUrl });
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
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
  console.log(`demo: the pool's domain  ${domainBase} (managed login pages and OAuth 2.0; machine client ${machine.clientId})`);
  console.log(`demo: the edge verifier  ${edgeUrl} (in front of the echo API at ${vars.ORIGIN})`);
  console.log(`demo: the webhook        ${hookUrl} (the pool's pre-token generation trigger)`);
  console.log('demo: ready; Ctrl-C stops everything');
}

main().catch(async (error) => {
  console.error(`demo: ${error.message ?? error}`);
  await stop(1);
});
