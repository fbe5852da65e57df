// The Worker entry: a few lines of plumbing around the Rust gate (src/gate.rs, compiled to wasm32 by
// `cargo xtask build-worker` into build/). The gate decides; this file only moves strings in and
// out and forwards requests the gate lets through.
import { initSync, configure, decide, origin } from '../build/cognate_edge.js';
import wasm from '../build/cognate_edge_bg.wasm';

initSync({ module: wasm });

// Variables cannot change inside an isolate, so the gate (and its JWKS and token caches) is built
// once, on the first request.
let upstream = null;

function pairs(flat) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

export default {
  async fetch(request, env) {
    if (upstream === null) {
      configure(env);
      upstream = origin() ?? '';
    }
    const url = new URL(request.url);
    const h = request.headers;
    const d = await decide(
      request.method,
      url.pathname,
      h.get('authorization'),
      h.get('origin'),
      h.get('access-control-request-method'),
    );
    if (d.status !== 0) {
      return new Response(d.body || null, { status: d.status, headers: pairs(d.headers) });
    }
    // Identity headers come from the gate only: whatever the caller sent under x-cognate-* goes.
    const headers = new Headers(h);
    for (const name of [...headers.keys()]) {
      if (name.startsWith('x-cognate-')) headers.delete(name);
    }
    for (const [name, value] of pairs(d.headers)) headers.set(name, value);
    const answer = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
    });
    const extra = d.responseHeaders;
    if (extra.length === 0) return answer;
    const response = new Response(answer.body, answer);
    for (const [name, value] of pairs(extra)) response.headers.set(name, value);
    return response;
  },
};
