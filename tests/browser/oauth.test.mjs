// The managed login pages and the OAuth 2.0 / OIDC authorization server in a real browser: Debian's
// Chromium, headless, through playwright-core. Three parts, on one HTTPS server per backend
// (`--tls-self-signed`; Chromium runs with --ignore-certificate-errors, node trusts the generated
// certificate) and one browser:
//
//  1. the pages as a person uses them: labelled fields typed into, buttons pressed, links followed
//     (sign-in, a wrong password, TOTP MFA, authenticator setup, a new password, sign-up and
//     confirmation, a forgotten password, the error page, Spanish). Each distinct page leaves a
//     screenshot in target/screenshots/managed-login/<name>.png (or, with
//     COGNATE_UPDATE_SCREENSHOTS=1, in tests/browser/screenshots/, the committed set) and its size
//     (one HTML document, gzipped) in target/bench/managed-login-pages.json; no page may ask
//     anything of another origin;
//  2. oidc-client-ts (bundled by esbuild) in an app on http://localhost: signinRedirect, the
//     callback, signinSilent (the refresh token), revokeTokens, signoutRedirect;
//  3. Amplify v6's signInWithRedirect with the domain as Amplify takes it (host and path, https
//     implied), fetchAuthSession, getCurrentUser, signOut through /logout.
//
// The apps are tests/browser/oauth-apps/: one page shell, an entry per library, and /config.json
// saying which pool to use.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolDomainCommand,
  InitiateAuthCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { build } from 'esbuild';

import { REGION, REPO_ROOT, UUID_RE, attrMap, backends, createClient, createPool, sorted, startServer, strongPassword } from '../server/harness.mjs';
import { totp, wrongCode } from '../server/totp.mjs';
import { launch } from '../sdk/page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const APPS = path.join(HERE, 'oauth-apps');
// A test run leaves the tree as it found it: screenshots go under target/ unless asked for.
const SHOTS = process.env.COGNATE_UPDATE_SCREENSHOTS === '1'
  ? path.join(HERE, 'screenshots')
  : path.join(REPO_ROOT, 'target', 'screenshots', 'managed-login');
const FIGURES = path.join(REPO_ROOT, 'target', 'bench', 'managed-login-pages.json');
const VIEWPORT = { width: 480, height: 720 };
/** Each page's budget: its one HTML document, gzipped. */
const PAGE_BUDGET_GZIP = 30 * 1024;
const WRONG_PASSWORD_MESSAGE = 'Incorrect username or password.';
const SCOPES = ['openid', 'email', 'profile'];

// ---------------------------------------------------------------------------------------------
// shared by every backend: the bundles, the browser, the figures

let browser;
const bundles = {};
/** page name → { html_bytes, gzip_bytes } (the last backend's; the pages are the same). */
const figures = {};

async function bundle(entry) {
  const out = await build({
    entryPoints: [path.join(APPS, entry)], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'warning',
  });
  return out.outputFiles[0].contents;
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [bundles.oidc, bundles.amplify] = await Promise.all([bundle('oidc-client-ts.mjs'), bundle('amplify.mjs')]);
  browser = await launch({ args: ['--ignore-certificate-errors'] });
}, { timeout: 120_000 });

after(async () => {
  await browser?.close();
  if (Object.keys(figures).length === 0) return;
  const out = { budget_gzip_bytes: PAGE_BUDGET_GZIP, pages: figures };
  mkdirSync(path.dirname(FIGURES), { recursive: true });
  writeFileSync(FIGURES, `${JSON.stringify(out, null, 2)}\n`);
  const lines = Object.entries(figures).map(([name, f]) => `  ${name.padEnd(16)} ${String(f.html_bytes).padStart(6)} B html ${String(f.gzip_bytes).padStart(6)} B gzip`);
  console.log(`managed login pages → ${path.relative(REPO_ROOT, FIGURES)}\n${lines.join('\n')}`);
});

/**
 * A tiny app on http://localhost:<port>: every path is oauth-apps/index.html, /app.js the bundle,
 * /config.json `app.config` (set by the test once the pool exists).
 */
async function serveApp(script) {
  const shell = readFileSync(path.join(APPS, 'index.html'));
  const app = { config: {} };
  const srv = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(script);
    } else if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(app.config));
    } else if (pathname === '/favicon.ico') {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(shell);
    }
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  app.url = `http://localhost:${srv.address().port}`;
  app.close = () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); });
  return app;
}

// ---------------------------------------------------------------------------------------------
// small helpers

const base64url = (buf) => Buffer.from(buf).toString('base64url');

