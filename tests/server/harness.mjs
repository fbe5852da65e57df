// Test harness for the Cognito compatibility suite: starts a real `cognate` server per storage
// backend, hands out an AWS SDK client signed with the server's admin keys, a raw HTTP helper for
// malformed-input tests, and a reader for the server's message outbox.
//
// Environment:
//   COGNATE_BIN             path of the server binary (default <repo>/target/debug/cognate, or
//                           $CARGO_TARGET_DIR/debug/cognate when CARGO_TARGET_DIR is set)
//   COGNATE_TEST_BACKENDS   comma-separated backends to run every suite against (default
//                           "sqlite,postgres"); PostgreSQL failing to answer is an error, not a skip
//   COGNATE_TEST_PGHOST / COGNATE_TEST_PGPORT   where psql finds PostgreSQL (default 127.0.0.1:5432)
//   COGNATE_TEST_VERBOSE=1  copy the servers' stdout/stderr to this process's stderr
//
// Server contract relied on: `cognate serve --data-dir D --listen 127.0.0.1:0 [--database-url U]`
// prints a line containing `listening on http://127.0.0.1:<port>` when ready, writes
// `D/admin-credentials` (AWS shared-credentials format, [default] profile) and stops on SIGTERM.
// `cognate outbox list --data-dir D [--database-url U] [--pool ID] [--to ADDR]` prints one JSON
// message per line.

import { spawn, execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

const execFileP = promisify(execFile);

// The SDK warns once per process that its 2027 releases need node 22; that is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REGION = 'us-east-1';
export const SERVICE = 'cognito-idp';
export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// Documented UserPoolId shape `[\w-]+_[0-9a-zA-Z]+`; DESIGN.md fixes the suffix at 9 alphanumerics.
export const POOL_ID_RE = /^[\w-]+_[0-9a-zA-Z]{9}$/;
// DESIGN.md: client ids are 26 lowercase alphanumerics (as Cognito's are).
export const CLIENT_ID_RE = /^[a-z0-9]{26}$/;

const KNOWN_BACKENDS = ['sqlite', 'postgres'];
const PG_HOST = process.env.COGNATE_TEST_PGHOST || '127.0.0.1';
const PG_PORT = process.env.COGNATE_TEST_PGPORT || '5432';
const PG_USERS = ['postgres', 'root'];
const VERBOSE = process.env.COGNATE_TEST_VERBOSE === '1';
const START_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// configuration

export function cognateBin() {
  if (process.env.COGNATE_BIN) return path.resolve(process.env.COGNATE_BIN);
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, 'target');
  return path.join(targetDir, 'debug', 'cognate');
}

export function backends() {
  const raw = process.env.COGNATE_TEST_BACKENDS ?? 'sqlite,postgres';
  const list = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (list.length === 0) throw new Error('COGNATE_TEST_BACKENDS names no backend');
  for (const b of list) {
    if (!KNOWN_BACKENDS.includes(b)) {
      throw new Error(`COGNATE_TEST_BACKENDS: unknown backend "${b}" (known: ${KNOWN_BACKENDS.join(', ')})`);
    }
  }
  return [...new Set(list)];
}

