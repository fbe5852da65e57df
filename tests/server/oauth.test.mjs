// The authorization server a pool gains with a domain, driven as apps drive it: openid-client v6
// (discovery, authorization code + PKCE, refresh, userInfo, revocation, client credentials, the
// end-session URL) for the programs' endpoints, and node's fetch as the browser on the managed login
// pages (/login with MFA and new-password steps, /signup, /forgotPassword, /logout), through a cookie
// jar and a small form driver. One server per backend, shared by the tests; every backend.
//
// No DNS here: the domain's endpoints are on the server's origin under /domains/<domain>/ and are
// taken from the discovery document (except in the tests about the paths themselves).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateResourceServerCommand,
  CreateUserPoolDomainCommand,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import * as oidc from 'openid-client';

import { UUID_RE, attrMap, createClient, createPool, sorted, strongPassword, suite, uniq, uniqEmail } from './harness.mjs';
import { totp, wrongCode } from './totp.mjs';

const API = 'https://api.example.com';
const READ = `${API}/read`;
const WRITE = `${API}/write`;
const ADMIN = `${API}/admin`;
const CALLBACK = 'http://localhost:3000/callback';
const CALLBACK2 = 'https://app.example.com/cb';
const LOGOUT = 'http://localhost:3000/signed-out';
const SCOPE = `openid email ${READ}`;
const WRONG_PASSWORD_MESSAGE = 'Incorrect username or password.';

// ---------------------------------------------------------------------------------------------
// HTML: entities, forms, alerts

const ENTITIES = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: '\u00a0' };

/** Unescapes the HTML character references a server writes into text and attribute values. */
function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|quot|apos|lt|gt|nbsp);/gi, (whole, ref) => {
    const r = ref.toLowerCase();
    if (r.startsWith('#x')) return String.fromCodePoint(parseInt(r.slice(2), 16));
    if (r.startsWith('#')) return String.fromCodePoint(parseInt(r.slice(1), 10));
    return ENTITIES[r] ?? whole;
  });
}

// A tag's attribute text: anything up to the closing '>', quoted values may hold '>'.
const TAG_ATTRS = String.raw`((?:[^>"']|"[^"]*"|'[^']*')*)`;

/** `name="v" name2='v' bare name3=v` → { name: 'v', ... } (names lower-cased, values unescaped). */
function parseAttrs(text) {
  const out = {};
  for (const m of text.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = m[1].toLowerCase();
    if (name in out) continue;
    const raw = m[2] ?? m[3] ?? m[4];
    out[name] = raw === undefined ? '' : decodeEntities(raw);
  }
  return out;
}

/** The first 600 characters of a page, whitespace collapsed, for failure messages. */
function snippet(text) {
  return String(text ?? '').replace(/\s+/g, ' ').slice(0, 600);
}

/**
 * The page's one <form method="post">: { action (a URL, resolved against the page's URL), hidden
 * ({ name: value } of its hidden inputs), inputs ([{ name, type, value }]), names (a Set) }.
 */
function readForm(html, pageUrl) {
  const forms = [];
  for (const m of html.matchAll(new RegExp(`<form\\b${TAG_ATTRS}>([\\s\\S]*?)</form\\s*>`, 'gi'))) {
    const attrs = parseAttrs(m[1]);
    if ((attrs.method ?? 'get').toLowerCase() === 'post') forms.push({ attrs, body: m[2] });
  }
  assert.equal(forms.length, 1, `expected one <form method="post">, found ${forms.length}: ${snippet(html)}`);
  const [{ attrs, body }] = forms;
  const inputs = [];
  for (const m of body.matchAll(new RegExp(`<input\\b${TAG_ATTRS}>`, 'gi'))) {
    const a = parseAttrs(m[1]);
    if (a.name === undefined || a.name === '') continue;
    inputs.push({ name: a.name, type: (a.type || 'text').toLowerCase(), value: a.value ?? '' });
  }
  const hidden = {};
  for (const input of inputs) if (input.type === 'hidden') hidden[input.name] = input.value;
  return { action: new URL(attrs.action ?? '', pageUrl), hidden, inputs, names: new Set(inputs.map((i) => i.name)) };
}

/** The text of every element with role="alert" (tags stripped, entities unescaped, whitespace collapsed). */
function alertTexts(html) {
  const out = [];
  for (const m of html.matchAll(new RegExp(`<([a-z][a-z0-9-]*)\\b${TAG_ATTRS}>`, 'gi'))) {
    if ((parseAttrs(m[2]).role ?? '').toLowerCase() !== 'alert') continue;
    const tag = m[1].toLowerCase();
    const start = m.index + m[0].length;
    // Up to the element's own closing tag: nested elements of the same name are counted.
    const re = new RegExp(`<(/?)${tag}\\b${TAG_ATTRS}>`, 'gi');
    re.lastIndex = start;
    let end = html.length;
    let depth = 1;
    for (let t = re.exec(html); t; t = re.exec(html)) {
      if (t[1]) {
        depth -= 1;
        if (depth === 0) {
          end = t.index;
          break;
        }
      } else if (!/\/\s*$/.test(t[2])) {
        depth += 1;
      }
    }
    out.push(decodeEntities(html.slice(start, end).replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim());
  }
  return out;
}

/** Fills every password input the caller did not name with `password` (a "confirm password" box, say). */
function fillPasswords(form, fields, password) {
  const out = { ...fields };
  for (const input of form.inputs) if (input.type === 'password' && !(input.name in out)) out[input.name] = password;
  return out;
}

// ---------------------------------------------------------------------------------------------
// the browser: a cookie jar, no automatic redirects

/** One Set-Cookie line → { name, value, attrs (lower-cased names; flags are true), expired }. */
function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
  const attrs = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
    if (key) attrs[key] = i < 0 ? true : part.slice(i + 1).trim();
  }
  const maxAge = typeof attrs['max-age'] === 'string' ? Number(attrs['max-age']) : undefined;
  const expires = typeof attrs.expires === 'string' ? Date.parse(attrs.expires) : undefined;
  const expired = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= Date.now();
  return { name, value, attrs, expired };
}

