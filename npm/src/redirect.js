// cognate-auth/redirect: sign-in through the pool domain's managed login pages (the OAuth 2.0
// authorization code grant with PKCE), and sign-out through its /logout. A module of its own, so
// apps that sign in with SRP only never ship it. It needs no wasm: the code is exchanged with one
// fetch, and the tokens are stored where the core stores a sign-in's (see crates/client's
// session.rs), so `getSession()`, refresh (REFRESH_TOKEN_AUTH / GetTokensFromRefreshToken) and
// `signOut()` work on them as on any other session.

/** The pending sign-in (one at a time per app client), in sessionStorage: it survives the trip to the
 * login pages in this tab only. */
const pendingKey = (clientId) => `cognate-auth.redirect.${clientId}`;
/** Beside the session: the domain it came from, so signing out also ends the managed login session. */
const domainKey = (clientId) => `CognitoIdentityServiceProvider.${clientId}.oauthDomain`;

function named(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const random = (n) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** `auth.example.com` (https), or a URL base such as `http://127.0.0.1:9229/domains/my-app`. */
export function domainBase(domain) {
  if (typeof domain !== 'string' || !domain) throw named('InvalidParameterException', 'domain is required');
  return (/^https?:\/\//i.test(domain) ? domain : `https://${domain}`).replace(/\/+$/, '');
}

/** The instance's options, storage and event emitter (an internal hook of CognateAuth). */
function parts(auth) {
  if (typeof auth?._redirect !== 'function') throw named('InvalidParameterException', 'the first argument must be a CognateAuth');
  const [options, storage, emit] = auth._redirect();
  return { options, storage, emit, clientId: options.clientId };
}

/** The payload of a JWT, decoded (not verified). */
function payload(jwt) {
  try {
    const text = atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
  } catch {
    throw named('InvalidResponseException', 'the server gave a malformed token');
  }
}

/**
 * Sends the browser to the domain's sign-in (`/oauth2/authorize`): code flow, PKCE S256, a fresh
 * state and nonce. Resolves once the navigation has started; the page then unloads.
 * @param {import('./index.js').CognateAuth} auth
 * @param {import('./redirect.d.ts').SignInWithRedirectInput} input
 */
export async function signInWithRedirect(auth, {
  domain, redirectUri, scopes = ['openid', 'email', 'profile'], provider, lang, prompt, customState,
} = {}) {
  const { clientId } = parts(auth);
  const base = domainBase(domain);
  if (!redirectUri) throw named('InvalidParameterException', 'redirectUri is required');
  if (!globalThis.crypto?.subtle) throw named('InvalidParameterException', 'signInWithRedirect needs a secure context (https or localhost) for crypto.subtle');
  const verifier = random(64);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(32);
  const nonce = random(32);
  sessionStorage.setItem(pendingKey(clientId), JSON.stringify({ state, verifier, nonce, domain: base, redirectUri, customState }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: scopes.join(' '),
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    identity_provider: provider ?? 'COGNITO',
  });
  if (lang) query.set('lang', lang);
  if (prompt) query.set('prompt', prompt);
  location.assign(`${base}/oauth2/authorize?${query}`);
}

/**
 * On the redirect URI: checks the state, exchanges the code for tokens, checks the ID token's nonce
 * and audience, and stores the session as a sign-in does. Resolves with `{ session, customState }`.
 * Rejects with `InvalidStateException` (no sign-in pending, or another state), the OAuth error the
 * server sent back (`error.name` is e.g. `access_denied`, `login_required`, `invalid_grant`),
 * `InvalidResponseException` or `NetworkError`.
 * @param {import('./index.js').CognateAuth} auth
 * @param {string | URL} [url] default the page's address; the query is then removed from it.
 */
export async function handleRedirectCallback(auth, url) {
  const { options, storage, emit, clientId } = parts(auth);
  const here = url === undefined;
  const params = new URL(here ? location.href : url).searchParams;
  if (here) history.replaceState(history.state, '', location.pathname + location.hash);
  const key = pendingKey(clientId);
  const pending = JSON.parse(sessionStorage.getItem(key) ?? 'null');
  try {
    // A callback that is not the answer to this tab's pending sign-in (forged, replayed, or from
    // another tab) leaves the pending sign-in alone.
    if (!pending || params.get('state') !== pending.state) {
      throw named('InvalidStateException', pending ? 'the state does not match the sign-in in progress' : 'no sign-in with redirect is in progress');
    }
    sessionStorage.removeItem(key);
    const error = params.get('error');
    if (error) throw named(error, params.get('error_description') || error);
    const code = params.get('code');
    if (!code) throw named('InvalidResponseException', 'the callback has no code');

    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    if (options.clientSecret) {
      headers.authorization = `Basic ${btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(options.clientSecret)}`)}`;
    }
    const body = new URLSearchParams({
      grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: pending.redirectUri, code_verifier: pending.verifier,
    });
    let response, answer;
    try {
      response = await fetch(`${pending.domain}/oauth2/token`, { method: 'POST', headers, body, cache: 'no-store' });
      answer = await response.json();
    } catch (e) {
      throw named(response ? 'InvalidResponseException' : 'NetworkError', e?.message ?? String(e));
    }
    if (!response.ok || answer.error) {
      throw named(answer.error ?? 'InvalidResponseException', answer.error_description ?? `the token endpoint answered ${response.status}`);
    }
    const { id_token: idToken, access_token: accessToken, refresh_token: refreshToken } = answer;
    if (!idToken || !accessToken || !refreshToken) {
      throw named('InvalidResponseException', 'the token endpoint gave no ID, access or refresh token (is openid among the scopes?)');
    }
    // The signatures are not checked: these tokens come straight from the token endpoint, over the
    // connection this page chose (TLS in production), in answer to a code only this tab's verifier
    // redeems. Checking the nonce and audience ties the ID token to this sign-in and this client.
    const id = payload(idToken);
    const access = payload(accessToken);
    if (id.nonce !== pending.nonce) throw named('InvalidResponseException', 'the ID token has another nonce');
    if (![].concat(id.aud).includes(clientId)) throw named('InvalidResponseException', 'the ID token is for another client');
    const username = access.username;
    if (!username) throw named('InvalidResponseException', 'the access token has no username');

    // As the core's store_tokens (crates/client/src/session.rs) writes them.
    const user = `CognitoIdentityServiceProvider.${clientId}.${username}.`;
    storage.setItem(`${user}idToken`, idToken);
    storage.setItem(`${user}accessToken`, accessToken);
    storage.setItem(`${user}refreshToken`, refreshToken);
    storage.setItem(`${user}clockDrift`, String(Math.round((access.iat ?? 0) - Date.now() / 1000)));
    storage.setItem(`CognitoIdentityServiceProvider.${clientId}.LastAuthUser`, username);
    storage.setItem(domainKey(clientId), pending.domain);

    const session = await auth.getSession();
    emit('signedIn', { username });
    emit('signInWithRedirect', { username, customState: pending.customState });
    return { session, customState: pending.customState };
  } catch (error) {
    emit('signInWithRedirectFailure', { error });
    throw error;
  }
}

/**
 * Signs out as `auth.signOut()` does (revoking the refresh token, or `global`), then, when the
 * session came from the managed login (or `domain` is given), ends that login too: the browser goes
 * to the domain's `/logout`, which sends it on to `logoutUri` (one of the client's sign-out URLs).
 * Resolves without navigating when there is no domain to sign out of.
 * @param {import('./index.js').CognateAuth} auth
 * @param {import('./redirect.d.ts').SignOutWithRedirectInput} input
 */
export async function signOutWithRedirect(auth, { logoutUri, domain, global = false } = {}) {
  const { storage, clientId } = parts(auth);
  const stored = storage.getItem(domainKey(clientId));
  const base = stored ?? (domain && domainBase(domain));
  if (base && !logoutUri) throw named('InvalidParameterException', 'logoutUri is required');
  try {
    await auth.signOut({ global });
  } finally {
    storage.removeItem(domainKey(clientId));
    if (base) location.assign(`${base}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: logoutUri })}`);
  }
}