async function assertBinary(bin) {
  try {
    await access(bin, fsConstants.X_OK);
  } catch {
    throw new Error(
      `cognate binary not found or not executable at ${bin}: build it with ` +
        '`cargo build -p cognate-server` (or point COGNATE_BIN at it)',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: one fresh database per server

async function psql(user, db, sql) {
  return execFileP('psql', ['-h', PG_HOST, '-p', PG_PORT, '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    timeout: 20_000,
    env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
  });
}

export async function createDatabase() {
  const name = `cognate_t_${randomBytes(6).toString('hex')}`;
  const errors = [];
  for (const user of PG_USERS) {
    try {
      await psql(user, 'test', `CREATE DATABASE ${name}`);
      return { name, user, url: `postgres://${user}@${PG_HOST}:${PG_PORT}/${name}` };
    } catch (err) {
      errors.push(`as ${user}: ${(err.stderr || err.message || String(err)).trim()}`);
    }
  }
  throw new Error(
    `PostgreSQL backend selected but psql could not create a database on ${PG_HOST}:${PG_PORT} ` +
      `(${errors.join('; ')}). Start PostgreSQL, or set COGNATE_TEST_BACKENDS=sqlite to run without it.`,
  );
}

export async function dropDatabase(db) {
  try {
    await psql(db.user, 'test', `DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
  } catch (err) {
    process.stderr.write(`warning: could not drop test database ${db.name}: ${err.stderr || err.message}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// server lifecycle

const live = new Set();
process.on('exit', () => {
  // Last resort when a test process dies without running its `after` hooks.
  for (const s of live) {
    try {
      s.child.kill('SIGKILL');
    } catch {}
    if (s.db) {
      try {
        execFileSync('psql', ['-h', PG_HOST, '-p', PG_PORT, '-U', s.db.user, '-d', 'test', '-c', `DROP DATABASE IF EXISTS ${s.db.name} WITH (FORCE)`], { stdio: 'ignore', timeout: 10_000 });
      } catch {}
    }
  }
});

function parseCredentials(text) {
  let section = null;
  const profiles = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(t);
    if (sec) {
      section = sec[1];
      profiles[section] ??= {};
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(t);
    if (kv && section) profiles[section][kv[1].trim()] = kv[2].trim();
  }
  const p = profiles.default;
  if (!p?.aws_access_key_id || !p?.aws_secret_access_key) {
    throw new Error(`admin-credentials has no [default] aws_access_key_id / aws_secret_access_key:\n${text}`);
  }
  return { accessKeyId: p.aws_access_key_id, secretAccessKey: p.aws_secret_access_key };
}

/**
 * Starts one server on `backend` ("sqlite" | "postgres"); returns a handle (see bottom). `dataDir`:
 * an existing, empty directory the caller owns (a mounted test disk, say) instead of a fresh
 * temporary one; it is left in place when the server stops.
 */
export async function startServer(backend, { dataDir, args = [], env = {} } = {}) {
  if (!KNOWN_BACKENDS.includes(backend)) throw new Error(`unknown backend ${backend}`);
  const bin = cognateBin();
  await assertBinary(bin);

  const db = backend === 'postgres' ? await createDatabase() : null;
  if (dataDir) return launch(backend, bin, dataDir, db, { fresh: false, owned: false, args, env });
  return launch(backend, bin, await mkdtemp(path.join(os.tmpdir(), 'cognate-test-')), db, { fresh: true, args, env });
}

/**
 * Runs `cognate serve` on `dataDir` (and `db`) until it is ready and returns its handle. `fresh`: the
 * data dir and database were made for this call, so a failed start removes them; otherwise (a
 * restart) they are left for the handle that owns them.
 */
async function launch(backend, bin, dataDir, db, { fresh, owned = true, args = [], env = {} }) {
  const dbArgs = db ? ['--database-url', db.url] : [];

  const child = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...dbArgs, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const entry = { child, db };
  live.add(entry);

  const logLines = [];
  const remember = (stream) => (chunk) => {
    const text = chunk.toString();
    if (VERBOSE) process.stderr.write(`[cognate ${backend} ${stream}] ${text}`);
    for (const l of text.split('\n')) if (l) logLines.push(`${stream}: ${l}`);
    if (logLines.length > 400) logLines.splice(0, logLines.length - 400);
  };
  child.stderr.on('data', remember('stderr'));
  const recentLogs = () => logLines.slice(-60).join('\n');

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(entry);
      resolve(exited);
    });
  });

  const endpoint = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      reject(new Error(`cognate (${backend}) did not print "listening on http://127.0.0.1:<port>" within ${START_TIMEOUT_MS} ms.\n${recentLogs()}`));
    }, START_TIMEOUT_MS);
    const onStdout = (chunk) => {
      remember('stdout')(chunk);
      // eslint-disable-next-line no-control-regex
      buf += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      const m = /listening on (https?:\/\/127\.0\.0\.1:(\d+))/.exec(buf);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onStdout);
        child.stdout.on('data', remember('stdout'));
        resolve(m[1]);
      } else if (buf.length > 65536) {
        buf = buf.slice(-1024);
      }
    };
    child.stdout.on('data', onStdout);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${bin}: ${err.message}`));
    });
    exitPromise.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`cognate (${backend}) exited before it was ready (code ${code}, signal ${signal}).\n${recentLogs()}`));
    });
  }).catch(async (err) => {
    child.kill('SIGKILL');
    await Promise.race([exitPromise, sleep(5000)]);
    if (fresh && db) await dropDatabase(db);
    if (fresh) await rm(dataDir, { recursive: true, force: true });
    throw err;
  });

  const port = Number(new URL(endpoint).port);
  let credentials;
  for (let i = 0; ; i++) {
    try {
      credentials = parseCredentials(await readFile(path.join(dataDir, 'admin-credentials'), 'utf8'));
      break;
    } catch (err) {
      if (i >= 50) {
        child.kill('SIGKILL');
        await Promise.race([exitPromise, sleep(5000)]);
        if (fresh && db) await dropDatabase(db);
        if (fresh) await rm(dataDir, { recursive: true, force: true });
        throw new Error(`could not read ${path.join(dataDir, 'admin-credentials')}: ${err.message}`);
      }
      await sleep(100);
    }
  }
  const extraClients = [];
  // Set once restart() has handed the data dir and database to a new handle.
  let handedOver = false;

  const server = {
    backend,
    endpoint,
    port,
    dataDir,
    databaseUrl: db?.url ?? null,
    credentials,
    client: makeClient(endpoint, credentials),
    /** An SDK client with other (e.g. unknown or wrong) credentials. */
    clientWith: (creds) => {
      const c = makeClient(endpoint, creds);
      extraClients.push(c);
      return c;
    },
    /** Raw POST / (see rawRequest). */
    raw: (opts) => rawRequest({ port, credentials, ...opts }),
    /** Messages in the outbox, optionally filtered by pool id and destination. */
    outbox: (filter = {}) => readOutbox(bin, dataDir, db?.url, filter),
    /** Polls the outbox until `predicate(messages)` holds (default: at least one message). */
    waitForOutbox: (filter = {}, predicate = (m) => m.length > 0, timeoutMs = 5000) =>
      waitForOutbox(bin, dataDir, db?.url, filter, predicate, timeoutMs),
    logs: recentLogs,
    async stop() {
      server.client.destroy();
      for (const c of extraClients) c.destroy();
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitPromise;
        clearTimeout(t);
      }
      if (handedOver) return;
      if (db) await dropDatabase(db);
      if (owned) await rm(dataDir, { recursive: true, force: true });
    },
    /** Set when the process died on its own (a crash) before stop(). */
    get exited() {
      return exited;
    },
    /** The server's process id. */
    pid: child.pid,
    /** Sends `signal` to the process (default SIGKILL); resolves with its { code, signal } once it exited. */
    kill(signal = 'SIGKILL') {
      if (!exited) child.kill(signal);
      return exitPromise;
    },
    /** Resolves with the process's { code, signal } once it exited (by itself or after kill()). */
    waitForExit() {
      return exitPromise;
    },
    /**
     * Starts a new server process on this one's data dir and database (so the same admin keys and
     * master key) after this one's process has exited; returns the new handle, which from then on
     * owns the data: this handle's stop() no longer removes it.
     */
    async restart() {
      if (!exited) throw new Error('restart(): the server process is still running; kill() it first');
      if (handedOver) throw new Error('restart(): this server was already restarted');
      const next = await launch(backend, bin, dataDir, db, { fresh: false, owned, args, env });
      handedOver = true;
      server.client.destroy();
      for (const c of extraClients) c.destroy();
      return next;
    },
  };
  return server;
}

/**
 * Registers before/after hooks in the current describe() that start and stop a server; returns a
 * handle whose fields are the server's once the before hook has run. When the server can't start
 * (no binary, no PostgreSQL, a crash at startup) every test that touches the handle fails with that
 * reason, so the run counts them as failures rather than as cancelled tests.
 */
export function useServer(backend) {
  const state = { server: null, error: null };
  const handle = new Proxy(
    {},
    {
      get(_target, prop) {
        if (state.server) return state.server[prop];
        if (prop === 'then') return undefined;
        if (state.error) throw new Error(`no ${backend} server: ${state.error.message}`);
        throw new Error(`the ${backend} server has not been started (useServer's before hook did not run)`);
      },
    },
  );
  before(async () => {
    try {
      state.server = await startServer(backend);
    } catch (err) {
      state.error = err;
      process.stderr.write(`cognate test harness: ${err.message}\n`);
    }
  }, { timeout: START_TIMEOUT_MS + 30_000 });
  after(async () => {
    const server = state.server;
    if (!server) return;
    const crashed = server.exited;
    const logs = server.logs();
    await server.stop();
    if (crashed) {
      throw new Error(`cognate (${backend}) exited during the tests (${JSON.stringify(crashed)}).\n${logs}`);
    }
  }, { timeout: 60_000 });
  return handle;
}

