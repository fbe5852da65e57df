// A trigger receiver for the tests: a node HTTP server on 127.0.0.1 that checks each call's
// Standard Webhooks signature with the `standardwebhooks` library (nobody here wrote it) and the
// server's trigger secret, records the event, and answers as each route is told to.

import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';

/**
 * Starts a receiver. `routes[path] = (event, req) => answer`, where answer is
 * `{ status?, json?, body?, hang? }` (default 200 with the event and an empty response).
 */
export async function receiver() {
  const calls = [];
  const routes = new Map();
  let verifier = null;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', async () => {
      const headers = {
        'webhook-id': req.headers['webhook-id'],
        'webhook-timestamp': req.headers['webhook-timestamp'],
        'webhook-signature': req.headers['webhook-signature'],
      };
      let event = null;
      let verified = false;
      try {
        event = verifier.verify(raw, headers);
        verified = true;
      } catch {
        try { event = JSON.parse(raw); } catch { event = null; }
      }
      const call = { path: req.url, event, verified, trigger: req.headers['x-cognate-trigger'], id: headers['webhook-id'] };
      calls.push(call);
      const handler = routes.get(req.url);
      const answer = handler ? await handler(event, req) : {};
      if (answer?.hang) return; // never answers
      const status = answer?.status ?? 200;
      const body = answer?.body ?? JSON.stringify(answer?.json ?? { ...event, response: answer?.response ?? {} });
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    calls,
    /** Answers `path` with `handler(event)`. */
    on(p, handler) { routes.set(p, handler); },
    /** Trusts the signing secret of a server (its data dir's trigger-secret). */
    async trust(dataDir) {
      verifier = new Webhook((await readFile(path.join(dataDir, 'trigger-secret'), 'utf8')).trim());
    },
    callsTo(p) { return calls.filter((c) => c.path === p); },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
