// The demo, as a newcomer uses it: `www/demo.mjs` (what `cargo xtask demo` runs) with its own data
// directory and ports, driven through its pages in headless Chromium with a virtual authenticator
// standing in for the user's device; the hosted page (the pool's managed login) signs in and out
// through the same app, and the machine client's card calls the API. Each step leaves a screenshot
// under target/e2e/.
//
// Needs www/dist (built as crates/xtask/src/demo.rs's build_www does), npm/dist, worker/build, the
// server binary (COGNATE_BIN, or CARGO_TARGET_DIR's debug/cognate) and Debian's chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, uniq } from '../server/harness.mjs';
import { launch } from '../sdk/page.mjs';
import { totp } from '../server/totp.mjs';

const SHOTS = path.join(REPO_ROOT, 'target', 'e2e');
const PASSWORD = 'Journey-Pass-123';
const LOGIN_PATH = '/domains/cognate-demo/login';
const LOGOUT_PATH = '/domains/cognate-demo/logout';

/** Starts the demo; resolves with its app URL once it prints `ready`. */
function startDemo(dataDir) {
  const child = spawn(process.execPath, ['--no-warnings', path.join(REPO_ROOT, 'www', 'demo.mjs'), '--data-dir', dataDir, '--port', '0', '--server-port', '0', '--edge-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: process.env,
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 120 s:\n${output}`)), 120_000);
    const read = (d) => {
      output += d;
      const app = output.match(/demo: the app\s+(\S+)/)?.[1];
      if (app && output.includes('demo: ready')) {
        clearTimeout(timer);
        resolve({
          app: app.replace(/\/$/, ''),
          edge: output.match(/demo: the edge verifier\s+(\S+)/)[1],
          webhook: output.match(/demo: the webhook\s+(\S+)/)[1],
          child,
          logs: () => output,
        });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the demo exited (${code}):\n${output}`)); });
  });
}

