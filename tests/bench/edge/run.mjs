// `cargo xtask bench edge` (after it builds worker/build): the same token mix through cognate-edge,
// through a worker using aws-jwt-verify, and through a pass-through worker (no check; the baseline),
// each bundled by `wrangler deploy --dry-run` and run by workerd itself (one process, no wrangler in
// the request path) in front of an origin in this process.
//
// Per-request CPU is the closest measure workerd gives here: the CPU time of the whole workerd
// process (all its threads, from /proc/<pid>/task/*/schedstat, nanoseconds) between sending a
// request and reading its response, one request at a time on one keep-alive connection. It covers
// workerd's HTTP handling and the subrequest to the origin as well as the worker's own code; the
// pass-through worker measures that common part, and "net" figures subtract its median.
//
// Usage: node run.mjs <out dir>     prints one JSON line of figures last.
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const wrangler = path.join(repo, 'worker', 'node_modules', '.bin', 'wrangler');
const workerd = path.join(repo, 'worker', 'node_modules', '.bin', 'workerd');
const out = path.resolve(process.argv[2] ?? path.join(repo, 'target', 'bench', 'edge'));
const TOKENS = 1000;
const REPEATS = 20;
const CLIENT = 'benchclient000000000000000';

mkdirSync(out, { recursive: true });
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A seeded shuffle, so every run sends the same order.
function shuffle(list, seed = 42) {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

function bundle(name, dir) {
  const dist = path.join(out, name);
  const text = execFileSync(wrangler, ['deploy', '--dry-run', '--outdir', dist], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const gz = /gzip: ([\d.]+) KiB/.exec(text);
  const modules = readdirSync(dist).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  return { dist, modules, gzKiB: gz ? Number(gz[1]) : NaN };
}

function capnp({ dist, modules }, port, vars) {
  const mods = modules.map((m) => (m.endsWith('.wasm')
    ? `(name = "${m}", wasm = embed "${m}")`
    : `(name = "${m}", esModule = embed "${m}")`));
  // The entry module must come first.
  mods.sort((a, b) => Number(b.includes('"index.js"')) - Number(a.includes('"index.js"')));
  const bindings = Object.entries(vars).map(([k, v]) => `(name = "${k}", text = ${JSON.stringify(v)})`);
  const file = path.join(dist, 'config.capnp');
  writeFileSync(file, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${mods.join(', ')}],
  compatibilityDate = "2025-01-01",
  bindings = [${bindings.join(', ')}],
  globalOutbound = "net",
);
`);
  return file;
}

function cpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch { /* a thread that just ended */ }
  }
  return total;
}

async function waitForPort(port, child) {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('workerd did not listen');
}

function request(agent, port, token) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/items', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(name, built, vars, mix) {
  const port = await freePort();
  const config = capnp(built, port, vars);
  const child = spawn(workerd, ['serve', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    const spawned = performance.now();
    await waitForPort(port, child);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const startupCpu = cpuNs(child.pid);
    const t0 = performance.now();
    const first = await request(agent, port, mix[0]);
    const coldWallMs = performance.now() - t0;
    const coldCpuMs = (cpuNs(child.pid) - startupCpu) / 1e6;
    if (first !== 200) throw new Error(`${name}: the first request got ${first}`);
    const cpu = new Float64Array(mix.length);
    let wall = 0;
    for (let i = 0; i < mix.length; i += 1) {
      const before = cpuNs(child.pid);
      const s = performance.now();
      const status = await request(agent, port, mix[i]);
      wall += performance.now() - s;
      cpu[i] = (cpuNs(child.pid) - before) / 1000;
      if (status !== 200) throw new Error(`${name}: request ${i} got ${status}`);
    }
    agent.destroy();
    const sorted = Array.from(cpu).sort((a, b) => a - b);
    return {
      p50: pct(sorted, 50), p99: pct(sorted, 99), mean: cpu.reduce((a, b) => a + b, 0) / cpu.length,
      rps: mix.length / (wall / 1000), coldCpuMs, coldWallMs,
      startupCpuMs: startupCpu / 1e6, startupWallMs: t0 - spawned,
      sorted,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

// The issuer (JWKS) and the origin, served from this process.
const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'bench1', alg: 'RS256', use: 'sig' };
const server = http.createServer((req, res) => {
  if (req.url.endsWith('/.well-known/jwks.json')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  } else {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const iss = `${base}/us-east-1_BenchPool`;

const now = Math.floor(Date.now() / 1000);
const tokens = [];
for (let i = 0; i < TOKENS; i += 1) {
  const claims = {
    sub: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'cognito:groups': ['staff'], iss, client_id: CLIENT,
    origin_jti: `o${i}`, event_id: `e${i}`, token_use: 'access', scope: 'aws.cognito.signin.user.admin', auth_time: now,
    exp: now + 3600, iat: now, jti: `j${i}`, username: `user${i}`,
  };
  const input = `${b64({ kid: 'bench1', alg: 'RS256' })}.${b64(claims)}`;
  tokens.push(`${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`);
}
const mix = shuffle(tokens.flatMap((t) => Array(REPEATS).fill(t)));

const builds = {
  cognate: bundle('cognate', path.join(repo, 'worker')),
  awsjwtverify: bundle('awsjwtverify', path.join(here, 'awsjwtverify')),
  passthrough: bundle('passthrough', path.join(here, 'passthrough')),
};
const results = {
  passthrough: await measure('passthrough', builds.passthrough, { ORIGIN: base }, mix),
  cognate: await measure('cognate', builds.cognate, { ORIGIN: base, ISSUERS: iss, CLIENT_IDS: CLIENT, RULES: '[{"path": "/**"}]' }, mix),
  awsjwtverify: await measure('awsjwtverify', builds.awsjwtverify, { ORIGIN: base, ISSUER: iss, CLIENT_IDS: CLIENT }, mix),
};
server.close();

const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const baseline = results.passthrough.p50;
const netOf = (r, p) => Math.max(pct(r.sorted, p) - baseline, 0);
for (const [name, r] of Object.entries(results)) {
  process.stderr.write(`${name.padEnd(13)} workerd CPU/request p50 ${round(r.p50)} µs  p99 ${round(r.p99)} µs  mean ${round(r.mean)} µs  ` +
    `${round(r.rps, 0)} req/s  first request ${round(r.coldCpuMs, 2)} ms CPU (${round(r.coldWallMs, 2)} ms wall)  bundle ${builds[name].gzKiB} KiB gz\n`);
}
const figures = {
  measure: 'workerd process CPU per request (schedstat, all threads), sequential on one connection',
  tokens: TOKENS, repeats: REPEATS,
  cognate_p50_us: round(netOf(results.cognate, 50)), cognate_p99_us: round(netOf(results.cognate, 99)),
  awsjwtverify_p50_us: round(netOf(results.awsjwtverify, 50)), awsjwtverify_p99_us: round(netOf(results.awsjwtverify, 99)),
  speedup_p50: round(netOf(results.awsjwtverify, 50) / Math.max(netOf(results.cognate, 50), 0.1), 2),
  gross_cognate_p50_us: round(results.cognate.p50), gross_cognate_p99_us: round(results.cognate.p99),
  gross_awsjwtverify_p50_us: round(results.awsjwtverify.p50), gross_awsjwtverify_p99_us: round(results.awsjwtverify.p99),
  gross_passthrough_p50_us: round(baseline),
  gross_speedup_p50: round(results.awsjwtverify.p50 / results.cognate.p50, 2),
  cognate_rps: round(results.cognate.rps, 0), awsjwtverify_rps: round(results.awsjwtverify.rps, 0), passthrough_rps: round(results.passthrough.rps, 0),
  cold_start_ms: round(results.cognate.coldCpuMs, 2), cold_start_wall_ms: round(results.cognate.coldWallMs, 2),
  awsjwtverify_cold_start_ms: round(results.awsjwtverify.coldCpuMs, 2),
  bundle_gz_kb: builds.cognate.gzKiB, awsjwtverify_bundle_gz_kb: builds.awsjwtverify.gzKiB,
};
console.log(JSON.stringify(figures));