function jwtPayload(token) {
  assert.equal(typeof token, 'string', `not a JWT: ${token}`);
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

const scopesOf = (token) => sorted(String(jwtPayload(token).scope ?? '').split(' ').filter(Boolean));

function codeIn(messages) {
  const match = messages.at(-1)?.body.match(/(\d{6})/);
  assert.ok(match, `no code in ${JSON.stringify(messages.map((m) => m.body))}`);
  return match[1];
}

// ---------------------------------------------------------------------------------------------

for (const backend of backends()) {
  describe(`managed login, oidc-client-ts and Amplify in Chromium [${backend}]`, { timeout: 300_000 }, () => {
    let server, ca, oidcApp, amplifyApp, fx;

    /** Any request to the server, trusting its development certificate: { status, headers, text, json }. */
    function call(url, { method = 'GET', headers = {}, body } = {}) {
      return new Promise((resolve, reject) => {
        const req = https.request(url, { method, headers, ca }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => { text += c; });
          res.on('end', () => {
            let json = null;
            try {
              json = JSON.parse(text);
            } catch {}
            resolve({ status: res.statusCode, headers: res.headers, text, json });
          });
        });
        req.on('error', reject);
        req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${url}: timed out`)));
        req.end(body);
      });
    }

    const postForm = (url, fields) =>
      call(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

    const send = (cmd) => server.client.send(cmd);

    /** A confirmed user with a verified email and a permanent password. */
    async function makeUser(poolId, username) {
      const email = `${username}@example.com`;
      const password = strongPassword();
      await send(new AdminCreateUserCommand({
        UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
      }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
      return { username, email, password };
    }

    /** A domain on `poolId`; answers { domain, cloudFront, pages (the pages' base URL) }. */
    async function makeDomain(poolId, domain) {
      const { CloudFrontDomain } = await send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: poolId }));
      return { domain, cloudFront: CloudFrontDomain, pages: `${server.endpoint}/domains/${domain}` };
    }

    /** The code client every app uses, its callbacks on both apps. */
    const webClient = (poolId) => createClient(server, poolId, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: SCOPES,
      CallbackURLs: [`${oidcApp.url}/callback`, `${amplifyApp.url}/`],
      LogoutURLs: [`${oidcApp.url}/`, `${amplifyApp.url}/`],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });

    before(async () => {
      server = await startServer(backend, { args: ['--tls-self-signed'] });
      assert.match(server.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
      ca = await readFile(path.join(server.dataDir, 'tls', 'dev-cert.pem'));
      // The harness's client does not know the development certificate; this one does.
      server.client.destroy();
      server.client = new CognitoIdentityProviderClient({
        region: REGION, endpoint: server.endpoint, credentials: server.credentials, maxAttempts: 1,
        requestHandler: { httpsAgent: new https.Agent({ ca, keepAlive: true }), requestTimeout: 15_000, connectionTimeout: 5_000 },
      });
      oidcApp = await serveApp(bundles.oidc);
      amplifyApp = await serveApp(bundles.amplify);

      const pool = await createPool(server, { AutoVerifiedAttributes: ['email'] });
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const domain = await makeDomain(pool.Id, `login-${backend}`);
      const web = await webClient(pool.Id);
      const issuer = `${server.endpoint}/${pool.Id}`;
      const discovery = await call(`${issuer}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200, `discovery: ${discovery.text}`);
      fx = { pool, web, issuer, meta: discovery.json, ...domain, origin: new URL(server.endpoint).origin };
      oidcApp.config = { issuer, clientId: web.ClientId };
      amplifyApp.config = { userPoolId: pool.Id, clientId: web.ClientId, userPoolEndpoint: server.endpoint, domain: domain.cloudFront };
    }, { timeout: 120_000 });

    after(async () => {
      await oidcApp?.close();
      await amplifyApp?.close();
      if (!server) return;
      const crashed = server.exited;
      const logs = server.logs();
      await server.stop();
      if (crashed) throw new Error(`cognate (${backend}) exited during the tests (${JSON.stringify(crashed)}).\n${logs}`);
    }, { timeout: 60_000 });

    // -------------------------------------------------------------------------------------------
    // the browser side

    /** A fresh context (no cookies) at 480x720 and its page; `errors` collects uncaught page errors. */
    async function open() {
      const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      return { context, page, errors };
    }

    /** A code + PKCE authorize request to the apps' client: { url, state, verifier, redirectUri, clientId }. */
    function authorize(site = fx, overrides = {}) {
      const verifier = base64url(randomBytes(32));
      const params = {
        response_type: 'code',
        client_id: site.web.ClientId,
        redirect_uri: `${oidcApp.url}/callback`,
        scope: SCOPES.join(' '),
        state: base64url(randomBytes(12)),
        code_challenge: base64url(createHash('sha256').update(verifier).digest()),
        code_challenge_method: 'S256',
        ...overrides,
      };
      for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
      const url = new URL(`${site.pages}/oauth2/authorize`);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return { url: url.href, state: params.state, verifier, redirectUri: params.redirect_uri, clientId: params.client_id };
    }

    /**
     * Runs `action` (a goto, a click) and waits for the page it leads to, one of the server's:
     * asserts its status, that it refuses framing, that it came as one HTML document, that nothing
     * was asked of another origin while it loaded, and its gzipped size against the budget. With a
     * `name`, keeps the figures and a screenshot. Answers { response, html }.
     */
    async function show(page, name, action, { status = 200 } = {}) {
      const label = name ?? 'a page';
      const requests = [];
      const documents = [];
      const onRequest = (r) => requests.push({ url: r.url(), type: r.resourceType(), method: r.method() });
      const onResponse = (r) => {
        if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) documents.push(r);
      };
      page.on('request', onRequest);
      page.on('response', onResponse);
      try {
        const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 20_000 });
        committed.catch(() => {}); // when the action itself fails, its error is the one reported
        await action();
        await committed;
        await page.waitForLoadState('load');
      } finally {
        page.off('request', onRequest);
        page.off('response', onResponse);
      }
      const response = documents.at(-1);
      assert.ok(response, `${label}: no document was loaded`);
      const where = `${label} (${response.request().method()} ${response.url()})`;
      assert.equal(new URL(page.url()).origin, fx.origin, `${where}: the browser left the server for ${page.url()}`);
      assert.equal(response.status(), status, `${where}: status`);
      const headers = response.headers();
      assert.match(headers['content-type'] ?? '', /^text\/html/i, `${where}: content-type`);
      assert.match(headers['content-security-policy'] ?? '', /frame-ancestors\s+'none'/, `${where}: CSP ${headers['content-security-policy']}`);
      const foreign = requests.filter((r) => new URL(r.url).origin !== fx.origin);
      assert.deepEqual(foreign, [], `${where}: requests to other origins`);
      const subresources = requests.filter((r) => r.type !== 'document');
      assert.deepEqual(subresources, [], `${where}: the page is one document (CSS and script inline)`);
      const html = await response.body();
      const gzip = gzipSync(html).length;
      assert.ok(gzip <= PAGE_BUDGET_GZIP, `${where}: ${gzip} bytes gzipped, over the ${PAGE_BUDGET_GZIP} budget`);
      if (name) {
        figures[name] = { html_bytes: html.length, gzip_bytes: gzip };
        await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
      }
      return { response, html: html.toString('utf8') };
    }

    /** Runs `action` and waits for the browser to be on `app` (its callback, say); answers that URL. */
    async function toApp(page, app, action) {
      const arrived = page.waitForURL((u) => u.href.startsWith(`${app.url}/`), { timeout: 20_000 });
      arrived.catch(() => {});
      await action();
      await arrived;
      return new URL(page.url());
    }

    const field = (page, label) => page.getByLabel(label, { exact: true });
    const button = (page, name) => page.getByRole('button', { name, exact: true });
    const alerts = async (page) => (await page.getByRole('alert').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

    /** Types a user's credentials into the login page; answers the click on the button. */
    async function fillLogin(page, user, { password = user.password, submit = 'Sign in' } = {}) {
      await field(page, 'Username').fill(user.username);
      await field(page, 'Password').fill(password);
      return () => button(page, submit).click();
    }

    /** Asserts a callback to the oidc app's /callback with the request's state and a code; answers the code. */
    function expectCode(url, req) {
      assert.equal(`${url.origin}${url.pathname}`, req.redirectUri, `callback ${url}`);
      assert.equal(url.searchParams.get('error'), null, `callback ${url}`);
      assert.equal(url.searchParams.get('state'), req.state, 'the state comes back');
      const code = url.searchParams.get('code');
      assert.ok(code, `no code in ${url}`);
      return code;
    }

    /** The authorization code grant at `site`'s token endpoint (PKCE, no secret); answers the tokens. */
    async function exchange(site, url, req) {
      const res = await postForm(`${site.pages}/oauth2/token`, {
        grant_type: 'authorization_code', client_id: req.clientId, code: expectCode(url, req), redirect_uri: req.redirectUri, code_verifier: req.verifier,
      });
      assert.equal(res.status, 200, `token endpoint: ${res.status} ${res.text}`);
      for (const t of ['access_token', 'id_token', 'refresh_token']) assert.equal(typeof res.json[t], 'string', `${t} missing: ${res.text}`);
      return res.json;
    }

    /** The login page of an authorize request (the 302 from /oauth2/authorize followed). */
    async function openLogin(page, req, name = null) {
      const shown = await show(page, name, () => page.goto(req.url));
      assert.equal(new URL(page.url()).pathname, `${new URL(fx.pages).pathname}/login`);
      return shown;
    }

    // -------------------------------------------------------------------------------------------
    // 1. the pages

    test('CreateUserPoolDomain answers the host and path Amplify takes as its domain; discovery lists the domain endpoints', async () => {
      assert.equal(fx.cloudFront, `127.0.0.1:${server.port}/domains/${fx.domain}`);
      assert.equal(fx.meta.issuer, fx.issuer);
      assert.equal(fx.meta.authorization_endpoint, `https://${fx.cloudFront}/oauth2/authorize`);
      assert.equal(fx.meta.token_endpoint, `https://${fx.cloudFront}/oauth2/token`);
      assert.equal(fx.meta.end_session_endpoint, `https://${fx.cloudFront}/logout`);
    });

    test('login page: labelled fields and links; typing the credentials and pressing Sign in returns a code the token endpoint exchanges', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'ada');
      const req = authorize();
      const { html } = await openLogin(page, req, 'login');
      assert.match(html, /^<!doctype html>/i);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign in');
      assert.equal(await page.title(), 'Sign in');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      for (const label of ['Username', 'Password']) assert.equal(await field(page, label).count(), 1, `a field labelled ${label}`);
      assert.equal(await field(page, 'Password').getAttribute('type'), 'password');
      assert.equal(await field(page, 'Username').getAttribute('autocomplete'), 'username');
      assert.equal(await field(page, 'Password').getAttribute('autocomplete'), 'current-password');
      assert.equal(await page.getByRole('link', { name: 'Forgot your password?', exact: true }).count(), 1);
      assert.equal(await page.getByRole('link', { name: 'Need an account? Sign up', exact: true }).count(), 1);
      assert.deepEqual(await alerts(page), [], 'a fresh login page shows no error');

      const callback = await toApp(page, oidcApp, await fillLogin(page, user));
      const tokens = await exchange(fx, callback, req);
      const id = jwtPayload(tokens.id_token);
      assert.equal(id['cognito:username'], user.username);
      assert.equal(id.email, user.email);
      assert.deepEqual(scopesOf(tokens.access_token), sorted(SCOPES));

      const cookies = await context.cookies(fx.pages);
      const session = cookies.find((c) => c.name === 'cognito');
      assert.ok(session, `no cognito cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
      assert.equal(session.httpOnly, true);
      assert.equal(session.secure, true, 'over HTTPS the session cookie is Secure');
      assert.equal(session.sameSite, 'Lax');
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('a wrong password: the alert on the login page, the username kept, no session; the right one then signs in', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'grace');
      const req = authorize();
      await openLogin(page, req);
      await show(page, 'login-error', await fillLogin(page, user, { password: `${user.password}-not` }));
      assert.equal(new URL(page.url()).pathname, `${new URL(fx.pages).pathname}/login`);
      const shown = await alerts(page);
      assert.ok(shown.some((t) => t.includes(WRONG_PASSWORD_MESSAGE)), `alerts: ${JSON.stringify(shown)}`);
      assert.equal(await field(page, 'Username').inputValue(), user.username, 'the username is kept');
      assert.equal(await field(page, 'Password').inputValue(), '', 'the password is not echoed');
      assert.equal((await context.cookies(fx.pages)).some((c) => c.name === 'cognito'), false, 'no session after a failed sign-in');

      await field(page, 'Password').fill(user.password);
      const callback = await toApp(page, oidcApp, () => button(page, 'Sign in').click());
      expectCode(callback, req);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('lang=es: the login page in Spanish, and it signs in', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'ines');
      const req = authorize(fx, { lang: 'es' });
      await openLogin(page, req, 'login-es');
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Iniciar sesión');
      assert.equal(await page.getByRole('link', { name: '¿Olvidó su contraseña?', exact: true }).count(), 1);
      assert.equal(await page.getByRole('link', { name: '¿No tiene cuenta? Regístrese', exact: true }).count(), 1);
      await field(page, 'Nombre de usuario').fill(user.username);
      await field(page, 'Contraseña').fill(user.password);
      expectCode(await toApp(page, oidcApp, () => button(page, 'Iniciar sesión').click()), req);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('an unregistered redirect_uri: the error page (400, redirect_mismatch), never a redirect to it', async () => {
      const { context, page, errors } = await open();
      const req = authorize(fx, { redirect_uri: `${oidcApp.url}/elsewhere` });
      const { html } = await show(page, 'error', () => page.goto(req.url), { status: 400 });
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'This sign-in page cannot be shown');
      const shown = await alerts(page);
      assert.ok(shown.some((t) => t.includes('redirect_mismatch')), `alerts: ${JSON.stringify(shown)}`);
      assert.equal(await page.locator('form').count(), 0, 'no form on the error page');
      assert.ok(!html.includes('<script'), 'no script on the error page');
      // An unknown client is the same page, in Spanish when asked.
      await show(page, null, () => page.goto(authorize(fx, { client_id: 'x'.repeat(26), lang: 'es' }).url), { status: 400 });
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'No se puede mostrar esta página');
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('TOTP MFA: the code page after the password; a wrong code is an alert, the right one returns to the app', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'mfa-user');
      // The authenticator app, set up through the JSON API.
      const signedIn = await send(new InitiateAuthCommand({
        ClientId: fx.web.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }));
      const AccessToken = signedIn.AuthenticationResult.AccessToken;
      const secret = (await send(new AssociateSoftwareTokenCommand({ AccessToken }))).SecretCode;
      const verified = await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(secret), FriendlyDeviceName: 'phone' }));
      assert.equal(verified.Status, 'SUCCESS');
      await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

      const req = authorize();
      await openLogin(page, req);
      await show(page, 'mfa-code', await fillLogin(page, user));
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Enter your sign-in code');
      assert.equal(await page.getByRole('status').textContent(), 'Enter the code from your authenticator app.');
      assert.equal(await field(page, 'Code').getAttribute('autocomplete'), 'one-time-code');
      assert.equal(await field(page, 'Password').count(), 0, 'no password field on the code page');
      assert.equal((await context.cookies(fx.pages)).some((c) => c.name === 'cognito'), false, 'no session before the code');

      await field(page, 'Code').fill(wrongCode(secret));
      await show(page, null, () => button(page, 'Verify').click());
      const shown = await alerts(page);
      assert.ok(shown.some((t) => t.length > 0), `no alert after a wrong code: ${JSON.stringify(shown)}`);
      assert.equal((await context.cookies(fx.pages)).some((c) => c.name === 'cognito'), false, 'no session after a wrong code');

      // The sign-in starts again from the page the wrong code led to (the login page or the code page).
      if (await field(page, 'Password').count()) {
        assert.equal(await field(page, 'Username').inputValue(), user.username, 'the username is kept');
        await field(page, 'Password').fill(user.password);
        await show(page, null, () => button(page, 'Sign in').click());
      }
      // The app's next code: the current one was spent verifying it.
      await field(page, 'Code').fill(totp(secret, 1));
      const callback = await toApp(page, oidcApp, () => button(page, 'Verify').click());
      const tokens = await exchange(fx, callback, req);
      assert.equal(jwtPayload(tokens.id_token)['cognito:username'], user.username);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('MFA required and not set up: the authenticator setup page shows the secret; its code signs in and turns TOTP on', async () => {
      const { context, page, errors } = await open();
      const pool = await createPool(server);
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const site = { ...(await makeDomain(pool.Id, `mfa-on-${backend}`)), web: await webClient(pool.Id) };
      const user = await makeUser(pool.Id, 'setup-user');
      const req = authorize(site);
      await show(page, null, () => page.goto(req.url));
      await show(page, 'mfa-setup', await fillLogin(page, user));
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Set up an authenticator app');
      assert.equal(await page.getByRole('status').textContent(), 'Add this key to your authenticator app, then enter the code it shows.');
      const block = await page.locator('pre').textContent();
      const secret = block.split('\n')[0].trim();
      assert.match(secret, /^[A-Z2-7]{16,}$/, `the key: ${block}`);
      const otpauth = new URL(block.split('\n').find((l) => l.startsWith('otpauth://')));
      assert.equal(otpauth.searchParams.get('secret'), secret);
      assert.equal(decodeURIComponent(otpauth.pathname.split(':').at(-1)), user.username);

      await field(page, 'Code').fill(totp(secret));
      const callback = await toApp(page, oidcApp, () => button(page, 'Verify').click());
      const tokens = await exchange(site, callback, req);
      assert.equal(jwtPayload(tokens.id_token)['cognito:username'], user.username);
      const got = await send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: user.username }));
      assert.deepEqual(got.UserMFASettingList, ['SOFTWARE_TOKEN_MFA'], 'the authenticator is the user\'s MFA now');
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('a temporary password: the new password page; a new password returns to the app and confirms the user', async () => {
      const { context, page, errors } = await open();
      const username = 'temp-user';
      const temporary = strongPassword();
      await send(new AdminCreateUserCommand({
        UserPoolId: fx.pool.Id, Username: username, TemporaryPassword: temporary, MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, { Name: 'email_verified', Value: 'true' }],
      }));
      const req = authorize();
      await openLogin(page, req);
      await show(page, 'new-password', await fillLogin(page, { username, password: temporary }));
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Set a new password');
      assert.equal(await field(page, 'New password').getAttribute('type'), 'password');
      assert.equal(await field(page, 'New password').getAttribute('autocomplete'), 'new-password');
      const password = strongPassword();
      await field(page, 'New password').fill(password);
      const callback = await toApp(page, oidcApp, () => button(page, 'Change password').click());
      await exchange(fx, callback, req);
      const { UserStatus } = await send(new AdminGetUserCommand({ UserPoolId: fx.pool.Id, Username: username }));
      assert.equal(UserStatus, 'CONFIRMED');
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('sign-up from the login page\'s link, the emailed code on the confirm page, then sign-in', async () => {
      const { context, page, errors } = await open();
      const req = authorize();
      await openLogin(page, req);
      await show(page, 'signup', () => page.getByRole('link', { name: 'Need an account? Sign up', exact: true }).click());
      assert.equal(new URL(page.url()).pathname, `${new URL(fx.pages).pathname}/signup`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign up');
      assert.equal(await field(page, 'Email').getAttribute('type'), 'email');
      assert.equal(await field(page, 'Password').getAttribute('autocomplete'), 'new-password');
      assert.equal(await page.getByRole('link', { name: 'Already have an account? Sign in', exact: true }).count(), 1);
      const user = { username: 'new-user', email: 'new-user@example.com', password: strongPassword() };
      await field(page, 'Username').fill(user.username);
      await field(page, 'Password').fill(user.password);
      await field(page, 'Email').fill(user.email);

      await show(page, 'confirm', () => button(page, 'Sign up').click());
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Confirm your account');
      assert.equal(await page.getByRole('status').textContent(), 'We sent a code. Enter it below.');
      const code = codeIn(await server.waitForOutbox({ pool: fx.pool.Id, to: user.email }));
      await field(page, 'Code').fill(code);

      await show(page, null, () => button(page, 'Confirm').click());
      assert.equal(await page.getByRole('status').textContent(), 'Your account is confirmed. Sign in.');
      assert.equal(await field(page, 'Username').inputValue(), user.username);
      await field(page, 'Password').fill(user.password);
      const callback = await toApp(page, oidcApp, () => button(page, 'Sign in').click());
      const tokens = await exchange(fx, callback, req);
      assert.equal(jwtPayload(tokens.id_token)['cognito:username'], user.username);
      const got = await send(new AdminGetUserCommand({ UserPoolId: fx.pool.Id, Username: user.username }));
      assert.equal(got.UserStatus, 'CONFIRMED');
      assert.equal(attrMap(got.UserAttributes).email_verified, 'true');
      assert.deepEqual(errors, []);
      await context.close();
    });

    test('forgot password from the login page\'s link: the emailed code and a new password, then sign-in with it', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'forgetful');
      const req = authorize();
      await openLogin(page, req);
      await show(page, 'forgot-password', () => page.getByRole('link', { name: 'Forgot your password?', exact: true }).click());
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Reset your password');
      await field(page, 'Username').fill(user.username);

      await show(page, 'reset-password', () => button(page, 'Send code').click());
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Reset your password');
      assert.equal(await field(page, 'New password').getAttribute('type'), 'password');
      const code = codeIn(await server.waitForOutbox({ pool: fx.pool.Id, to: user.email }));
      const password = strongPassword();
      await field(page, 'Code').fill(code);
      await field(page, 'New password').fill(password);

      await show(page, null, () => button(page, 'Change password').click());
      assert.equal(await page.getByRole('status').textContent(), 'Your password was changed. Sign in.');
      assert.equal(await field(page, 'Username').inputValue(), user.username);
      // The old password no longer works; the new one does.
      await field(page, 'Password').fill(user.password);
      await show(page, null, () => button(page, 'Sign in').click());
      assert.ok((await alerts(page)).some((t) => t.includes(WRONG_PASSWORD_MESSAGE)));
      await field(page, 'Password').fill(password);
      expectCode(await toApp(page, oidcApp, () => button(page, 'Sign in').click()), req);
      assert.deepEqual(errors, []);
      await context.close();
    });

    // -------------------------------------------------------------------------------------------
    // 2. oidc-client-ts

    /** What the oidc app found when it loaded (see oauth-apps/oidc-client-ts.mjs). */
    async function oidcResult(page) {
      await page.waitForFunction(() => window.app !== undefined, null, { timeout: 20_000 });
      const result = await page.evaluate(() => window.app.result);
      assert.equal(result.error, undefined, `the app: ${result.error}`);
      return result;
    }

    test('oidc-client-ts: signinRedirect, the login page, signinCallback; signinSilent; revokeTokens; signoutRedirect ends the session', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'oidc-user');
      const requests = [];
      page.on('request', (r) => requests.push(r.url()));
      const loginPath = `${new URL(fx.pages).pathname}/login`;

      await page.goto(`${oidcApp.url}/`);
      assert.deepEqual(await oidcResult(page), { page: 'home', user: null });

      const atLogin = page.waitForURL((u) => u.pathname === loginPath, { timeout: 20_000 });
      await page.evaluate(() => { void window.app.manager.signinRedirect(); });
      await atLogin;
      const asked = new URL(page.url()).searchParams;
      assert.equal(asked.get('client_id'), fx.web.ClientId);
      assert.equal(asked.get('redirect_uri'), `${oidcApp.url}/callback`);
      assert.equal(asked.get('response_type'), 'code');
      assert.equal(asked.get('code_challenge_method'), 'S256');
      assert.deepEqual(sorted(asked.get('scope').split(' ')), sorted(SCOPES));

      await toApp(page, oidcApp, await fillLogin(page, user));
      const signedIn = (await oidcResult(page)).user;
      assert.equal(new URL(page.url()).pathname, '/callback');
      assert.match(signedIn.profile.sub, UUID_RE);
      assert.equal(signedIn.profile.email, user.email);
      assert.equal(signedIn.profile['cognito:username'], user.username);
      assert.equal(signedIn.profile.iss, fx.issuer);
      assert.equal(signedIn.profile.aud, fx.web.ClientId);
      assert.deepEqual(sorted(signedIn.accessClaims.scope.split(' ')), sorted(SCOPES), `access token scope ${signedIn.accessClaims.scope}`);
      assert.equal(signedIn.accessClaims.client_id, fx.web.ClientId);
      assert.equal(signedIn.accessClaims.username, user.username);
      assert.equal(signedIn.accessClaims.sub, signedIn.profile.sub);
      assert.deepEqual(sorted(String(signedIn.scope).split(' ')), sorted(SCOPES), `User.scope ${signedIn.scope}`);
      assert.equal(signedIn.tokenType.toLowerCase(), 'bearer');
      assert.equal(signedIn.expired, false);
      assert.equal(typeof signedIn.refreshToken, 'string');

      // signinSilent: with a refresh token oidc-client-ts uses the refresh grant (no iframe).
      const renewed = await page.evaluate(async () => window.app.summary(await window.app.manager.signinSilent()));
      assert.equal(renewed.profile.sub, signedIn.profile.sub);
      assert.equal(renewed.accessClaims.username, user.username);
      assert.notEqual(renewed.accessToken, signedIn.accessToken, 'a new access token');
      assert.deepEqual(sorted(renewed.accessClaims.scope.split(' ')), sorted(SCOPES));

      // The session cookie: another signinRedirect comes straight back, without the login page.
      const loginsBefore = requests.filter((u) => new URL(u).pathname === loginPath).length;
      const back = page.waitForURL((u) => u.href.startsWith(`${oidcApp.url}/callback?`), { timeout: 20_000 });
      await page.evaluate(() => { void window.app.manager.signinRedirect(); });
      await back;
      const again = (await oidcResult(page)).user;
      assert.equal(again.profile.sub, signedIn.profile.sub);
      assert.equal(requests.filter((u) => new URL(u).pathname === loginPath).length, loginsBefore, 'no login page with a live session');

      // revokeTokens: the refresh token is revoked (the token endpoint refuses it afterwards).
      const refresh = again.refreshToken;
      assert.equal(typeof refresh, 'string');
      await page.evaluate(() => window.app.manager.revokeTokens());
      assert.equal(await page.evaluate(async () => (await window.app.manager.getUser()).refresh_token ?? null), null);
      const refused = await postForm(fx.meta.token_endpoint, { grant_type: 'refresh_token', client_id: fx.web.ClientId, refresh_token: refresh });
      assert.equal(refused.status, 400, `refresh after revokeTokens: ${refused.status} ${refused.text}`);
      assert.equal(refused.json?.error, 'invalid_grant');

      // signoutRedirect: through the end-session endpoint back to post_logout_redirect_uri.
      const logoutRequest = page.waitForRequest((r) => r.url().startsWith(`${fx.meta.end_session_endpoint}?`), { timeout: 20_000 });
      const home = page.waitForURL((u) => u.href.startsWith(`${oidcApp.url}/?`) || u.href === `${oidcApp.url}/`, { timeout: 20_000 });
      // With state data, oidc-client-ts sends a state and checks it on the way back.
      await page.evaluate(() => { void window.app.manager.signoutRedirect({ state: { note: 'bye' } }); });
      const logout = await logoutRequest;
      await home;
      const sent = new URL(logout.url()).searchParams;
      assert.equal(sent.get('post_logout_redirect_uri'), `${oidcApp.url}/`);
      assert.equal(jwtPayload(sent.get('id_token_hint')).sub, signedIn.profile.sub);
      const answered = await logout.response();
      assert.equal(answered.status(), 302);
      const out = await oidcResult(page);
      assert.equal(out.page, 'signed-out', `landed on ${page.url()}`);
      assert.ok(sent.get('state'), `no state in ${logout.url()}`);
      assert.equal(out.state, sent.get('state'), 'the state comes back from the end-session endpoint');
      assert.deepEqual(out.userState, { note: 'bye' }, 'signoutCallback matched the state');
      assert.equal(out.user, null);
      assert.equal((await context.cookies(fx.pages)).some((c) => c.name === 'cognito'), false, 'the session cookie is gone');

      // A new sign-in shows the login page again.
      const loginAgain = page.waitForURL((u) => u.pathname === loginPath, { timeout: 20_000 });
      await page.evaluate(() => { void window.app.manager.signinRedirect(); });
      await loginAgain;
      assert.equal(await field(page, 'Password').count(), 1);

      const foreign = requests.filter((u) => ![fx.origin, new URL(oidcApp.url).origin].includes(new URL(u).origin));
      assert.deepEqual(foreign, [], 'only the app and the server were asked');
      assert.deepEqual(errors, []);
      await context.close();
    });

    // -------------------------------------------------------------------------------------------
    // 3. Amplify v6

    test('Amplify v6 over HTTPS: signInWithRedirect through the login page, fetchAuthSession and getCurrentUser, signOut through /logout', async () => {
      const { context, page, errors } = await open();
      const user = await makeUser(fx.pool.Id, 'amplify-user');
      const requests = [];
      page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
      const failures = [];
      page.on('requestfailed', (r) => failures.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
      const loginPath = `${new URL(fx.pages).pathname}/login`;
      const ready = () => page.waitForFunction(() => window.app?.loaded === true, null, { timeout: 20_000 });
      const whoAmI = () => page.evaluate(() => window.app.getCurrentUser().then((u) => ({ username: u.username, userId: u.userId }), (e) => ({ error: e.name })));
      const events = () => page.evaluate(() => window.app.events);

      await page.goto(`${amplifyApp.url}/`);
      await ready();
      assert.deepEqual(await whoAmI(), { error: 'UserUnAuthenticatedException' });

      const atLogin = page.waitForURL((u) => u.pathname === loginPath, { timeout: 20_000 });
      await page.evaluate(() => { window.app.signInWithRedirect().catch((e) => { window.redirectError = `${e.name}: ${e.message}`; }); });
      await atLogin;
      const asked = new URL(page.url());
      assert.equal(asked.origin, fx.origin, 'Amplify went to https://<domain>');
      assert.equal(asked.searchParams.get('client_id'), fx.web.ClientId);
      assert.equal(asked.searchParams.get('redirect_uri'), `${amplifyApp.url}/`);
      assert.equal(asked.searchParams.get('identity_provider'), 'COGNITO');
      assert.equal(asked.searchParams.get('code_challenge_method'), 'S256');

      await toApp(page, amplifyApp, await fillLogin(page, user));
      await ready();
      await page.waitForFunction(() => window.app.events.some((e) => e.event.startsWith('signInWithRedirect')), null, { timeout: 20_000 });
      const seen = await events();
      const failed = seen.find((e) => e.event === 'signInWithRedirect_failure');
      assert.equal(failed, undefined, `Amplify could not complete the sign-in: ${failed?.message}\nrequests:\n${requests.join('\n')}\nfailed:\n${failures.join('\n')}`);
      assert.ok(seen.some((e) => e.event === 'signedIn'), `events: ${JSON.stringify(seen)}`);
      assert.equal(page.url(), `${amplifyApp.url}/`, 'Amplify cleared the code from the address');

      const session = await page.evaluate(async () => {
        const { tokens } = await window.app.fetchAuthSession();
        return { access: tokens?.accessToken?.toString(), id: tokens?.idToken?.toString() };
      });
      const access = jwtPayload(session.access);
      const id = jwtPayload(session.id);
      assert.equal(access.username, user.username);
      assert.equal(access.client_id, fx.web.ClientId);
      assert.deepEqual(scopesOf(session.access), sorted(SCOPES));
      assert.equal(id.email, user.email);
      assert.equal(id.aud, fx.web.ClientId);
      assert.deepEqual(await whoAmI(), { username: user.username, userId: id.sub });
      const refresh = await page.evaluate(() => Object.entries(window.localStorage).find(([k]) => k.endsWith('.refreshToken'))?.[1] ?? null);
      assert.equal(typeof refresh, 'string', 'Amplify keeps the refresh token');

      // signOut: Amplify revokes the refresh token, then goes through https://<domain>/logout back to the app.
      const logoutRequest = page.waitForRequest((r) => r.url().startsWith(`${fx.meta.end_session_endpoint}?`), { timeout: 20_000 });
      const landed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() && f.url().startsWith(amplifyApp.url), timeout: 20_000 });
      await page.evaluate(() => { window.app.signOut().catch((e) => { window.signOutError = `${e.name}: ${e.message}`; }); });
      const logout = await logoutRequest;
      await landed;
      const sent = new URL(logout.url()).searchParams;
      assert.equal(sent.get('client_id'), fx.web.ClientId);
      assert.equal(sent.get('logout_uri'), `${amplifyApp.url}/`);
      const answered = await logout.response();
      assert.equal(answered.status(), 302, `/logout: ${answered.status()}`);
      assert.equal(answered.headers().location, `${amplifyApp.url}/`);
      await ready();
      assert.equal(page.url(), `${amplifyApp.url}/`);
      assert.deepEqual(await whoAmI(), { error: 'UserUnAuthenticatedException' });
      assert.equal((await context.cookies(fx.pages)).some((c) => c.name === 'cognito'), false, 'the session cookie is gone');
      const refused = await postForm(fx.meta.token_endpoint, { grant_type: 'refresh_token', client_id: fx.web.ClientId, refresh_token: refresh });
      assert.equal(refused.json?.error, 'invalid_grant', `refresh after signOut: ${refused.status} ${refused.text}`);

      // The session ended: signInWithRedirect shows the login page again.
      const loginAgain = page.waitForURL((u) => u.pathname === loginPath, { timeout: 20_000 });
      await page.evaluate(() => { window.app.signInWithRedirect().catch((e) => { window.redirectError = `${e.name}: ${e.message}`; }); });
      await loginAgain;
      assert.equal(await field(page, 'Password').count(), 1);

      const foreign = requests.filter((r) => ![fx.origin, new URL(amplifyApp.url).origin].includes(new URL(r.split(' ')[1]).origin));
      assert.deepEqual(foreign, [], 'only the app and the server were asked');
      assert.deepEqual(failures, [], 'no request failed');
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
}
