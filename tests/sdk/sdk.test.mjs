// cognate-auth, the built npm package, in headless Chromium against a real Cognate server: sign-up,
// confirmation, SRP sign-in, storage choices, refresh (with rotation), two tabs refreshing at once,
// sign-out, and the error names apps switch on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createClient, createPool, startServer, uniq } from '../server/harness.mjs';
import { launch, openPage, servePackage } from './page.mjs';
import { totp } from '../server/totp.mjs';

const PASSWORD = 'Browser-Pass-123';

describe('cognate-auth in Chromium', { timeout: 240_000 }, () => {
  let server, site, browser, pool, client, rotating;

  before(async () => {
    server = await startServer('sqlite');
    site = await servePackage();
    browser = await launch();
    pool = await createPool(server, { AutoVerifiedAttributes: ['email'] });
    const flows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
    client = await createClient(server, pool.Id, { ExplicitAuthFlows: flows });
    rotating = await createClient(server, pool.Id, {
      ExplicitAuthFlows: flows, RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
    });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  const options = (extra = {}) => ({ userPoolId: pool.Id, clientId: client.ClientId, endpoint: `${server.endpoint}/`, ...extra });
  const codeFor = async (email) => {
    const messages = await server.waitForOutbox({ to: email });
    const match = messages.at(-1)?.body.match(/(\d{6})/);
    assert.ok(match, 'a code was sent');
    return match[1];
  };
  const makeUser = async (name) => {
    await server.client.send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: name, MessageAction: 'SUPPRESS' }));
    await server.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: name, Password: PASSWORD, Permanent: true }));
  };

  test('sign up, confirm with the emailed code, sign in with SRP; tokens in localStorage', async () => {
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const username = uniq('web');
    const email = `${username}@example.com`;
    const signUp = await page.evaluate(async ([o, u, p, e]) => {
      window.auth = new window.sdk.CognateAuth({ ...o, storage: 'localStorage' });
      window.events = [];
      window.auth.onAuthEvent((ev) => window.events.push(ev.event));
      return window.auth.signUp({ username: u, password: p, attributes: { email: e } });
    }, [options(), username, PASSWORD, email]);
    assert.equal(signUp.userConfirmed, false);
    assert.equal(signUp.codeDelivery.deliveryMedium, 'EMAIL');
    const code = await codeFor(email);
    const result = await page.evaluate(async ([u, p, c]) => {
      await window.auth.confirmSignUp({ username: u, code: c });
      return window.auth.signIn({ username: u, password: p });
    }, [username, PASSWORD, code]);
    assert.equal(result.isSignedIn, true);
    assert.equal(result.nextStep.signInStep, 'DONE');
    assert.equal(result.session.idTokenClaims.email, email);
    const stored = await page.evaluate(() => Object.keys(localStorage).sort());
    assert.ok(stored.includes(`CognitoIdentityServiceProvider.${client.ClientId}.LastAuthUser`), stored.join());
    assert.ok(stored.includes(`CognitoIdentityServiceProvider.${client.ClientId}.${username}.refreshToken`));
    const attrs = await page.evaluate(() => window.auth.fetchUserAttributes());
    assert.equal(attrs.email_verified, 'true');
    await page.evaluate(() => window.auth.signOut());
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
    assert.equal(await page.evaluate(() => window.auth.getSession()), null);
    assert.deepEqual(await page.evaluate(() => window.events), ['signedIn', 'signedOut']);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test('memory and sessionStorage keep tokens where they are told to', async () => {
    const username = uniq('mem');
    await makeUser(username);
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const where = await page.evaluate(async ([o, u, p]) => {
      const inMemory = new window.sdk.CognateAuth(o);
      await inMemory.signIn({ username: u, password: p });
      const afterMemory = [localStorage.length, sessionStorage.length, (await inMemory.getSession()).username];
      const inSession = new window.sdk.CognateAuth({ ...o, storage: 'sessionStorage' });
      await inSession.signIn({ username: u, password: p, flow: 'USER_PASSWORD_AUTH' });
      return [...afterMemory, localStorage.length, sessionStorage.length > 0];
    }, [options(), username, PASSWORD]);
    assert.deepEqual(where, [0, 0, username, 0, true]);
    await context.close();
  });

  test('wrong passwords and unknown users reject with NotAuthorizedException', async () => {
    const username = uniq('err');
    await makeUser(username);
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const names = await page.evaluate(async ([o, u]) => {
      const auth = new window.sdk.CognateAuth(o);
      const name = (p) => p.then(() => 'resolved', (e) => `${e instanceof Error}:${e.name}`);
      return [
        await name(auth.signIn({ username: u, password: 'Wrong-Pass-123' })),
        await name(auth.signIn({ username: `${u}-nobody`, password: 'Wrong-Pass-123' })),
        await name(auth.confirmSignUp({ username: u, code: '123456' })),
        await name(auth.fetchUserAttributes()),
      ];
    }, [options(), username]);
    assert.deepEqual(names, ['true:NotAuthorizedException', 'true:NotAuthorizedException', 'true:NotAuthorizedException', 'true:NotAuthorizedException']);
    await context.close();
  });

  test('two tabs whose tokens are expiring refresh once between them', async () => {
    const username = uniq('tabs');
    await makeUser(username);
    const context = await browser.newContext();
    const refreshes = [];
    context.on('request', (req) => {
      const target = req.headers()['x-amz-target'] ?? '';
      if (target.endsWith('GetTokensFromRefreshToken') || target.endsWith('InitiateAuth')) refreshes.push(target);
    });
    const [one, two] = [await openPage(context, site.url), await openPage(context, site.url)];
    const before = await one.evaluate(async ([o, u, p]) => {
      window.auth = new window.sdk.CognateAuth({ ...o, storage: 'localStorage' });
      return (await window.auth.signIn({ username: u, password: p })).session;
    }, [options(), username, PASSWORD]);
    refreshes.length = 0;
    // Both tabs' clocks jump an hour: their tokens now look expired.
    const both = await Promise.all([one, two].map((page) => page.evaluate(async (o) => {
      const realNow = Date.now;
      Date.now = () => realNow() + 3_600_000;
      window.auth ??= new window.sdk.CognateAuth({ ...o, storage: 'localStorage' });
      window.refreshEvents = 0;
      window.auth.onAuthEvent((e) => { if (e.event === 'tokenRefresh') window.refreshEvents += 1; });
      return window.auth.getSession();
    }, options())));
    assert.deepEqual(refreshes, ['AWSCognitoIdentityProviderService.GetTokensFromRefreshToken']);
    assert.equal(both[0].accessToken, both[1].accessToken);
    assert.notEqual(both[0].accessToken, before.accessToken);
    await context.close();
  });

  test('refresh with rotation stores the new refresh token; the old one is refused', async () => {
    const username = uniq('rot');
    await makeUser(username);
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const result = await page.evaluate(async ([o, u, p]) => {
      const auth = new window.sdk.CognateAuth({ ...o, storage: 'sessionStorage' });
      const first = (await auth.signIn({ username: u, password: p })).session;
      const second = await auth.getSession({ forceRefresh: true });
      const key = Object.keys(sessionStorage).find((k) => k.endsWith('.refreshToken'));
      const stored = sessionStorage.getItem(key);
      sessionStorage.setItem(key, first.refreshToken);
      const reuse = await auth.getSession({ forceRefresh: true }).then(() => 'refreshed', (e) => e.name);
      return [first.refreshToken !== second.refreshToken, stored === second.refreshToken, reuse, sessionStorage.length];
    }, [options({ clientId: rotating.ClientId }), username, PASSWORD]);
    assert.equal(result[0], true, 'rotated');
    assert.equal(result[1], true, 'stored');
    assert.ok(['NotAuthorizedException', 'RefreshTokenReuseException'].includes(result[2]), result[2]);
    assert.equal(result[3], 0, 'a refused refresh token clears the session');
    await context.close();
  });
  test('authenticator-app setup, then an MFA sign-in answered with its code', async () => {
    const mfaPool = await createPool(server);
    await server.client.send(new SetUserPoolMfaConfigCommand({
      UserPoolId: mfaPool.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true },
    }));
    const mfaClient = await createClient(server, mfaPool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const username = uniq('mfa');
    await server.client.send(new AdminCreateUserCommand({ UserPoolId: mfaPool.Id, Username: username, MessageAction: 'SUPPRESS' }));
    await server.client.send(new AdminSetUserPasswordCommand({ UserPoolId: mfaPool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const o = { userPoolId: mfaPool.Id, clientId: mfaClient.ClientId, endpoint: `${server.endpoint}/` };
    const setup = await page.evaluate(async ([opts, u, p]) => {
      window.auth = new window.sdk.CognateAuth(opts);
      await window.auth.signIn({ username: u, password: p });
      const details = await window.auth.setUpTOTP();
      return { secret: details.sharedSecret, uri: details.getSetupUri('Cognate Demo').href };
    }, [o, username, PASSWORD]);
    assert.match(setup.uri, new RegExp(`^otpauth://totp/Cognate%20Demo:${username}\\?secret=${setup.secret}&issuer=Cognate%20Demo$`));
    const step = await page.evaluate(async ([u, p, code]) => {
      await window.auth.verifyTOTPSetup({ code, options: { friendlyDeviceName: 'phone' } });
      await window.auth.updateMFAPreference({ totp: 'PREFERRED' });
      await window.auth.signOut();
      return (await window.auth.signIn({ username: u, password: p })).nextStep.signInStep;
    }, [username, PASSWORD, totp(setup.secret)]);
    assert.equal(step, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    const done = await page.evaluate(async (code) => (await window.auth.confirmSignIn({ challengeResponse: code })).isSignedIn, totp(setup.secret, 1));
    assert.equal(done, true);
    await context.close();
  });
});