/** One describe() per selected backend, each with its own server: `suite('pools', (s) => { test(...) })`. */
export function suite(title, body) {
  for (const backend of backends()) {
    describe(`${title} [${backend}]`, { timeout: 300_000 }, () => {
      const server = useServer(backend);
      body(server, backend);
    });
  }
}

export function makeClient(endpoint, credentials) {
  return new CognitoIdentityProviderClient({
    region: REGION,
    endpoint,
    credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 15_000, connectionTimeout: 5_000 },
  });
}

// ---------------------------------------------------------------------------------------------
// raw HTTP

/**
 * POST / with an arbitrary body.
 *   target:  operation name ("ListUserPools") or a full X-Amz-Target value when it contains a dot;
 *            null to send no X-Amz-Target header
 *   body:    string | Buffer | object (JSON-encoded) | undefined (empty)
 *   headers: extra headers (override the defaults)
 *   sign:    false (default) | true (the admin credentials) | { accessKeyId, secretAccessKey }
 *   afterSign: (headers, body) => ({ headers, body }) to tamper with a signed request
 * Returns { status, headers, text, json } (json is null when the body isn't JSON).
 */
export async function rawRequest({ port, credentials, target, body, headers = {}, sign = false, afterSign, method = 'POST' }) {
  let payload;
  if (body === undefined) payload = Buffer.alloc(0);
  else if (Buffer.isBuffer(body)) payload = body;
  else if (typeof body === 'string') payload = Buffer.from(body, 'utf8');
  else payload = Buffer.from(JSON.stringify(body), 'utf8');

  let hdrs = {
    host: `127.0.0.1:${port}`,
    'content-type': JSON_CONTENT_TYPE,
  };
  if (target !== null && target !== undefined) {
    hdrs['x-amz-target'] = target.includes('.') ? target : `${TARGET_PREFIX}.${target}`;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || v === null) delete hdrs[k.toLowerCase()];
    else hdrs[k.toLowerCase()] = v;
  }

  if (sign) {
    const creds = sign === true ? credentials : sign;
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: SERVICE, sha256: Sha256 });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/',
      query: {},
      headers: hdrs,
      body: payload,
    });
    hdrs = { ...signed.headers };
  }
  if (afterSign) {
    const out = afterSign({ ...hdrs }, payload);
    if (out?.headers) hdrs = out.headers;
    if (out?.body !== undefined) payload = Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body);
  }
  hdrs['content-length'] = String(payload.length);

  return new Promise((resolve, reject) => {
    let response = null;
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', headers: hdrs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {}
        response = { status: res.statusCode, headers: res.headers, text, json };
        resolve(response);
      });
      res.on('error', (err) => (response ? undefined : reject(err)));
    });
    req.setTimeout(15_000, () => req.destroy(new Error('raw request timed out after 15 s')));
    req.on('error', (err) => {
      // A server may answer an oversized body early and close the connection while we are still
      // writing; the answer is what counts then.
      if (!response) reject(err);
    });
    req.end(payload);
  });
}

