// The comparison for `cargo xtask bench edge`: the same gate as cognate-edge's default rule (a valid
// access token from one of CLIENT_IDS, issued by ISSUER), written the way people write it today with
// aws-jwt-verify, with the same forwarding as worker/src/index.js.
import { JwtRsaVerifier } from 'aws-jwt-verify';

let verifier = null;
let clients = null;

function refuse(status, error, message, challenge) {
  return new Response(JSON.stringify({ error, message }), {
    status,
    headers: { 'content-type': 'application/json', 'www-authenticate': challenge },
  });
}

export default {
  async fetch(request, env) {
    if (verifier === null) {
      clients = env.CLIENT_IDS.split(',');
      verifier = JwtRsaVerifier.create({
        issuer: env.ISSUER,
        audience: null,
        jwksUri: `${env.ISSUER}/.well-known/jwks.json`,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== 'access') throw new Error('not an access token');
          if (!clients.includes(payload.client_id)) throw new Error('client not allowed');
        },
      });
    }
    const auth = request.headers.get('authorization') ?? '';
    const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : '';
    if (!token) return refuse(401, 'unauthorized', 'a bearer token is required', 'Bearer realm="cognate"');
    let payload;
    try {
      payload = await verifier.verify(token);
    } catch (err) {
      return refuse(401, 'invalid_token', String(err.message), 'Bearer realm="cognate", error="invalid_token"');
    }
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) {
      if (name.startsWith('x-cognate-')) headers.delete(name);
    }
    headers.set('x-cognate-sub', payload.sub);
    headers.set('x-cognate-username', payload.username ?? '');
    headers.set('x-cognate-client-id', payload.client_id);
    headers.set('x-cognate-token-use', payload.token_use);
    headers.set('x-cognate-scope', payload.scope ?? '');
    headers.set('x-cognate-groups', (payload['cognito:groups'] ?? []).join(','));
    return fetch(env.ORIGIN + url.pathname + url.search, { method: request.method, headers, body: request.body, redirect: 'manual' });
  },
};