/** Asserts the anti-framing headers every page carries. */
function assertNoFraming(res, label = res.url?.pathname) {
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors\s+'none'/, `${label}: Content-Security-Policy ${JSON.stringify(csp)}`);
  assert.equal((res.headers.get('x-frame-options') ?? '').toUpperCase(), 'DENY', `${label}: X-Frame-Options`);
}

class Browser {
  constructor() {
    /** name → value, from Set-Cookie (paths and domains are not tracked: one server). */
    this.jar = new Map();
  }

  /** Any request; answers { url, status, headers, text, location (a URL or null), setCookies }. */
  async request(url, { method = 'GET', body, headers = {} } = {}) {
    const h = { ...headers };
    if (this.jar.size) h.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { method, body, headers: h, redirect: 'manual' });
    const text = await res.text();
    const setCookies = res.headers.getSetCookie().map(parseSetCookie);
    for (const c of setCookies) {
      if (c.expired) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const location = res.headers.get('location');
    const out = { url: new URL(url), status: res.status, headers: res.headers, text, location: location === null ? null : new URL(location, url), setCookies };
    // Every page the server answers, error pages included, refuses to be framed.
    if (/^text\/html/i.test(res.headers.get('content-type') ?? '')) assertNoFraming(out, `${method} ${out.url.pathname}`);
    return out;
  }

  get(url) {
    return this.request(url);
  }

  /** POSTs the form's hidden fields overlaid with `fields` (a field set to undefined is left out). */
  submit(form, fields = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...form.hidden, ...fields })) if (v !== undefined) body.append(k, v);
    return this.request(form.action, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Follows redirects that stay on `origin` (the server's), stopping at one that leaves it. */
  async follow(res, origin) {
    for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400 && res.location?.origin === origin; hops += 1) {
      res = await this.get(res.location);
    }
    return res;
  }
}

/** Asserts a 200 HTML page (no redirect); returns it. */
function expectPage(res, label) {
  assert.equal(res.status, 200, `${label}: status ${res.status}, Location ${res.location}, alerts ${JSON.stringify(alertTexts(res.text))}: ${snippet(res.text)}`);
  assert.equal(res.location, null, `${label}: a page has no Location`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/i, `${label}: content-type`);
  assertNoFraming(res, label);
  return res;
}

const base = (url) => `${url.origin}${url.pathname}`;

/** Asserts a 302 to `redirectUri` (query aside) echoing `state`; returns the Location URL. */
function expectCallback(res, redirectUri, state, label = 'callback') {
  assert.equal(res.status, 302, `${label}: status ${res.status}, Location ${res.location}, alerts ${JSON.stringify(alertTexts(res.text))}: ${snippet(res.text)}`);
  assert.ok(res.location, `${label}: no Location`);
  assert.equal(base(res.location), redirectUri, `${label}: Location ${res.location}`);
  if (state !== undefined) assert.equal(res.location.searchParams.get('state'), state, `${label}: state`);
  return res.location;
}

/** Asserts a 302 to the callback carrying `error` (and the state, and no code). */
function expectRedirectedError(res, error, state, label) {
  const loc = expectCallback(res, CALLBACK, state, label);
  assert.equal(loc.searchParams.get('error'), error, `${label}: Location ${loc}`);
  assert.equal(loc.searchParams.get('code'), null, `${label}: no code with an error`);
}

/** Asserts a refusal that is not a redirect: `status`, no Location; returns the response. */
function expectNoRedirect(res, status, label) {
  assert.equal(res.status, status, `${label}: status ${res.status}, Location ${res.location}: ${snippet(res.text)}`);
  assert.equal(res.location, null, `${label}: must not redirect`);
  return res;
}

// ---------------------------------------------------------------------------------------------
// tokens and raw OAuth requests

function jwtPayload(token) {
  assert.equal(typeof token, 'string', 'not a JWT');
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'not a JWS compact JWT');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

const scopesOf = (token) => sorted(String(jwtPayload(token).scope ?? '').split(' ').filter(Boolean));

/** POST application/x-www-form-urlencoded; answers { status, headers, text, json }. */
async function postForm(url, fields, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts an OAuth JSON error body { error } with one of `statuses`. */
function expectOAuthError(res, error, label, statuses = [400]) {
  assert.ok(statuses.includes(res.status), `${label}: status ${res.status} (expected ${statuses.join(' or ')}): ${res.text.slice(0, 300)}`);
  assert.equal(res.json?.error, error, `${label}: body ${res.text.slice(0, 300)}`);
}

/** Awaits an openid-client call that must fail with the OAuth error `error` in a response body. */
async function rejectsOAuth(promise, error, label) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof oidc.ResponseBodyError, `${label}: expected a ResponseBodyError, got ${err?.name}: ${err?.message}`);
    assert.equal(err.error, error, `${label}: error ${err.error} (${err.error_description ?? ''})`);
    return true;
  });
}

const basicAuth = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

function withQuery(url, params) {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u;
}

const codeIn = (messages) => {
  const match = messages.at(-1)?.body.match(/(\d{6})/);
  assert.ok(match, `no code in ${JSON.stringify(messages.map((m) => m.body))}`);
  return match[1];
};

// ---------------------------------------------------------------------------------------------

