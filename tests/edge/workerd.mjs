// Runs a Worker in real workerd through `wrangler dev` (from worker/node_modules), offline:
// no metrics, no request.cf fetch. Used by the edge suite and by `cargo xtask bench edge`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../server/harness.mjs';

export const WORKER_DIR = path.join(REPO_ROOT, 'worker');
const WRANGLER = path.join(WORKER_DIR, 'node_modules', '.bin', 'wrangler');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `wrangler dev` for `config` (a wrangler.toml path; default worker/wrangler.toml) with
 * `vars`; resolves to { url, pid, stop(), logs() } once a request gets an answer.
 */
export async function startWorker({ vars = {}, config, cwd = WORKER_DIR } = {}) {
  if (!config && !existsSync(path.join(WORKER_DIR, 'build', 'cognate_edge_bg.wasm'))) {
    throw new Error('worker/build/ is missing: run `cargo xtask build-worker` first');
  }
  const port = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn', '--show-interactive-dev-session=false'];
  if (config) args.push('--config', config);
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn(WRANGLER, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: '1' },
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    const up = await new Promise((resolve) => {
      const req = http.get(`${url}/__cognate_probe`, (res) => { res.resume(); resolve(true); });
      req.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error(`wrangler dev did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** An HTTP server on 127.0.0.1 running `handler`; resolves to { url, close() }. */
export async function listen(handler) {
  const srv = http.createServer(handler);
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${srv.address().port}`,
    close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }),
  };
}

/** An origin that answers every request with what it received, as JSON. */
export function echoOrigin() {
  return listen((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-origin': 'echo' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
}
