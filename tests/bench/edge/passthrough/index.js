// The baseline for `cargo xtask bench edge`: the same forwarding, with the same six identity headers,
// and no token check at all, so what workerd's HTTP handling and the forwarding cost can be told
// apart from what verification costs.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const name of [...headers.keys()]) {
      if (name.startsWith('x-cognate-')) headers.delete(name);
    }
    headers.set('x-cognate-sub', '00000000-0000-4000-8000-000000000000');
    headers.set('x-cognate-username', 'unchecked');
    headers.set('x-cognate-client-id', 'unchecked');
    headers.set('x-cognate-token-use', 'access');
    headers.set('x-cognate-scope', 'aws.cognito.signin.user.admin');
    headers.set('x-cognate-groups', 'staff');
    return fetch(env.ORIGIN + url.pathname + url.search, { method: request.method, headers, body: request.body, redirect: 'manual' });
  },
};