/** Asserts a raw response is a Cognito-style error: 4xx, JSON {__type, message}; returns __type. */
export function assertErrorResponse(res, { type, types, status } = {}) {
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx answer, got ${res.status}: ${res.text.slice(0, 300)}`);
  if (status !== undefined) assert.equal(res.status, status, `HTTP status (body ${res.text.slice(0, 300)})`);
  assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), `error body is not a JSON object: ${res.text.slice(0, 300)}`);
  assert.equal(typeof res.json.__type, 'string', `error body has no string __type: ${res.text.slice(0, 300)}`);
  assert.equal(typeof res.json.message, 'string', `error body has no string message: ${res.text.slice(0, 300)}`);
  assert.ok(res.json.message.length > 0, 'error message is empty');
  const name = res.json.__type.split('#').pop();
  if (type) assert.equal(name, type, `__type (message: ${res.json.message})`);
  if (types) assert.ok(types.includes(name), `__type ${name} not one of ${types.join(', ')} (message: ${res.json.message})`);
  return name;
}

// ---------------------------------------------------------------------------------------------
// outbox

async function readOutbox(bin, dataDir, databaseUrl, { pool, to } = {}) {
  const args = ['outbox', 'list', '--data-dir', dataDir];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  if (pool) args.push('--pool', pool);
  if (to) args.push('--to', to);
  let stdout;
  try {
    ({ stdout } = await execFileP(bin, args, { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    throw new Error(`\`cognate ${args.join(' ')}\` failed: ${err.stderr || err.message}`);
  }
  const messages = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    messages.push(JSON.parse(t));
  }
  return messages;
}

