// An app using oidc-client-ts (bundled by esbuild), as tests/browser/oauth.test.mjs drives it: the
// authority is the pool's issuer, sign-in goes through the managed login pages, /callback completes
// it. `window.app.result` says what the page found when it loaded; `window.app.manager` is the
// UserManager the test calls.
import { UserManager } from 'oidc-client-ts';

const config = await (await fetch('/config.json')).json();
const origin = window.location.origin;

const manager = new UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: `${origin}/callback`,
  post_logout_redirect_uri: `${origin}/`,
  response_type: 'code',
  scope: 'openid email profile',
  revokeTokenTypes: ['refresh_token'],
});

const claims = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

/** What the test checks of a User (null when there is none). */
function summary(user) {
  if (!user) return null;
  return {
    profile: user.profile,
    scope: user.scope ?? null,
    tokenType: user.token_type,
    expired: user.expired,
    accessToken: user.access_token,
    accessClaims: claims(user.access_token),
    idToken: user.id_token ?? null,
    refreshToken: user.refresh_token ?? null,
  };
}

async function start() {
  const params = new URLSearchParams(window.location.search);
  if (window.location.pathname === '/callback') {
    return { page: 'callback', user: summary(await manager.signinCallback()) };
  }
  if (params.has('state')) {
    // Back from the end-session endpoint.
    const response = await manager.signoutCallback();
    return { page: 'signed-out', state: params.get('state'), userState: response?.userState ?? null, user: summary(await manager.getUser()) };
  }
  return { page: 'home', user: summary(await manager.getUser()) };
}

window.app = {
  manager,
  summary,
  result: start().then((r) => r, (e) => ({ error: `${e?.name}: ${e?.message}` })),
};
