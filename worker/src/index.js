// The Worker entry: a few lines of plumbing around the Rust gate (src/gate.rs, compiled to wasm32 by
// `cargo xtask build-worker` into build/). The gate decides; this file only moves strings in and
// out and forwards requests the gate lets through.
import { initSync, configure, decide, decideNow, origin, warm } from '../build/cognate_edge.js';
import wasm from '../build/cognate_edge_bg.wasm';

initSync({ module: wasm });
// Compile and first-run the parsing paths now, at start-up, rather than in the first request.
warm();

// Variables cannot change inside an isolate, so the gate (and its JWKS and token caches) is built
// once, on the first request.
let upstream = null;

// A decision arrives as one string: status, headers, response headers, body and path separated by
// U+0001, each header list "name\nvalue\nname\nvalue" (see worker/src/js.rs).
function pairs(joined) {
  const out = [];
  if (joined === '') return out;
  const flat = joined.split('\n');
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function parse(decision) {
  const [status, headers, responseHeaders, body, path] = decision.split('\x01');
  return { status: Number(status), headers, responseHeaders, body, path };
}

export default {
  async fetch(request, env) {
    if (upstream === null) {
      configure(env);
      upstream = origin() ?? '';
    }
    const url = new URL(request.url);
    const h = request.headers;
    const args = [request.method, url.pathname, h.get('authorization'), h.get('origin'), h.get('access-control-request-method')];
    // Most requests (remembered tokens, refusals) are decided at once; a new token is verified
    // asynchronously (WebCrypto, perhaps a JWKS fetch).
    const d = parse(decideNow(...args) ?? (await decide(...args)));
    if (d.status !== 0) {
      return new Response(d.body || null, { status: d.status, headers: pairs(d.headers) });
    }
    // Identity headers come from the gate only: whatever the caller sent under x-cognate-* goes.
    const headers = new Headers(h);
    for (const name of [...headers.keys()]) {
      if (name.startsWith('x-cognate-')) headers.delete(name);
    }
    for (const [name, value] of pairs(d.headers)) headers.set(name, value);
    // The path the rules judged (in normal form), not the caller's spelling of it: the origin acts
    // on exactly what was checked.
    const answer = await fetch(upstream + d.path + url.search, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
    });
    const extra = d.responseHeaders;
    if (extra === '') return answer;
    const response = new Response(answer.body, answer);
    for (const [name, value] of pairs(extra)) response.headers.set(name, value);
    return response;
  },
};
