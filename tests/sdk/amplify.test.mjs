// Amplify v6 (aws-amplify from npm, bundled by esbuild) in headless Chromium against Cognate, with
// the endpoint override Amplify offers (`userPoolEndpoint`): SRP sign-in, then its passkey calls
// (associateWebAuthnCredential, listWebAuthnCredentials, USER_AUTH sign-in preferring WEB_AUTHN,
// deleteWebAuthnCredential), with Chromium's virtual authenticator as the device.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, SetUserPoolMfaConfigCommand } from '@aws-sdk/client-cognito-identity-provider';
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, createPool, startServer, uniq } from '../server/harness.mjs';
import { launch, servePackage } from './page.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'Amplify-Pass-123';

describe('Amplify v6 against Cognate', { timeout: 240_000 }, () => {
  let server, site, browser, pool, client;

  before(async () => {
    const bundle = await build({
      entryPoints: [path.join(HERE, 'amplify-entry.mjs')], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'warning',
    });
    site = await servePackage({
      '/amplify.js': { type: 'text/javascript', body: bundle.outputFiles[0].contents },
      '/amplify.html': '<!doctype html><meta charset="utf-8"><title>Amplify</title><script type="module">import * as amp from "/amplify.js"; window.amp = amp; window.loaded = true;</script>',
    });
    server = await startServer('sqlite');
    browser = await launch();
    pool = await createPool(server, { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } });
    await server.client.send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' } }));
    client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  test('SRP sign-in, then register a passkey, sign out, sign in with it, list and delete it', async () => {
    const username = uniq('amp');
    await server.client.send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS' }));
    await server.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${site.url}/amplify.html`);
    await page.waitForFunction(() => window.loaded === true);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    const result = await page.evaluate(async ([cfg, u, p]) => {
      const { Amplify, signIn, signOut, associateWebAuthnCredential, listWebAuthnCredentials, deleteWebAuthnCredential, fetchAuthSession } = window.amp;
      Amplify.configure({ Auth: { Cognito: { userPoolId: cfg.pool, userPoolClientId: cfg.client, userPoolEndpoint: cfg.endpoint } } });
      const first = await signIn({ username: u, password: p });
      await associateWebAuthnCredential();
      const listed = await listWebAuthnCredentials();
      await signOut();
      const second = await signIn({ username: u, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
      const session = await fetchAuthSession();
      await deleteWebAuthnCredential({ credentialId: listed.credentials[0].credentialId });
      const after = await listWebAuthnCredentials();
      return {
        first: first.isSignedIn, listed: listed.credentials.map((c) => c.relyingPartyId), second: second.isSignedIn,
        username: session.tokens.accessToken.payload.username, after: after.credentials.length,
      };
    }, [{ pool: pool.Id, client: client.ClientId, endpoint: server.endpoint }, username, PASSWORD]);
    assert.deepEqual(result, { first: true, listed: ['localhost'], second: true, username, after: 0 });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