suite('OAuth 2.0 authorization server and managed login', (s) => {
  const send = (cmd) => s.client.send(cmd);

  /** A confirmed user with a verified email and a permanent password. */
  async function makeUser(poolId, prefix = 'user') {
    const username = uniq(prefix);
    const email = uniqEmail(prefix);
    const password = strongPassword();
    await send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
    }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
    return { username, email, password };
  }

  // One pool, domain, resource server and set of clients per server, made by the first test that
  // needs them (a failure to make them fails every test with its reason).
  let fixturePromise = null;
  const fixture = () => (fixturePromise ??= setup());

  async function setup() {
    const pool = await createPool(s, { AutoVerifiedAttributes: ['email'] });
    await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
    const domain = uniq('login');
    await send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: pool.Id }));
    await send(new CreateResourceServerCommand({
      UserPoolId: pool.Id, Identifier: API, Name: 'api',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'Read' },
        { ScopeName: 'write', ScopeDescription: 'Write' },
        { ScopeName: 'admin', ScopeDescription: 'Administer' },
      ],
    }));
    const web = await createClient(s, pool.Id, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin', READ],
      CallbackURLs: [CALLBACK, CALLBACK2],
      LogoutURLs: [LOGOUT],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const m2m = await createClient(s, pool.Id, {
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [READ, WRITE],
    });
    const implicit = await createClient(s, pool.Id, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['implicit'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [CALLBACK],
      SupportedIdentityProviders: ['COGNITO'],
    });
    const issuer = `${s.endpoint}/${pool.Id}`;
    const config = await oidc.discovery(new URL(issuer), web.ClientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const meta = config.serverMetadata();
    assert.equal(typeof meta.authorization_endpoint, 'string', 'discovery lists no authorization_endpoint');
    const user = await makeUser(pool.Id);
    return {
      pool, domain, web, m2m, implicit, issuer, config, meta, user,
      origin: new URL(s.endpoint).origin,
      // Where the domain's pages live: the authorization endpoint's base.
      pages: meta.authorization_endpoint.replace(/\/oauth2\/authorize$/, ''),
    };
  }

  /** openid-client configuration of the m2m client with the given client authentication. */
  const m2mConfig = (fx, auth) =>
    oidc.discovery(new URL(fx.issuer), fx.m2m.ClientId, fx.m2m.ClientSecret, auth(fx.m2m.ClientSecret), { execute: [oidc.allowInsecureRequests] });

  /** Parameters of a code + PKCE authorize request by the web client; `overrides` may drop (undefined) or add some. */
  async function codeRequest(fx, overrides = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = {
      response_type: 'code',
      client_id: fx.web.ClientId,
      redirect_uri: CALLBACK,
      scope: SCOPE,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...overrides,
    };
    for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
    return { params, verifier, state: params.state, nonce: params.nonce };
  }

  const authorizeUrl = (fx, params) => withQuery(fx.meta.authorization_endpoint, params);

  /** GET authorize (expects the 302 to /login) and the login page; answers { page, form }. */
  async function openLogin(fx, browser, params) {
    const res = await browser.get(authorizeUrl(fx, params));
    assert.equal(res.status, 302, `authorize: status ${res.status}: ${snippet(res.text)}`);
    assert.equal(base(res.location), `${fx.pages}/login`, `authorize: Location ${res.location}`);
    const page = expectPage(await browser.get(res.location), 'GET /login');
    return { page, form: readForm(page.text, page.url) };
  }

  /** Authorize, then the login form with `user`'s credentials; answers the POST's response. */
  async function submitLogin(fx, browser, params, user) {
    const { form } = await openLogin(fx, browser, params);
    return browser.submit(form, { username: user.username, password: user.password });
  }

  /** A full sign-in on the pages for an authorization code: { params, verifier, state, nonce, browser, callback, code }. */
  async function loginForCode(fx, { user = fx.user, browser = new Browser(), ...overrides } = {}) {
    const req = await codeRequest(fx, overrides);
    const res = await submitLogin(fx, browser, req.params, user);
    const callback = expectCallback(res, req.params.redirect_uri, req.state, 'POST /login');
    const code = callback.searchParams.get('code');
    assert.ok(code, `no code in ${callback}`);
    return { ...req, browser, callback, code, response: res };
  }

  /** openid-client's authorization code grant for a loginForCode result. */
  const grant = (fx, login, config = fx.config) =>
    oidc.authorizationCodeGrant(config, login.callback, {
      pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true,
    });

  /** Tokens of a full code flow for `user`. */
  async function tokensFor(fx, opts = {}) {
    const login = await loginForCode(fx, opts);
    return { login, tokens: await grant(fx, login) };
  }

  // -------------------------------------------------------------------------------------------
  // discovery and the login page

  test('discovery: the issuer and the domain endpoints under /domains/<domain>', async () => {
    const fx = await fixture();
    const { meta } = fx;
    const domainBase = `${s.endpoint}/domains/${fx.domain}`;
    assert.equal(meta.issuer, fx.issuer);
    assert.equal(meta.jwks_uri, `${fx.issuer}/.well-known/jwks.json`);
    assert.equal(meta.authorization_endpoint, `${domainBase}/oauth2/authorize`);
    assert.equal(meta.token_endpoint, `${domainBase}/oauth2/token`);
    assert.equal(meta.userinfo_endpoint, `${domainBase}/oauth2/userInfo`);
    assert.equal(meta.revocation_endpoint, `${domainBase}/oauth2/revoke`);
    assert.equal(meta.end_session_endpoint, `${domainBase}/logout`);
    assert.ok(meta.response_types_supported?.includes('code'));
    for (const m of ['client_secret_basic', 'client_secret_post']) assert.ok(meta.token_endpoint_auth_methods_supported?.includes(m), m);
  });

  test('authorize sends the browser to /login with the same query; the page has the form and a _csrf equal to the XSRF-TOKEN cookie', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const req = await codeRequest(fx);
    const url = oidc.buildAuthorizationUrl(fx.config, req.params);
    const res = await browser.get(url);
    assert.equal(res.status, 302, `authorize: ${res.status} ${snippet(res.text)}`);
    assert.equal(res.location.origin, fx.origin);
    assert.equal(res.location.pathname, `${new URL(fx.pages).pathname}/login`);
    const entries = (params) => [...params].sort(([a, x], [b, y]) => (a === b ? x.localeCompare(y) : a.localeCompare(b)));
    assert.deepEqual(entries(res.location.searchParams), entries(url.searchParams), 'the login page gets the authorize query');

    const page = expectPage(await browser.get(res.location), 'GET /login');
    const form = readForm(page.text, page.url);
    for (const name of ['username', 'password']) assert.ok(form.names.has(name), `no input ${name}: ${[...form.names]}`);
    assert.equal(typeof form.hidden._csrf, 'string', `no hidden _csrf: ${JSON.stringify(form.hidden)}`);
    assert.ok(form.hidden._csrf.length >= 16, `a short _csrf: ${form.hidden._csrf}`);
    assert.equal(browser.jar.get('XSRF-TOKEN'), form.hidden._csrf, 'double submit: the XSRF-TOKEN cookie is the _csrf field');
    assert.equal(form.action.origin, fx.origin);
    assert.deepEqual(alertTexts(page.text).filter(Boolean), [], 'a fresh login page shows no error');
  });

  test('POST /login signs in: 302 to the callback with a code and the byte-exact state, and an HttpOnly SameSite=Lax cognito cookie', async () => {
    const fx = await fixture();
    const state = `x+y/z= a&b%20c{"k":"v"}~${randomBytes(4).toString('hex')}`;
    const login = await loginForCode(fx, { state });
    assert.equal(login.callback.searchParams.get('state'), state);
    assert.equal(login.callback.searchParams.get('error'), null);
    const cookie = login.response.setCookies.find((c) => c.name === 'cognito');
    assert.ok(cookie && !cookie.expired && cookie.value, `no cognito session cookie: ${JSON.stringify(login.response.setCookies)}`);
    assert.equal(cookie.attrs.httponly, true, 'the session cookie is HttpOnly');
    assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'lax', 'the session cookie is SameSite=Lax');
  });

  test('a wrong password shows "Incorrect username or password." in a role=alert element, with no redirect', async () => {
    const fx = await fixture();
    const user = await makeUser(fx.pool.Id, 'wrongpw');
    const browser = new Browser();
    const req = await codeRequest(fx);
    const res = await submitLogin(fx, browser, req.params, { username: user.username, password: `${user.password}-not` });
    expectPage(res, 'POST /login with a wrong password');
    const alerts = alertTexts(res.text);
    assert.ok(alerts.some((t) => t.includes(WRONG_PASSWORD_MESSAGE)), `alerts: ${JSON.stringify(alerts)}`);
    assert.equal(browser.jar.has('cognito'), false, 'no session after a failed sign-in');
    const again = readForm(res.text, res.url);
    assert.ok(again.names.has('username') && again.names.has('password'), 'the form is offered again');
  });

  // -------------------------------------------------------------------------------------------
  // the token endpoint

  test('authorizationCodeGrant (openid-client): access, ID and refresh tokens with the expected claims, scopes and signatures', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const req = await codeRequest(fx);
    // The authorize URL as openid-client builds it from the discovered metadata.
    const authorize = await browser.get(oidc.buildAuthorizationUrl(fx.config, req.params));
    assert.equal(authorize.status, 302, `authorize: ${authorize.status} ${snippet(authorize.text)}`);
    const page = expectPage(await browser.get(authorize.location), 'GET /login');
    const res = await browser.submit(readForm(page.text, page.url), { username: fx.user.username, password: fx.user.password });
    const callback = expectCallback(res, CALLBACK, req.state);
    const tokens = await grant(fx, { ...req, callback });

    for (const t of ['access_token', 'id_token', 'refresh_token']) assert.equal(typeof tokens[t], 'string', `${t} missing`);
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.expires_in > 0, `expires_in ${tokens.expires_in}`);

    const id = tokens.claims();
    assert.equal(id.iss, fx.issuer);
    assert.equal(id.aud, fx.web.ClientId);
    assert.equal(id.nonce, req.nonce);
    assert.equal(id.token_use, 'id');
    assert.equal(id['cognito:username'], fx.user.username);
    assert.equal(id.email, fx.user.email);
    assert.match(id.sub, UUID_RE);

    const access = jwtPayload(tokens.access_token);
    assert.equal(access.iss, fx.issuer);
    assert.equal(access.token_use, 'access');
    assert.equal(access.client_id, fx.web.ClientId);
    assert.equal(access.username, fx.user.username);
    assert.equal(access.sub, id.sub);
    assert.deepEqual(scopesOf(tokens.access_token), sorted(SCOPE.split(' ')), `scope claim ${JSON.stringify(access.scope)}`);

    // Both verify against the pool's JWKS.
    const jwks = await (await fetch(fx.meta.jwks_uri)).json();
    const idVerifier = JwtRsaVerifier.create({ issuer: fx.issuer, jwksUri: fx.meta.jwks_uri, audience: fx.web.ClientId });
    idVerifier.cacheJwks(jwks);
    await idVerifier.verify(tokens.id_token);
    const accessVerifier = JwtRsaVerifier.create({ issuer: fx.issuer, jwksUri: fx.meta.jwks_uri, audience: null });
    accessVerifier.cacheJwks(jwks);
    await accessVerifier.verify(tokens.access_token);
  });

  test('the token endpoint refuses a used code, a wrong verifier, another redirect_uri, a missing verifier, grant_type password and a missing code', async () => {
    const fx = await fixture();
    const tokenUrl = fx.meta.token_endpoint;
    const exchange = (login, extra = {}) => {
      const body = {
        grant_type: 'authorization_code', client_id: fx.web.ClientId, code: login.code, redirect_uri: CALLBACK, code_verifier: login.verifier, ...extra,
      };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      return postForm(tokenUrl, body);
    };

    const used = await loginForCode(fx);
    await grant(fx, used);
    expectOAuthError(await exchange(used), 'invalid_grant', 'the same code a second time');

    const wrongVerifier = await loginForCode(fx);
    expectOAuthError(await exchange(wrongVerifier, { code_verifier: oidc.randomPKCECodeVerifier() }), 'invalid_grant', 'a wrong code_verifier');

    const otherRedirect = await loginForCode(fx);
    expectOAuthError(await exchange(otherRedirect, { redirect_uri: CALLBACK2 }), 'invalid_grant', 'another (registered) redirect_uri');

    const noVerifier = await loginForCode(fx);
    expectOAuthError(await exchange(noVerifier, { code_verifier: undefined }), 'invalid_grant', 'no code_verifier after a challenge');

    expectOAuthError(await postForm(tokenUrl, {
      grant_type: 'password', client_id: fx.web.ClientId, username: fx.user.username, password: fx.user.password,
    }), 'unsupported_grant_type', 'grant_type password');
    expectOAuthError(await exchange({ verifier: oidc.randomPKCECodeVerifier() }, { code: undefined }), 'invalid_request', 'no code');
  });

  test('refreshTokenGrant gives new access and ID tokens with the same scopes', async () => {
    const fx = await fixture();
    const { tokens } = await tokensFor(fx);
    const refreshed = await oidc.refreshTokenGrant(fx.config, tokens.refresh_token);
    assert.equal(typeof refreshed.access_token, 'string');
    assert.equal(typeof refreshed.id_token, 'string');
    assert.notEqual(refreshed.access_token, tokens.access_token);
    const id = refreshed.claims();
    assert.equal(id.sub, tokens.claims().sub);
    assert.equal(id.aud, fx.web.ClientId);
    assert.equal(id['cognito:username'], fx.user.username);
    const access = jwtPayload(refreshed.access_token);
    assert.equal(access.iss, fx.issuer);
    assert.equal(access.username, fx.user.username);
    assert.deepEqual(scopesOf(refreshed.access_token), scopesOf(tokens.access_token), 'a refresh grants what the sign-in granted');
  });

  test('userInfo: sub, username, email and email_verified as a string; a token from the JSON API is invalid_token', async () => {
    const fx = await fixture();
    const { tokens } = await tokensFor(fx);
    const sub = tokens.claims().sub;
    const info = await oidc.fetchUserInfo(fx.config, tokens.access_token, sub);
    assert.equal(info.sub, sub);
    assert.equal(info.username, fx.user.username);
    assert.equal(info.email, fx.user.email);
    assert.equal(info.email_verified, 'true', `email_verified ${JSON.stringify(info.email_verified)} is the string "true"`);

    const signedIn = await send(new InitiateAuthCommand({
      ClientId: fx.web.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: fx.user.username, PASSWORD: fx.user.password },
    }));
    const apiToken = signedIn.AuthenticationResult.AccessToken;
    assert.equal(jwtPayload(apiToken).scope, 'aws.cognito.signin.user.admin');
    const res = await fetch(fx.meta.userinfo_endpoint, { headers: { authorization: `Bearer ${apiToken}` } });
    await res.text();
    assert.equal(res.status, 401, 'a token without openid is refused');
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  test('tokenRevocation of a refresh token ends its refreshes; access tokens are unsupported_token_type', async () => {
    const fx = await fixture();
    const { tokens } = await tokensFor(fx);
    await oidc.tokenRevocation(fx.config, tokens.refresh_token);
    await rejectsOAuth(oidc.refreshTokenGrant(fx.config, tokens.refresh_token), 'invalid_grant', 'refresh after revocation');
    // The access tokens issued from it go with it.
    const res = await fetch(fx.meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    await res.text();
    assert.equal(res.status, 401, 'userInfo with an access token of a revoked refresh token');

    const { tokens: other } = await tokensFor(fx);
    await assert.rejects(oidc.tokenRevocation(fx.config, other.access_token, { token_type_hint: 'access_token' }), (err) => {
      assert.ok(err instanceof oidc.ResponseBodyError, `${err?.name}: ${err?.message}`);
      assert.equal(err.status, 400);
      assert.equal(err.error, 'unsupported_token_type');
      return true;
    });
    expectOAuthError(await postForm(fx.meta.revocation_endpoint, { token: other.access_token, client_id: fx.web.ClientId }),
      'unsupported_token_type', 'an access token without a hint');
    // Those refusals revoked nothing.
    const refreshed = await oidc.refreshTokenGrant(fx.config, other.refresh_token);
    assert.equal(typeof refreshed.access_token, 'string');
  });

  test('client_credentials with client_secret_basic and client_secret_post: an access token for the client and the scope asked', async () => {
    const fx = await fixture();
    for (const [label, auth] of [['client_secret_basic', oidc.ClientSecretBasic], ['client_secret_post', oidc.ClientSecretPost]]) {
      const config = await m2mConfig(fx, auth);
      const tokens = await oidc.clientCredentialsGrant(config, { scope: READ });
      const access = jwtPayload(tokens.access_token);
      assert.equal(access.sub, fx.m2m.ClientId, `${label}: sub`);
      assert.equal(access.client_id, fx.m2m.ClientId, `${label}: client_id`);
      assert.equal(access.token_use, 'access', label);
      assert.equal(access.scope, READ, `${label}: scope`);
      assert.equal(access.iss, fx.issuer, label);
      assert.equal(access.username, undefined, `${label}: no username`);
      assert.equal(tokens.id_token, undefined, `${label}: no ID token`);
      assert.equal(tokens.refresh_token, undefined, `${label}: no refresh token`);
      assert.equal(tokens.token_type, 'bearer', label);
    }
  });

  test('client_credentials: no scope means all the client\'s scopes; a scope it lacks, a wrong secret and the code client are refused', async () => {
    const fx = await fixture();
    const config = await m2mConfig(fx, oidc.ClientSecretBasic);
    const all = await oidc.clientCredentialsGrant(config);
    assert.deepEqual(scopesOf(all.access_token), sorted([READ, WRITE]));
    await rejectsOAuth(oidc.clientCredentialsGrant(config, { scope: ADMIN }), 'invalid_scope', 'a scope of the server the client lacks');
    await rejectsOAuth(oidc.clientCredentialsGrant(config, { scope: `${READ} ${ADMIN}` }), 'invalid_scope', 'one allowed and one not');

    const wrong = 'x'.repeat(fx.m2m.ClientSecret.length);
    expectOAuthError(await postForm(fx.meta.token_endpoint, { grant_type: 'client_credentials', scope: READ }, { authorization: basicAuth(fx.m2m.ClientId, wrong) }),
      'invalid_client', 'a wrong secret (basic)', [400, 401]);
    expectOAuthError(await postForm(fx.meta.token_endpoint, { grant_type: 'client_credentials', scope: READ, client_id: fx.m2m.ClientId, client_secret: wrong }),
      'invalid_client', 'a wrong secret (post)', [400, 401]);
    expectOAuthError(await postForm(fx.meta.token_endpoint, { grant_type: 'client_credentials', scope: READ, client_id: fx.m2m.ClientId }),
      'invalid_client', 'no secret', [400, 401]);

    await rejectsOAuth(oidc.clientCredentialsGrant(fx.config, { scope: READ }), 'unauthorized_client', 'the code client');
  });

  // -------------------------------------------------------------------------------------------
  // authorize: refusals and scopes

  test('authorize never redirects to an unknown client\'s or an unregistered redirect URI: 400 page', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const unknownClient = randomBytes(13).toString('hex');
    const a = await codeRequest(fx, { client_id: unknownClient });
    const res = expectNoRedirect(await browser.get(authorizeUrl(fx, a.params)), 400, 'an unknown client_id');
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/i);
    const why = /(unknown|invalid|no such)[^<]{0,20}client|client[^<]{0,60}(not found|does not exist|unknown|invalid)/i;
    assert.ok(res.text.includes('redirect_mismatch') || res.text.includes(unknownClient) || why.test(res.text), `the page says why: ${snippet(res.text)}`);

    const b = await codeRequest(fx, { redirect_uri: `${CALLBACK}/` });
    const mismatch = expectNoRedirect(await browser.get(authorizeUrl(fx, b.params)), 400, 'a redirect_uri with a trailing slash');
    assert.match(mismatch.headers.get('content-type') ?? '', /^text\/html/i);
    assert.ok(mismatch.text.includes('redirect_mismatch'), `the page names redirect_mismatch: ${snippet(mismatch.text)}`);

    const c = await codeRequest(fx, { redirect_uri: 'https://evil.example.com/cb' });
    expectNoRedirect(await browser.get(authorizeUrl(fx, c.params)), 400, 'a foreign redirect_uri');
  });

  test('authorize redirects its other refusals to the callback with the state', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const cases = [
      ['a bogus response_type', { response_type: 'bogus' }, 'unsupported_response_type'],
      ['code_challenge_method plain', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['a code_challenge without a method', { code_challenge_method: undefined }, 'invalid_request'],
      ['an unknown custom scope', { scope: 'openid https://nope.example/x' }, 'invalid_scope'],
      ['prompt=none without a session', { prompt: 'none' }, 'login_required'],
    ];
    for (const [label, overrides, error] of cases) {
      const req = await codeRequest(fx, overrides);
      expectRedirectedError(await browser.get(authorizeUrl(fx, req.params)), error, req.state, label);
    }
    // A flow the client does not have.
    const state = oidc.randomState();
    const implicitAsksCode = { response_type: 'code', client_id: fx.implicit.ClientId, redirect_uri: CALLBACK, scope: 'openid', state };
    expectRedirectedError(await browser.get(authorizeUrl(fx, implicitAsksCode)), 'unauthorized_client', state, 'the implicit client asking for a code');
  });

  test('a standard scope the client lacks is dropped or refused, never granted', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const req = await codeRequest(fx, { scope: 'openid phone' });
    const res = await browser.get(authorizeUrl(fx, req.params));
    assert.equal(res.status, 302, `authorize: ${res.status} ${snippet(res.text)}`);
    if (base(res.location) === CALLBACK) {
      expectRedirectedError(res, 'invalid_scope', req.state, 'phone');
      return;
    }
    assert.equal(base(res.location), `${fx.pages}/login`);
    const page = expectPage(await browser.get(res.location), 'GET /login');
    const posted = await browser.submit(readForm(page.text, page.url), { username: fx.user.username, password: fx.user.password });
    const callback = expectCallback(posted, CALLBACK, req.state);
    const tokens = await grant(fx, { ...req, callback });
    const scopes = scopesOf(tokens.access_token);
    assert.ok(scopes.includes('openid'), `scopes ${scopes}`);
    assert.ok(!scopes.includes('phone'), `phone was granted: ${scopes}`);
  });

  // -------------------------------------------------------------------------------------------
  // sign-in steps on the pages

  test('TOTP MFA on the pages: a code form after the password; a wrong code is an alert, the right one gives the code', async () => {
    const fx = await fixture();
    const user = await makeUser(fx.pool.Id, 'totp');
    const signedIn = await send(new InitiateAuthCommand({
      ClientId: fx.web.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
    }));
    const AccessToken = signedIn.AuthenticationResult.AccessToken;
    const secret = (await send(new AssociateSoftwareTokenCommand({ AccessToken }))).SecretCode;
    const verified = await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(secret), FriendlyDeviceName: 'phone' }));
    assert.equal(verified.Status, 'SUCCESS');
    await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

    // A wrong code: the page again, with an alert, no redirect, no session.
    const first = new Browser();
    const req1 = await codeRequest(fx);
    const mfaPage = expectPage(await submitLogin(fx, first, req1.params, user), 'after the password, with MFA');
    const mfaForm = readForm(mfaPage.text, mfaPage.url);
    assert.ok(mfaForm.names.has('code'), `no input code: ${[...mfaForm.names]}`);
    const wrong = expectPage(await first.submit(mfaForm, { code: wrongCode(secret) }), 'a wrong TOTP code');
    assert.ok(alertTexts(wrong.text).some((t) => t.length > 0), `no alert: ${snippet(wrong.text)}`);
    assert.equal(first.jar.has('cognito'), false);

    // The right code (the app's next one: the current one was spent verifying it).
    const second = new Browser();
    const req2 = await codeRequest(fx);
    const page2 = expectPage(await submitLogin(fx, second, req2.params, user), 'after the password, with MFA');
    const res = await second.submit(readForm(page2.text, page2.url), { code: totp(secret, 1) });
    const callback = expectCallback(res, CALLBACK, req2.state, 'the right TOTP code');
    const tokens = await grant(fx, { ...req2, callback });
    assert.equal(tokens.claims()['cognito:username'], user.username);
  });

  test('a temporary password leads to a new_password form; a valid new password gives the code and signs in afterwards', async () => {
    const fx = await fixture();
    const username = uniq('temp');
    const temporary = strongPassword();
    await send(new AdminCreateUserCommand({
      UserPoolId: fx.pool.Id, Username: username, TemporaryPassword: temporary, MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: uniqEmail('temp') }, { Name: 'email_verified', Value: 'true' }],
    }));
    const browser = new Browser();
    const req = await codeRequest(fx);
    const page = expectPage(await submitLogin(fx, browser, req.params, { username, password: temporary }), 'after a temporary password');
    const form = readForm(page.text, page.url);
    assert.ok(form.names.has('new_password'), `no input new_password: ${[...form.names]}`);
    const password = strongPassword();
    const res = await browser.submit(form, fillPasswords(form, { new_password: password }, password));
    expectCallback(res, CALLBACK, req.state, 'after the new password');
    const { UserStatus } = await send(new AdminGetUserCommand({ UserPoolId: fx.pool.Id, Username: username }));
    assert.equal(UserStatus, 'CONFIRMED');
    await loginForCode(fx, { user: { username, password } });
  });

  // -------------------------------------------------------------------------------------------
  // the session cookie, CSRF, framing

  test('the session cookie skips the page on the next authorize; prompt=none uses it; prompt=login shows the page', async () => {
    const fx = await fixture();
    const first = await loginForCode(fx);
    const { browser } = first;
    assert.ok(browser.jar.has('cognito'));

    const req = await codeRequest(fx);
    const res = await browser.get(authorizeUrl(fx, req.params));
    const callback = expectCallback(res, CALLBACK, req.state, 'authorize with a session');
    const tokens = await grant(fx, { ...req, callback });
    assert.equal(tokens.claims()['cognito:username'], fx.user.username);

    const silent = await codeRequest(fx, { prompt: 'none' });
    const silentCallback = expectCallback(await browser.get(authorizeUrl(fx, silent.params)), CALLBACK, silent.state, 'prompt=none with a session');
    assert.ok(silentCallback.searchParams.get('code'), `no code: ${silentCallback}`);

    const again = await codeRequest(fx, { prompt: 'login' });
    const page = expectPage(await browser.follow(await browser.get(authorizeUrl(fx, again.params)), fx.origin), 'prompt=login');
    const form = readForm(page.text, page.url);
    assert.ok(form.names.has('username') && form.names.has('password'), 'prompt=login shows the login form');
  });

  test('CSRF: a login POST without _csrf, with another value or without the cookie is 403 and does not redirect', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const req = await codeRequest(fx);
    const { form } = await openLogin(fx, browser, req.params);
    const creds = { username: fx.user.username, password: fx.user.password };
    expectNoRedirect(await browser.submit(form, { ...creds, _csrf: undefined }), 403, 'no _csrf');
    expectNoRedirect(await browser.submit(form, { ...creds, _csrf: randomBytes(24).toString('base64url') }), 403, 'another _csrf');
    const cookieless = new Browser();
    expectNoRedirect(await cookieless.submit(form, creds), 403, 'no XSRF-TOKEN cookie');
    assert.equal(browser.jar.has('cognito'), false, 'no session from a refused POST');
    // The refusals were about the token: a fresh page signs in.
    const { form: fresh } = await openLogin(fx, browser, req.params);
    expectCallback(await browser.submit(fresh, creds), CALLBACK, req.state, 'with the token');
  });

  test('pages refuse framing: login, wrong password, sign-up, forgot password and error pages', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const req = await codeRequest(fx);
    const { page } = await openLogin(fx, browser, req.params);
    assertNoFraming(page, 'GET /login');
    const wrong = await browser.submit(readForm(page.text, page.url), { username: uniq('ghost'), password: strongPassword() });
    assertNoFraming(wrong, 'POST /login, wrong password');
    for (const path of ['/signup', '/forgotPassword']) {
      assertNoFraming(expectPage(await browser.get(withQuery(`${fx.pages}${path}`, req.params)), path), path);
    }
    const mismatch = await codeRequest(fx, { redirect_uri: `${CALLBACK}/` });
    assertNoFraming(await browser.get(authorizeUrl(fx, mismatch.params)), 'the redirect_mismatch page');
  });

  // -------------------------------------------------------------------------------------------
  // logout

  test('logout: 302 to a registered logout_uri, the cookie cleared and the session ended; an unregistered URI is refused', async () => {
    const fx = await fixture();
    const unregistered = await new Browser().get(withQuery(fx.meta.end_session_endpoint, { client_id: fx.web.ClientId, logout_uri: 'http://localhost:3000/elsewhere' }));
    expectNoRedirect(unregistered, 400, 'an unregistered logout_uri');

    const { browser } = await loginForCode(fx);
    const old = browser.jar.get('cognito');
    assert.ok(old);
    const res = await browser.get(withQuery(fx.meta.end_session_endpoint, { client_id: fx.web.ClientId, logout_uri: LOGOUT }));
    assert.equal(res.status, 302, `logout: ${res.status} ${snippet(res.text)}`);
    assert.equal(res.location?.href, new URL(LOGOUT).href);
    const cleared = res.setCookies.find((c) => c.name === 'cognito');
    assert.ok(cleared?.expired, `the cognito cookie is cleared (Max-Age=0 or a past expiry): ${JSON.stringify(res.setCookies)}`);
    assert.equal(browser.jar.has('cognito'), false);

    // The old cookie, replayed, no longer signs anyone in.
    const replay = new Browser();
    replay.jar.set('cognito', old);
    const req = await codeRequest(fx);
    const after = await replay.get(authorizeUrl(fx, req.params));
    assert.equal(after.status, 302);
    assert.notEqual(base(after.location), CALLBACK, 'the ended session still gave a code');
    const page = expectPage(await replay.follow(after, fx.origin), 'authorize after logout');
    assert.ok(readForm(page.text, page.url).names.has('password'));
  });

  test('RP-initiated logout (openid-client buildEndSessionUrl): post_logout_redirect_uri with id_token_hint', async () => {
    const fx = await fixture();
    const { login, tokens } = await tokensFor(fx);
    const { browser } = login;
    const bad = oidc.buildEndSessionUrl(fx.config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example.com/bye' });
    expectNoRedirect(await new Browser().get(bad), 400, 'an unregistered post_logout_redirect_uri');

    const url = oidc.buildEndSessionUrl(fx.config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: LOGOUT });
    assert.equal(base(url), fx.meta.end_session_endpoint);
    const res = await browser.get(url);
    assert.equal(res.status, 302, `end session: ${res.status} ${snippet(res.text)}`);
    assert.equal(base(res.location), LOGOUT);
    assert.ok(res.setCookies.find((c) => c.name === 'cognito')?.expired, 'the cognito cookie is cleared');
  });

  // -------------------------------------------------------------------------------------------
  // implicit grant, CORS

  test('implicit grant: the tokens in the fragment, no refresh token', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const params = { response_type: 'token', client_id: fx.implicit.ClientId, redirect_uri: CALLBACK, scope: 'openid email', state, nonce };
    const res = await submitLogin(fx, browser, params, fx.user);
    const loc = expectCallback(res, CALLBACK, undefined, 'implicit');
    assert.equal(loc.search, '', `nothing in the query: ${loc}`);
    const fragment = new URLSearchParams(loc.hash.slice(1));
    assert.equal(fragment.get('state'), state);
    assert.equal(fragment.get('token_type'), 'Bearer');
    assert.match(fragment.get('expires_in') ?? '', /^[1-9]\d*$/);
    assert.equal(fragment.get('refresh_token'), null, 'never a refresh token in the fragment');
    assert.equal(fragment.get('code'), null);
    const access = jwtPayload(fragment.get('access_token'));
    assert.equal(access.client_id, fx.implicit.ClientId);
    assert.equal(access.token_use, 'access');
    assert.equal(access.username, fx.user.username);
    const id = jwtPayload(fragment.get('id_token'));
    assert.equal(id.aud, fx.implicit.ClientId);
    assert.equal(id.token_use, 'id');
    assert.equal(id.nonce, nonce);
    assert.equal(id.iss, fx.issuer);
  });

  test('CORS: preflights to the token, revocation and userInfo endpoints are allowed for an app origin', async () => {
    const fx = await fixture();
    const origin = 'http://localhost:3000';
    const allowed = (res) => {
      const acao = res.headers.get('access-control-allow-origin');
      return acao === '*' || acao === origin;
    };
    for (const [url, requestHeaders] of [
      [fx.meta.token_endpoint, 'content-type'],
      [fx.meta.revocation_endpoint, 'content-type'],
      [fx.meta.userinfo_endpoint, 'authorization'],
    ]) {
      const res = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': url === fx.meta.userinfo_endpoint ? 'GET' : 'POST', 'access-control-request-headers': requestHeaders },
      });
      await res.text();
      assert.ok(res.status === 200 || res.status === 204, `preflight ${url}: ${res.status}`);
      assert.ok(allowed(res), `preflight ${url}: access-control-allow-origin ${res.headers.get('access-control-allow-origin')}`);
    }
    // The answer itself carries it too, errors included (else the app cannot read the error).
    const answer = await postForm(fx.meta.token_endpoint, { grant_type: 'authorization_code', client_id: fx.web.ClientId }, { origin });
    expectOAuthError(answer, 'invalid_request', 'a token request without a code');
    assert.ok(allowed(answer), `token answer: access-control-allow-origin ${answer.headers.get('access-control-allow-origin')}`);
  });

  // -------------------------------------------------------------------------------------------
  // sign-up and forgotten passwords on the pages

  test('sign-up page: username, password and email; the confirmation code from the outbox; then the login works', async () => {
    const fx = await fixture();
    const browser = new Browser();
    const req = await codeRequest(fx);
    const page = expectPage(await browser.get(withQuery(`${fx.pages}/signup`, req.params)), 'GET /signup');
    const form = readForm(page.text, page.url);
    for (const name of ['username', 'password', 'email']) assert.ok(form.names.has(name), `no input ${name}: ${[...form.names]}`);
    const username = uniq('signup');
    const email = uniqEmail('signup');
    const password = strongPassword();
    const signedUp = expectPage(await browser.follow(await browser.submit(form, fillPasswords(form, { username, password, email }, password)), fx.origin),
      'after sign-up');
    const confirm = readForm(signedUp.text, signedUp.url);
    assert.ok(confirm.names.has('code'), `no input code: ${[...confirm.names]}`);
    const code = codeIn(await s.waitForOutbox({ pool: fx.pool.Id, to: email }));

    const confirmed = await browser.follow(await browser.submit(confirm, { code }), fx.origin);
    if (confirmed.status === 302) {
      const callback = expectCallback(confirmed, CALLBACK, req.state, 'after confirming');
      assert.ok(callback.searchParams.get('code'), `no code: ${callback}`);
    } else {
      expectPage(confirmed, 'after confirming');
      assert.ok(readForm(confirmed.text, confirmed.url).names.has('password'), 'the login page follows the confirmation');
    }
    const user = await send(new AdminGetUserCommand({ UserPoolId: fx.pool.Id, Username: username }));
    assert.equal(user.UserStatus, 'CONFIRMED');
    const attrs = attrMap(user.UserAttributes);
    assert.equal(attrs.email, email);
    assert.equal(attrs.email_verified, 'true');

    const login = await loginForCode(fx, { user: { username, password } });
    const tokens = await grant(fx, login);
    assert.equal(tokens.claims()['cognito:username'], username);
  });

  test('forgot password page: a code by email, a new password, then the login page; the new password signs in', async () => {
    const fx = await fixture();
    const user = await makeUser(fx.pool.Id, 'forgot');
    const browser = new Browser();
    const req = await codeRequest(fx);
    const page = expectPage(await browser.get(withQuery(`${fx.pages}/forgotPassword`, req.params)), 'GET /forgotPassword');
    const form = readForm(page.text, page.url);
    assert.ok(form.names.has('username'), `no input username: ${[...form.names]}`);
    const asked = expectPage(await browser.follow(await browser.submit(form, { username: user.username }), fx.origin), 'after asking for a code');
    const reset = readForm(asked.text, asked.url);
    for (const name of ['code', 'password']) assert.ok(reset.names.has(name), `no input ${name}: ${[...reset.names]}`);
    const code = codeIn(await s.waitForOutbox({ pool: fx.pool.Id, to: user.email }));
    const password = strongPassword();
    const done = expectPage(await browser.follow(await browser.submit(reset, fillPasswords(reset, { code, password }, password)), fx.origin),
      'after the reset');
    const loginForm = readForm(done.text, done.url);
    assert.ok(loginForm.names.has('username') && loginForm.names.has('password'), `the login page follows: ${[...loginForm.names]}`);

    await loginForCode(fx, { user: { username: user.username, password } });
    const old = expectPage(await submitLogin(fx, new Browser(), (await codeRequest(fx)).params, user), 'the old password');
    assert.ok(alertTexts(old.text).some((t) => t.includes(WRONG_PASSWORD_MESSAGE)), `alerts: ${JSON.stringify(alertTexts(old.text))}`);
  });
});