async function waitForOutbox(bin, dataDir, databaseUrl, filter, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await readOutbox(bin, dataDir, databaseUrl, filter);
    if (predicate(messages)) return messages;
    if (Date.now() > deadline) return messages;
    await sleep(100);
  }
}

/** Checks the documented fields of one outbox message. */
export function assertOutboxMessage(msg, { poolId, channel, destination } = {}) {
  for (const field of ['id', 'pool_id', 'channel', 'destination', 'body', 'created']) {
    assert.ok(field in msg, `outbox message lacks "${field}": ${JSON.stringify(msg)}`);
  }
  assert.ok(['EMAIL', 'SMS'].includes(msg.channel), `channel ${msg.channel}`);
  assert.equal(typeof msg.body, 'string');
  const created = typeof msg.created === 'number' ? new Date(msg.created * (msg.created < 1e12 ? 1000 : 1)) : new Date(msg.created);
  assert.ok(!Number.isNaN(created.getTime()), `outbox "created" is not a date: ${msg.created}`);
  if (poolId) assert.equal(msg.pool_id, poolId);
  if (channel) assert.equal(msg.channel, channel);
  if (destination) assert.equal(msg.destination, destination);
}

// ---------------------------------------------------------------------------------------------
// small helpers for tests

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

let counter = 0;
/** A name unique within this run: prefix-<n>-<hex>. Lowercase alphanumerics and dashes only. */
export function uniq(prefix = 'n') {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** A unique email address under example.com. */
export function uniqEmail(prefix = 'user') {
  return `${uniq(prefix)}@example.com`;
}

/** A password that satisfies every rule of the default policy (length 8+, upper, lower, digit, symbol). */
export function strongPassword() {
  return `Pw-${randomBytes(4).toString('hex')}-X9!`;
}

/** [{Name, Value}] → { name: value } */
export function attrMap(attrs = []) {
  const out = {};
  for (const a of attrs) out[a.Name] = a.Value;
  return out;
}

/** { name: value } → [{Name, Value}] */
export function attrList(obj) {
  return Object.entries(obj).map(([Name, Value]) => ({ Name, Value }));
}

/**
 * Awaits `promise` and asserts it fails with the service error `name` (or one of `name` when it is
 * an array), a 4xx status, and optionally a message matching `re`; `label` prefixes failure messages
 * (say which case of a table failed). Returns the error.
 */
export async function rejectsWith(promise, name, re, label) {
  const names = Array.isArray(name) ? name : [name];
  const pre = label ? `${label}: ` : '';
  let caught = null;
  try {
    const value = await promise;
    assert.fail(`${pre}expected ${names.join(' or ')}, but the call succeeded: ${JSON.stringify(stripMeta(value)).slice(0, 400)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    caught = err;
  }
  assert.ok(names.includes(caught.name), `${pre}expected ${names.join(' or ')}, got ${caught.name}: ${caught.message}`);
  const status = caught.$metadata?.httpStatusCode;
  assert.ok(status >= 400 && status < 500, `${pre}expected a 4xx status for ${caught.name}, got ${status}`);
  if (re) assert.match(caught.message, re, `${pre}message ${JSON.stringify(caught.message)} does not match ${re}`);
  return caught;
}

function stripMeta(value) {
  if (value && typeof value === 'object' && '$metadata' in value) {
    const { $metadata, ...rest } = value;
    return rest;
  }
  return value;
}

/** Asserts `d` is a Date within a generous window around now (the server's clock is ours). */
export function assertRecentDate(d, label = 'date') {
  assert.ok(d instanceof Date, `${label} is not a Date: ${d}`);
  assert.ok(!Number.isNaN(d.getTime()), `${label} is an invalid Date`);
  const skew = Math.abs(Date.now() - d.getTime());
  assert.ok(skew < 10 * 60 * 1000, `${label} ${d.toISOString()} is far from now`);
}

/** Follows a paginated list to the end; `call(token)` returns { items, next }. Guards against loops. */
export async function collectPages(call, { maxPages = 100 } = {}) {
  const pages = [];
  let token;
  const seenTokens = new Set();
  for (let i = 0; i < maxPages; i++) {
    const { items, next } = await call(token);
    pages.push(items ?? []);
    if (!next) return pages;
    assert.ok(!seenTokens.has(next), `pagination token repeated: ${next}`);
    seenTokens.add(next);
    token = next;
  }
  assert.fail(`pagination did not end within ${maxPages} pages`);
}

export function sorted(list) {
  return [...(list ?? [])].sort();
}

// ---------------------------------------------------------------------------------------------
// fixtures

/** Creates a pool with a unique name (plus `input`); returns the UserPool from the response. */
export async function createPool(server, input = {}) {
  const { UserPool } = await server.client.send(new CreateUserPoolCommand({ PoolName: uniq('pool'), ...input }));
  assert.ok(UserPool?.Id, 'CreateUserPool returned no UserPool.Id');
  return UserPool;
}

/**
 * AdminCreateUser with a valid temporary password and no invitation unless `extra` says otherwise;
 * `attrs` is { name: value }. Returns the User from the response.
 */
export async function createUser(server, poolId, username, attrs = {}, extra = {}) {
  const { User } = await server.client.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: attrList(attrs),
      TemporaryPassword: strongPassword(),
      MessageAction: 'SUPPRESS',
      ...extra,
    }),
  );
  assert.ok(User?.Username, 'AdminCreateUser returned no User.Username');
  return User;
}

/** Creates an app client; returns the UserPoolClient from the response. */
export async function createClient(server, poolId, input = {}) {
  const { UserPoolClient } = await server.client.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: uniq('client'), ...input }),
  );
  assert.ok(UserPoolClient?.ClientId, 'CreateUserPoolClient returned no ClientId');
  return UserPoolClient;
}