describe('the demo journey', { timeout: 300_000 }, () => {
  let demo, browser, dataDir;

  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'cognate-demo-'));
    demo = await startDemo(dataDir);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (demo) {
      demo.child.removeAllListeners('exit');
      const gone = new Promise((r) => demo.child.once('exit', r));
      demo.child.kill('SIGINT');
      await gone;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('sign up, confirm, sign in, add a passkey, call the API, sign out, sign in with the passkey, then on the hosted page; the machine client', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    let step = 0;
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
    const message = () => page.locator('#message').textContent();
    const username = uniq('ada');

    await page.goto(`${demo.app}/`);
    await page.waitForSelector('body[data-ready=true]');
    await shot('start');

    // Sign up; the code arrives in the dev mailbox.
    await page.fill('#sign-up [name=username]', username);
    await page.fill('#sign-up [name=email]', `${username}@example.com`);
    await page.fill('#sign-up [name=password]', 'weak');
    await page.click('#sign-up button[type=submit]');
    await page.waitForSelector('#message:not([hidden])');
    assert.match(await message(), /too weak/, 'a weak password is explained');
    await page.fill('#sign-up [name=password]', PASSWORD);
    await page.click('#sign-up button[type=submit]');
    await page.waitForSelector('#confirm:not([hidden])');
    const code = await page.locator('#mail code[data-code]').first().getAttribute('data-code', { timeout: 10_000 });
    assert.match(code, /^\d{6}$/);
    await shot('signed-up-code-in-dev-mailbox');

    // A wrong code, then the right one.
    await page.fill('#confirm [name=code]', code === '000000' ? '111111' : '000000');
    await page.click('#confirm button[type=submit]');
    await page.waitForFunction(() => /not right/.test(document.querySelector('#message').textContent));
    await page.fill('#confirm [name=code]', code);
    await page.click('#confirm button[type=submit]');
    await page.waitForFunction(() => /confirmed/.test(document.querySelector('#message').textContent));
    await shot('confirmed');

    // A wrong password, then the right one.
    await page.fill('#sign-in [name=username]', username);
    await page.fill('#sign-in [name=password]', 'Wrong-Pass-123');
    await page.click('#sign-in button[type=submit]');
    await page.waitForFunction(() => /Wrong username or password/.test(document.querySelector('#message').textContent));
    await page.fill('#sign-in [name=password]', PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#signed-in:not([hidden])');
    assert.equal(await page.locator('#who').textContent(), `Signed in as ${username}`);
    assert.equal(await page.locator('dd[data-attribute=email_verified]').textContent(), 'true');
    // The pool's pre-token webhook (demo.mjs) added its claims to the ID token.
    assert.equal(await page.locator('dd[data-claim="demo:greeting"]').textContent(), `Hello, ${username}!`);
    assert.equal(await page.locator('dd[data-claim="demo:token_source"]').textContent(), 'TokenGeneration_Authentication');
    await shot('signed-in-with-password');

    // Edit the profile.
    await page.fill('#edit-profile [name=name]', 'Ada Lovelace');
    await page.click('#edit-profile button[type=submit]');
    await page.waitForFunction(() => document.querySelector('dd[data-attribute=name]')?.textContent === 'Ada Lovelace');

    // Add a passkey.
    await page.click('#add-passkey');
    await page.waitForSelector('#passkey-list li button');
    assert.match(await message(), /Passkey added/);
    await shot('passkey-added');

    // The API through the edge: with the token, and without.
    await page.click('#call-api');
    await page.waitForSelector('#api-result .result');
    assert.equal(await page.locator('#api-result .result').getAttribute('data-status'), '200');
    const identity = JSON.parse(await page.locator('#api-result pre').textContent());
    assert.equal(identity['x-cognate-username'], username);
    assert.equal(identity['x-cognate-token-use'], 'access');
    await shot('api-call-let-through');
    await page.click('#call-api-anonymous');
    await page.waitForSelector('#api-result .result[data-status="401"]');
    await shot('api-call-without-token-refused');

    // Sign out, then back in with the passkey alone.
    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    await shot('signed-out');
    await page.fill('#sign-in [name=username]', username);
    await page.fill('#sign-in [name=password]', '');
    await page.click('#passkey-sign-in');
    await page.waitForSelector('#signed-in:not([hidden])');
    assert.equal(await page.locator('#who').textContent(), `Signed in as ${username}`);
    await shot('signed-in-with-passkey');
    await page.click('#call-api');
    await page.waitForSelector('#api-result .result[data-status="200"]');
    await shot('api-call-after-passkey-sign-in');

    // The hosted page: off to the pool's managed login page, and back here signed in.
    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    await page.click('#hosted-sign-in');
    await page.waitForURL((url) => url.pathname === LOGIN_PATH);
    await shot('hosted-login-page');
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === demo.app);
    await page.waitForSelector('body[data-ready=true]');
    await page.waitForSelector('#signed-in:not([hidden])');
    assert.equal(await page.locator('#who').textContent(), `Signed in as ${username}`);
    assert.match(await message(), /signed in on the hosted page/);
    assert.equal(new URL(page.url()).search, '', 'the code and state are gone from the address bar');
    // The session works for the user's own APIs (the profile) and carries the webhook's claims.
    assert.equal(await page.locator('dd[data-attribute=name]').textContent(), 'Ada Lovelace');
    assert.equal(await page.locator('dd[data-claim="demo:greeting"]').textContent(), `Hello, ${username}!`);
    assert.equal(await page.locator('dd[data-claim="demo:token_source"]').textContent(), 'TokenGeneration_HostedAuth');
    await shot('signed-in-on-the-hosted-page');
    await page.click('#call-api');
    await page.waitForSelector('#api-result .result[data-status="200"]');
    assert.equal(JSON.parse(await page.locator('#api-result pre').textContent())['x-cognate-username'], username);

    // The machine client: its own token (client_credentials), let through on its scope.
    await page.click('#machine-call');
    await page.waitForSelector('#machine-result .result');
    assert.equal(await page.locator('#machine-result .result').getAttribute('data-status'), '200');
    const seen = JSON.parse(await page.locator('#machine-identity').textContent());
    const claims = JSON.parse(await page.locator('#machine-claims').textContent());
    assert.equal(seen['x-cognate-principal'], 'client');
    assert.equal(seen['x-cognate-scope'], 'demo-api/read');
    assert.equal(seen['x-cognate-username'], undefined, 'no user');
    assert.equal(claims.sub, claims.client_id, 'the token is the client\'s own');
    assert.equal(seen['x-cognate-sub'], claims.client_id);
    assert.equal(claims.scope, 'demo-api/read');
    await shot('machine-client-call');
    // The user's token lacks that scope: the edge refuses it on the machine route.
    const userToken = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.endsWith('.accessToken'));
      return key && localStorage.getItem(key);
    });
    assert.ok(userToken, 'the hosted sign-in stored an access token');
    const refused = await fetch(`${demo.edge}/api/machine/report`, { headers: { authorization: `Bearer ${userToken}` } });
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('www-authenticate'), /insufficient_scope/);

    // Signing out of a hosted-page session goes through the domain's /logout and back here.
    const logout = page.waitForRequest((r) => new URL(r.url()).pathname === LOGOUT_PATH);
    await page.click('#sign-out');
    const logoutUrl = new URL((await logout).url());
    assert.equal(logoutUrl.searchParams.get('logout_uri'), `${demo.app}/`);
    await page.waitForFunction(() => /of the hosted page/.test(document.querySelector('#message')?.textContent ?? ''));
    assert.equal(new URL(page.url()).origin, demo.app);
    await page.waitForSelector('#signed-out:not([hidden])');
    await shot('signed-out-through-logout');
    // The login page's session ended too: the hosted page asks for the password again.
    await page.click('#hosted-sign-in');
    await page.waitForURL((url) => url.pathname === LOGIN_PATH);
    assert.equal(await page.getByLabel('Password', { exact: true }).count(), 1);
    await page.goto(`${demo.app}/`);
    await page.waitForSelector('body[data-ready=true]');
    await page.fill('#sign-in [name=username]', username);
    await page.fill('#sign-in [name=password]', PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#signed-in:not([hidden])');

    // An authenticator app as a second step after the password.
    await page.click('#totp-start');
    await page.waitForSelector('#totp-verify:not([hidden])');
    const secret = await page.locator('#totp-secret').getAttribute('data-secret');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const setupCode = totp(secret);
    await page.fill('#totp-verify [name=code]', setupCode);
    await shot('authenticator-app-setup');
    await page.click('#totp-verify button[type=submit]');
    await page.waitForFunction(() => /Two-step sign-in is on/.test(document.querySelector('#message').textContent));
    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    await page.fill('#sign-in [name=password]', PASSWORD);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#next-step:not([hidden])');
    assert.match(await page.locator('#next-step-text').textContent(), /authenticator app/);
    // The setup's code again is refused (each code works once); the next one signs in.
    await page.fill('#next-step [name=answer]', setupCode);
    await page.click('#next-step button[type=submit]');
    await page.waitForFunction(() => /already used/.test(document.querySelector('#message').textContent));
    await shot('app-code-replay-refused');
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#next-step:not([hidden])');
    await page.fill('#next-step [name=answer]', totp(secret, 1));
    await page.click('#next-step button[type=submit]');
    await page.waitForSelector('#signed-in:not([hidden])');
    await shot('signed-in-with-password-and-app-code');

    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    await shot('signed-out-again');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the pre-token webhook answers only calls signed with the server\'s trigger secret', async () => {
    const text = readFileSync(path.join(dataDir, 'trigger-secret'), 'utf8').trim();
    const key = Buffer.from(text.replace(/^whsec_/, ''), 'base64');
    const event = {
      version: '2', triggerSource: 'TokenGeneration_Authentication', region: 'us-east-1', userPoolId: 'us-east-1_x', userName: 'grace',
      callerContext: { awsSdkVersion: 'x', clientId: 'c' }, request: { userAttributes: {}, groupConfiguration: {}, scopes: [] }, response: {},
    };
    const call = ({ body = JSON.stringify(event), signedBody = body, timestamp = Math.floor(Date.now() / 1000), signingKey = key, sign = true } = {}) => {
      const id = `msg_${uniq('t')}`;
      const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
      if (sign) headers['webhook-signature'] = `v1,${createHmac('sha256', signingKey).update(`${id}.${timestamp}.${signedBody}`).digest('base64')}`;
      return fetch(demo.webhook, { method: 'POST', headers, body });
    };
    const good = await call();
    assert.equal(good.status, 200);
    const answer = await good.json();
    assert.equal(answer.response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride['demo:greeting'], 'Hello, grace!');
    assert.equal((await call({ sign: false })).status, 401, 'unsigned');
    assert.equal((await call({ signingKey: Buffer.from('another key') })).status, 401, 'another key');
    assert.equal((await call({ signedBody: JSON.stringify({ ...event, userName: 'mallory' }) })).status, 401, 'another body');
    assert.equal((await call({ timestamp: Math.floor(Date.now() / 1000) - 3600 })).status, 401, 'an hour old');
  });
});
