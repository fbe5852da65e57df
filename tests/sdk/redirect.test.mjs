// cognate-auth/redirect, the built package, in headless Chromium against a real Cognate server:
// signInWithRedirect to the domain's managed login page, the form filled in as a user would, back to
// the app, handleRedirectCallback (state, code exchange, nonce), the session as the core sees it
// (getSession, refresh), refused states, errors sent back to the app, signOutWithRedirect through
// /logout, a client with a secret, and the authorize URL for a bare host. Every backend.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolDomainCommand, InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { REPO_ROOT, backends, createClient, createPool, startServer, uniq } from '../server/harness.mjs';
import { launch, servePackage } from './page.mjs';

const PASSWORD = 'Redirect-Pass-123';
const APP_PAGE = '<!doctype html><meta charset="utf-8"><title>app</title><script type="module">'
  + 'import * as sdk from "/dist/index.js"; import * as redirect from "/dist/redirect.js";'
  + 'window.sdk = sdk; window.redirect = redirect; window.loaded = sdk.ready().then(() => true);</script>';
const SIGNED_OUT_PAGE = '<!doctype html><meta charset="utf-8"><title>signed out</title><p>bye</p>';

const jwt = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

test('the basic-flow bundle (tests/bench/sdk/ours-entry.mjs) carries none of the redirect code', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-bundle-'));
  try {
    const out = path.join(dir, 'ours.js');
    execFileSync(path.join(REPO_ROOT, 'tests', 'node_modules', '.bin', 'esbuild'), [
      path.join(REPO_ROOT, 'tests', 'bench', 'sdk', 'ours-entry.mjs'), '--bundle', '--minify', '--format=esm',
      '--platform=browser', '--target=es2022', '--loader:.wasm=file', '--asset-names=[name]', `--outfile=${out}`, '--log-level=warning',
    ]);
    const text = readFileSync(out, 'utf8');
    for (const needle of ['oauth2', 'code_verifier', 'signInWithRedirect', 'redirect.js']) {
      assert.ok(!text.includes(needle), `the basic bundle contains ${needle}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const backend of backends()) {
  describe(`cognate-auth/redirect in Chromium [${backend}]`, { timeout: 300_000 }, () => {
    let server, site, browser, pool, domain, client, secretClient, user;
    const send = (cmd) => server.client.send(cmd);

    before(async () => {
      server = await startServer(backend);
      site = await servePackage({ '/app': APP_PAGE, '/signed-out': SIGNED_OUT_PAGE });
      browser = await launch();
      pool = await createPool(server);
      domain = uniq('app');
      await send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: pool.Id }));
      const oauth = {
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: [`${site.url}/app`],
        LogoutURLs: [`${site.url}/signed-out`],
        SupportedIdentityProviders: ['COGNITO'],
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      };
      client = await createClient(server, pool.Id, oauth);
      secretClient = await createClient(server, pool.Id, { ...oauth, GenerateSecret: true });
      user = await makeUser('alice');
    });

    after(async () => {
      await browser?.close();
      await site?.close();
      await server?.stop();
    });

    async function makeUser(prefix) {
      const username = uniq(prefix);
      await send(new AdminCreateUserCommand({
        UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, { Name: 'email_verified', Value: 'true' }],
      }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
      return username;
    }

    const domainUrl = () => `${server.endpoint}/domains/${domain}`;
    const appUrl = () => `${site.url}/app`;
    const options = (extra = {}) => ({
      userPoolId: pool.Id, clientId: client.ClientId, endpoint: `${server.endpoint}/`, storage: 'localStorage', ...extra,
    });
    const input = (extra = {}) => ({ domain: domainUrl(), redirectUri: appUrl(), ...extra });

    /** Opens the app page with a CognateAuth as window.auth and its events in window.events. */
    async function openApp(page, authOptions = options(), url = appUrl()) {
      if (page.url() !== url) await page.goto(url);
      await page.waitForFunction(() => window.loaded !== undefined);
      await page.evaluate(async (o) => {
        await window.loaded;
        window.auth = new window.sdk.CognateAuth(o);
        window.events = [];
        window.auth.onAuthEvent((e) => window.events.push(e.event === 'signInWithRedirectFailure' ? `${e.event}:${e.error.name}` : e.event));
      }, authOptions);
    }

    /** A page of a fresh browser context (no cookies: no login session), with its errors collected. */
    async function newPage() {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(e));
      page.requests = [];
      page.on('request', (r) => page.requests.push(r));
      return page;
    }

    /** Starts signInWithRedirect from the app page (which then unloads); resolves with the authorize URL. */
    async function startRedirect(page, extra = {}) {
      const authorize = page.waitForRequest((r) => r.url().includes('/oauth2/authorize'));
      await page.evaluate((i) => {
        window.redirect.signInWithRedirect(window.auth, i).catch((e) => { window.failed = `${e.name}: ${e.message}`; });
      }, input(extra));
      return new URL((await authorize).url());
    }

    /** Fills the managed login page's form and submits it. */
    async function fillLogin(page, username = user) {
      await page.waitForURL((u) => u.pathname.endsWith('/login'));
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', PASSWORD);
      await page.click('form button[type=submit]:not([name])');
    }

    const landed = (page) => page.waitForURL((u) => u.href.startsWith(`${appUrl()}?`));

    /** The whole trip: authorize, the login page (unless a login session skips it), back to the app. */
    async function signInThroughPages(page, { username = user, login = true, extra = {} } = {}) {
      const authorize = await startRedirect(page, extra);
      if (login) await fillLogin(page, username);
      await landed(page);
      return { authorize, callback: new URL(page.url()) };
    }

    const handle = (page, url) => page.evaluate(async (u) => {
      try {
        return { ok: await window.redirect.handleRedirectCallback(window.auth, u ?? undefined) };
      } catch (e) {
        return { error: { name: e.name, message: e.message } };
      }
    }, url ?? null);

    const pending = (page) => page.evaluate((id) => JSON.parse(sessionStorage.getItem(`cognate-auth.redirect.${id}`)), client.ClientId);

    test('signInWithRedirect → the login page → handleRedirectCallback: PKCE, state and nonce, and a session the core stores, reads and refreshes', async () => {
      const page = await newPage();
      await openApp(page);
      const { authorize, callback } = await signInThroughPages(page, { extra: { customState: { returnTo: '/orders', n: 1 } } });

      // The authorize request.
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${domainUrl()}/oauth2/authorize`);
      const q = Object.fromEntries(authorize.searchParams);
      assert.equal(q.response_type, 'code');
      assert.equal(q.client_id, client.ClientId);
      assert.equal(q.redirect_uri, appUrl());
      assert.equal(q.scope, 'openid email profile');
      assert.equal(q.identity_provider, 'COGNITO');
      assert.equal(q.code_challenge_method, 'S256');
      assert.match(q.state, /^[\w-]{43}$/);
      assert.match(q.nonce, /^[\w-]{43}$/);
      assert.match(q.code_challenge, /^[\w-]{43}$/);

      // Back on the app: the pending sign-in is this tab's, with the verifier behind the challenge.
      assert.equal(callback.searchParams.get('state'), q.state);
      assert.ok(callback.searchParams.get('code'));
      await openApp(page, options(), page.url());
      const tx = await pending(page);
      assert.equal(tx.state, q.state);
      assert.equal(tx.nonce, q.nonce);
      assert.match(tx.verifier, /^[\w-]{86}$/, '64 random bytes, base64url');
      assert.equal(createHash('sha256').update(tx.verifier).digest('base64url'), q.code_challenge);

      const tokenRequests = () => page.requests.filter((r) => r.url().endsWith('/oauth2/token'));
      const { ok } = await handle(page);
      assert.ok(ok, 'handleRedirectCallback resolved');
      const { session, customState } = ok;
      assert.deepEqual(customState, { returnTo: '/orders', n: 1 });
      assert.equal(session.username, user);
      assert.equal(session.idTokenClaims['cognito:username'], user);
      assert.equal(session.idTokenClaims.email, `${user}@example.com`);
      assert.equal(session.idTokenClaims.nonce, q.nonce);
      assert.equal(session.idTokenClaims.aud, client.ClientId);
      assert.equal(session.accessTokenClaims.username, user);
      assert.equal(session.accessTokenClaims.client_id, client.ClientId);
      assert.match(String(session.accessTokenClaims.scope), /\bopenid\b/);
      assert.equal(typeof session.refreshToken, 'string');

      const [token] = tokenRequests();
      assert.equal(tokenRequests().length, 1);
      const form = Object.fromEntries(new URLSearchParams(token.postData()));
      assert.deepEqual(Object.keys(form).sort(), ['client_id', 'code', 'code_verifier', 'grant_type', 'redirect_uri']);
      assert.equal(form.grant_type, 'authorization_code');
      assert.equal(form.code, callback.searchParams.get('code'));
      assert.equal(form.code_verifier, tx.verifier);
      assert.equal(form.redirect_uri, appUrl());
      assert.equal(token.headers().authorization, undefined, 'no secret, no Basic');

      const after = await page.evaluate((id) => ({
        href: location.href,
        events: window.events,
        pending: sessionStorage.getItem(`cognate-auth.redirect.${id}`),
        keys: Object.keys(localStorage).sort(),
        stored: Object.fromEntries(Object.entries(localStorage)),
      }), client.ClientId);
      assert.equal(after.href, appUrl(), 'the code and state are removed from the address bar');
      assert.deepEqual(after.events, ['signedIn', 'signInWithRedirect']);
      assert.equal(after.pending, null, 'the pending sign-in is used up');
      const prefix = `CognitoIdentityServiceProvider.${client.ClientId}.`;
      assert.deepEqual(after.keys, [
        `${prefix}${user}.accessToken`, `${prefix}${user}.clockDrift`, `${prefix}${user}.idToken`, `${prefix}${user}.refreshToken`,
        `${prefix}LastAuthUser`, `${prefix}oauthDomain`,
      ].sort());
      assert.equal(after.stored[`${prefix}LastAuthUser`], user);
      assert.equal(after.stored[`${prefix}${user}.accessToken`], session.accessToken);
      assert.match(after.stored[`${prefix}${user}.clockDrift`], /^-?\d+$/);
      assert.equal(after.stored[`${prefix}oauthDomain`], domainUrl());

      // The same callback again: nothing is pending any more.
      const replay = await handle(page, callback.href);
      assert.equal(replay.error?.name, 'InvalidStateException', JSON.stringify(replay));
      assert.equal(tokenRequests().length, 1, 'a refused callback makes no token request');

      // A new page load (a new CognateAuth) finds the session where the core keeps it.
      await page.reload();
      await openApp(page);
      const reloaded = await page.evaluate(() => window.auth.getSession());
      assert.equal(reloaded.username, user);
      assert.equal(reloaded.accessToken, session.accessToken);

      // Refresh goes through the core's Cognito API calls with the refresh token from the code grant.
      const refreshCalls = [];
      page.on('request', (r) => { const t = r.headers()['x-amz-target']; if (t) refreshCalls.push(t.split('.').pop()); });
      const refreshed = await page.evaluate(() => window.auth.getSession({ forceRefresh: true }));
      assert.deepEqual(refreshCalls, ['GetTokensFromRefreshToken']);
      assert.equal(refreshed.username, user);
      assert.notEqual(refreshed.accessToken, session.accessToken);
      assert.notEqual(refreshed.idToken, session.idToken);
      assert.equal(refreshed.accessTokenClaims.username, user);
      assert.deepEqual(await page.evaluate(() => window.events), ['tokenRefresh']);
      const again = await page.evaluate(() => window.auth.getSession());
      assert.equal(again.accessToken, refreshed.accessToken, 'the refreshed tokens are stored');
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test('a tampered or missing state is refused without a token request, and the real callback still works', async () => {
      const page = await newPage();
      await openApp(page);
      const { callback } = await signInThroughPages(page);
      await openApp(page, options(), page.url());
      const tampered = new URL(callback);
      tampered.searchParams.set('state', `${callback.searchParams.get('state').slice(0, -2)}xx`);
      const missing = new URL(callback);
      missing.searchParams.delete('state');
      const refusals = [await handle(page, tampered.href), await handle(page, missing.href)];
      for (const r of refusals) {
        assert.equal(r.error?.name, 'InvalidStateException', JSON.stringify(r));
        assert.match(r.error.message, /state/);
      }
      assert.equal(page.requests.filter((r) => r.url().endsWith('/oauth2/token')).length, 0);
      assert.deepEqual(await page.evaluate(() => window.events), [
        'signInWithRedirectFailure:InvalidStateException', 'signInWithRedirectFailure:InvalidStateException',
      ]);
      assert.equal(await page.evaluate(() => window.auth.getSession()), null, 'no session from a refused callback');
      const { ok } = await handle(page, callback.href);
      assert.equal(ok?.session.username, user);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test('an error the server sends back to the app rejects with its OAuth name and description', async () => {
      const page = await newPage();
      await openApp(page);
      // prompt=none without a login session: login_required.
      const { callback } = await signInThroughPages(page, { login: false, extra: { prompt: 'none' } });
      assert.equal(callback.searchParams.get('error'), 'login_required');
      await openApp(page, options(), page.url());
      const first = await handle(page);
      assert.deepEqual(first.error, { name: 'login_required', message: 'The user is not signed in.' });
      assert.equal(await pending(page), null, 'an answered sign-in is no longer pending');

      // A scope the client may not have: invalid_scope.
      await openApp(page);
      const second = await signInThroughPages(page, { login: false, extra: { scopes: ['openid', 'https://api.example.com/nope'] } });
      assert.equal(second.callback.searchParams.get('error'), 'invalid_scope');
      await openApp(page, options(), page.url());
      const refused = await handle(page);
      assert.equal(refused.error?.name, 'invalid_scope');
      assert.match(refused.error.message, /nope/);
      assert.deepEqual(await page.evaluate(() => window.events), ['signInWithRedirectFailure:invalid_scope']);
      assert.equal(page.requests.filter((r) => r.url().endsWith('/oauth2/token')).length, 0);
      assert.equal(await page.evaluate(() => window.auth.getSession()), null);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test('signOutWithRedirect revokes the refresh token, ends the login session at /logout and lands on the logout URI; the next sign-in asks again', async () => {
      const page = await newPage();
      const username = await makeUser('bob');
      await openApp(page);
      await signInThroughPages(page, { username });
      await openApp(page, options(), page.url());
      assert.equal((await handle(page)).ok?.session.username, username);
      // The login session skips the login page on the way back.
      await openApp(page);
      await signInThroughPages(page, { login: false });
      await openApp(page, options(), page.url());
      const { ok } = await handle(page);
      assert.equal(ok?.session.username, username, 'signed in again without the login page');

      const calls = [];
      page.on('request', (r) => { const t = r.headers()['x-amz-target']; if (t) calls.push(t.split('.').pop()); });
      const logout = page.waitForRequest((r) => r.url().includes('/logout?'));
      await page.evaluate((u) => {
        window.redirect.signOutWithRedirect(window.auth, { logoutUri: u }).catch((e) => { window.failed = e.name; });
      }, `${site.url}/signed-out`);
      const logoutUrl = new URL((await logout).url());
      await page.waitForURL(`${site.url}/signed-out`);
      assert.equal(`${logoutUrl.origin}${logoutUrl.pathname}`, `${domainUrl()}/logout`);
      assert.deepEqual(Object.fromEntries(logoutUrl.searchParams), { client_id: client.ClientId, logout_uri: `${site.url}/signed-out` });
      assert.deepEqual(calls, ['RevokeToken']);
      assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], 'tokens and the domain marker are gone');
      await assert.rejects(
        send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: ok.session.refreshToken } })),
        (e) => e.name === 'NotAuthorizedException',
      );

      // The login session is over: the next sign-in shows the login page.
      await openApp(page);
      await startRedirect(page);
      await page.waitForURL((u) => u.pathname.endsWith('/login'));
      assert.ok(await page.isVisible('input[name=password]'));
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test('a client with a secret exchanges the code with Basic authentication, and refreshes', async () => {
      const page = await newPage();
      const o = options({ clientId: secretClient.ClientId, clientSecret: secretClient.ClientSecret, storage: 'sessionStorage' });
      await openApp(page, o);
      await signInThroughPages(page);
      await openApp(page, o, page.url());
      const { ok } = await handle(page);
      assert.equal(ok?.session.username, user);
      const token = page.requests.find((r) => r.url().endsWith('/oauth2/token'));
      const basic = Buffer.from(token.headers().authorization.replace(/^Basic /, ''), 'base64').toString();
      assert.equal(basic, `${secretClient.ClientId}:${secretClient.ClientSecret}`);
      const refreshed = await page.evaluate(() => window.auth.getSession({ forceRefresh: true }));
      assert.equal(refreshed.username, user);
      assert.notEqual(refreshed.accessToken, ok.session.accessToken);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test('a bare host means https; provider, lang, prompt and scopes go into the authorize query', async () => {
      const page = await newPage();
      await page.route('https://auth.example.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: 'login' }));
      await openApp(page);
      const url = await startRedirect(page, {
        domain: 'auth.example.test', redirectUri: 'https://app.example.test/cb', provider: 'Google', lang: 'fr', prompt: 'login', scopes: ['openid', 'email'],
      });
      assert.equal(`${url.origin}${url.pathname}`, 'https://auth.example.test/oauth2/authorize');
      const q = Object.fromEntries(url.searchParams);
      assert.equal(q.identity_provider, 'Google');
      assert.equal(q.lang, 'fr');
      assert.equal(q.prompt, 'login');
      assert.equal(q.scope, 'openid email');
      assert.equal(q.redirect_uri, 'https://app.example.test/cb');
      await page.waitForURL((u) => u.host === 'auth.example.test');
      await page.goto(appUrl());
      await page.waitForFunction(() => window.loaded !== undefined);
      const bases = await page.evaluate(() => [
        window.redirect.domainBase('auth.example.com'),
        window.redirect.domainBase('http://127.0.0.1:9229/domains/x/'),
        window.redirect.domainBase('https://login.example.com'),
      ]);
      assert.deepEqual(bases, ['https://auth.example.com', 'http://127.0.0.1:9229/domains/x', 'https://login.example.com']);
      // Without a domain, or outside a redirect callback, nothing happens but a named error.
      const names = await page.evaluate(async (o) => {
        const auth = new window.sdk.CognateAuth(o);
        const name = (p) => p.then(() => 'resolved', (e) => e.name);
        return [
          await name(window.redirect.signInWithRedirect(auth, { redirectUri: 'https://app.example.test/cb' })),
          await name(window.redirect.handleRedirectCallback(auth, 'https://app.example.test/cb?code=x&state=y')),
          await name(window.redirect.signInWithRedirect({}, { domain: 'a.example', redirectUri: 'https://app.example.test/cb' })),
        ];
      }, options());
      assert.deepEqual(names, ['InvalidParameterException', 'InvalidStateException', 'InvalidParameterException']);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  });
}
