// The demo, as a newcomer uses it: `www/demo.mjs` (what `cargo xtask demo` runs) with its own data
// directory and ports, driven through its pages in headless Chromium with a virtual authenticator
// standing in for the user's device. Each step leaves a screenshot under target/e2e/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, uniq } from '../server/harness.mjs';
import { launch } from '../sdk/page.mjs';
import { totp } from '../server/totp.mjs';

const SHOTS = path.join(REPO_ROOT, 'target', 'e2e');
const PASSWORD = 'Journey-Pass-123';

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
        resolve({ app: app.replace(/\/$/, ''), child, logs: () => output });
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

  test('sign up, confirm, sign in, add a passkey, call the API, sign out, sign in with the passkey', async () => {
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
});
