// Passkeys end to end: cognate-auth in headless Chromium, with Chromium's virtual authenticator (CDP
// WebAuthn domain) standing in for the user's device, against a real Cognate server. The happy path
// through the SDK; the refusals through the AWS SDK's own WebAuthn calls (so Amplify-shaped clients
// are covered too), each checked to have stored nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, GetUserAuthFactorsCommand, InitiateAuthCommand,
  ListWebAuthnCredentialsCommand, RespondToAuthChallengeCommand, SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createClient, createPool, rejectsWith, startServer, uniq } from '../server/harness.mjs';
import { launch, openPage, servePackage } from './page.mjs';

const PASSWORD = 'Passkey-Pass-123';

describe('passkeys in Chromium', { timeout: 240_000 }, () => {
  let server, site, otherSite, browser, pool, client;
  const send = (cmd) => server.client.send(cmd);

  before(async () => {
    server = await startServer('sqlite');
    site = await servePackage();
    otherSite = await servePackage();
    browser = await launch();
    pool = await createPool(server, { Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } });
    client = await createClient(server, pool.Id, {
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    // AllowedOrigins is Cognate's own member (the AWS SDK drops members it does not know): raw call.
    const port = new URL(site.url).port;
    const res = await server.raw({
      target: 'SetUserPoolMfaConfig', sign: true,
      body: { UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred', AllowedOrigins: [site.url, `http://app.localhost:${port}`] } },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.WebAuthnConfiguration.AllowedOrigins, [site.url, `http://app.localhost:${port}`]);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await otherSite?.close();
    await server?.stop();
  });

  const options = { get userPoolId() { return pool.Id; }, get clientId() { return client.ClientId; }, get endpoint() { return `${server.endpoint}/`; } };
  const config = () => ({ userPoolId: options.userPoolId, clientId: options.clientId, endpoint: options.endpoint });
  const makeUser = async (name) => {
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: name, MessageAction: 'SUPPRESS' }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: name, Password: PASSWORD, Permanent: true }));
  };

  /** A page with a virtual platform authenticator (resident keys, user verification). */
  async function pageWithAuthenticator() {
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
      },
    });
    const credential = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0];
    /** Rewrites the authenticator's copy of the credential (same key and id). */
    const rewrite = async (change) => {
      const c = await credential();
      await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: c.credentialId });
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...c, ...change } });
    };
    const overrides = (bits) => cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, ...bits });
    return { context, page, credential, rewrite, overrides };
  }

  /** Signs `username` in with the password in the page and registers a passkey through the SDK. */
  async function withPasskey(page, username) {
    return page.evaluate(async ([o, u, p]) => {
      window.auth = new window.sdk.CognateAuth(o);
      await window.auth.signIn({ username: u, password: p });
      await window.auth.registerPasskey();
      return (await window.auth.getSession()).accessToken;
    }, [config(), username, PASSWORD]);
  }

  /**
   * A new user (no passkey yet, so the browser lets a registration through) signs in with the
   * password in the page and tries to register one: resolves to [outcome or error name, access token].
   */
  async function newcomerRegisters(page, prefix) {
    const newcomer = uniq(prefix);
    await makeUser(newcomer);
    return page.evaluate(async ([o, u, p]) => {
      const auth = new window.sdk.CognateAuth(o);
      await auth.signIn({ username: u, password: p });
      return [await auth.registerPasskey().then(() => 'registered', (e) => e.name), (await auth.getSession()).accessToken];
    }, [config(), newcomer, PASSWORD]);
  }

  /** The browser's assertion (AuthenticationResponseJSON text) for request options, optionally for another RP ID. */
  const assertion = (page, optionsJson, rpId) => page.evaluate(async ([json, rp]) => {
    const o = JSON.parse(json);
    if (rp) o.rpId = rp;
    const cred = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o) });
    return JSON.stringify(cred.toJSON());
  }, [optionsJson, rpId]);

  /** A WEB_AUTHN challenge for `username`, through the AWS SDK. */
  const challenge = async (username) => {
    const started = await send(new InitiateAuthCommand({
      ClientId: client.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
    }));
    assert.equal(started.ChallengeName, 'WEB_AUTHN');
    return started;
  };
  const respond = (started, username, credential) => send(new RespondToAuthChallengeCommand({
    ClientId: client.ClientId, ChallengeName: 'WEB_AUTHN', Session: started.Session,
    ChallengeResponses: { USERNAME: username, CREDENTIAL: credential },
  }));
  const passkeyCount = async (accessToken) => (await send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }))).Credentials.length;

  test('register, sign out, sign in with the passkey, list, delete; then passkey sign-in fails', async () => {
    const username = uniq('pk');
    await makeUser(username);
    const { context, page } = await pageWithAuthenticator();
    await withPasskey(page, username);
    const flow = await page.evaluate(async (u) => {
      const listed = await window.auth.listPasskeys();
      await window.auth.signOut();
      const signedIn = await window.auth.signIn({ username: u, passkey: true });
      return { listed, signedIn };
    }, username);
    assert.equal(flow.listed.length, 1);
    assert.equal(flow.listed[0].relyingPartyId, 'localhost');
    assert.equal(flow.listed[0].authenticatorAttachment, 'platform');
    assert.deepEqual(flow.listed[0].authenticatorTransports, ['internal']);
    assert.equal(flow.signedIn.isSignedIn, true);
    assert.equal(flow.signedIn.session.idTokenClaims['cognito:username'], username);
    const token = flow.signedIn.session.accessToken;

    // The AWS SDK sees the same through its own WebAuthn shapes.
    const listed = await send(new ListWebAuthnCredentialsCommand({ AccessToken: token }));
    assert.equal(listed.Credentials[0].CredentialId, flow.listed[0].credentialId);
    assert.ok(listed.Credentials[0].CreatedAt instanceof Date);
    const factors = await send(new GetUserAuthFactorsCommand({ AccessToken: token }));
    assert.deepEqual(factors.ConfiguredUserAuthFactors, ['PASSWORD', 'WEB_AUTHN']);

    // SELECT_CHALLENGE offers WEB_AUTHN with its request options: answered in one step with the
    // CREDENTIAL, or in two (ANSWER, then the WEB_AUTHN challenge).
    const select = () => send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username } }));
    const offered = await select();
    assert.equal(offered.ChallengeName, 'SELECT_CHALLENGE');
    assert.deepEqual(offered.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
    const oneStep = await send(new RespondToAuthChallengeCommand({
      ClientId: client.ClientId, ChallengeName: 'SELECT_CHALLENGE', Session: offered.Session,
      ChallengeResponses: { USERNAME: username, ANSWER: 'WEB_AUTHN', CREDENTIAL: await assertion(page, offered.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS) },
    }));
    assert.ok(oneStep.AuthenticationResult.AccessToken);
    const chosen = await send(new RespondToAuthChallengeCommand({
      ClientId: client.ClientId, ChallengeName: 'SELECT_CHALLENGE', Session: (await select()).Session,
      ChallengeResponses: { USERNAME: username, ANSWER: 'WEB_AUTHN' },
    }));
    assert.equal(chosen.ChallengeName, 'WEB_AUTHN');
    assert.ok((await respond(chosen, username, await assertion(page, chosen.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS))).AuthenticationResult);

    // An assertion made before the passkey is deleted is refused after.
    const started = await challenge(username);
    const made = await assertion(page, started.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
    await page.evaluate((id) => window.auth.deletePasskey({ credentialId: id }), flow.listed[0].credentialId);
    assert.equal(await passkeyCount(token), 0);
    await rejectsWith(respond(started, username, made), 'NotAuthorizedException', /not registered/);
    const after = await page.evaluate((u) => window.auth.signIn({ username: u, passkey: true }), username);
    assert.equal(after.isSignedIn, false);
    assert.equal(after.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    assert.deepEqual(after.nextStep.challengeParameters.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
    assert.deepEqual(page.errors, []);
    await context.close();
  });

  test('replayed assertions, another origin, another RP ID and a counter that went back are refused; nothing is stored', async () => {
    const username = uniq('pkneg');
    await makeUser(username);
    const { context, page, credential, rewrite } = await pageWithAuthenticator();
    const token = await withPasskey(page, username);

    // A good sign-in, then its assertion replayed: in the same Session, and into a new one.
    const first = await challenge(username);
    const good = await assertion(page, first.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
    assert.ok((await respond(first, username, good)).AuthenticationResult.AccessToken);
    await rejectsWith(respond(first, username, good), 'NotAuthorizedException', /session/i);
    await rejectsWith(respond(await challenge(username), username, good), 'WebAuthnChallengeNotFoundException');

    // Whether a refused assertion moved the stored counter: rewind the authenticator to one below
    // the refused assertion's counter; the next sign-in passes only if that counter was not kept.
    const refusedLeavesCounter = async (refused) => {
      await rewrite({ signCount: refused - 1 });
      const next = await challenge(username);
      assert.ok((await respond(next, username, await assertion(page, next.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS))).AuthenticationResult);
    };

    // From an origin the pool does not allow (same RP ID, so the browser makes the assertion).
    await page.goto(`${otherSite.url}/`);
    const fromOther = await challenge(username);
    const otherOrigin = await assertion(page, fromOther.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
    const otherCount = (await credential()).signCount;
    await rejectsWith(respond(fromOther, username, otherOrigin), 'WebAuthnOriginNotAllowedException', /not allowed/);
    await page.goto(`${site.url}/`);
    await refusedLeavesCounter(otherCount);

    // For another RP ID: the same key, registered in the authenticator for app.localhost, used from
    // an allowed origin on that host.
    const port = new URL(site.url).port;
    await rewrite({ rpId: 'app.localhost' });
    await page.goto(`http://app.localhost:${port}/`);
    const wrongRp = await challenge(username);
    const signedForOther = await assertion(page, wrongRp.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS, 'app.localhost');
    const rpCount = (await credential()).signCount;
    await rejectsWith(respond(wrongRp, username, signedForOther), 'WebAuthnRelyingPartyMismatchException');
    await rewrite({ rpId: 'localhost' });
    await page.goto(`${site.url}/`);
    await refusedLeavesCounter(rpCount);

    // A cloned authenticator: its counter behind the stored one.
    const stored = (await credential()).signCount;
    await rewrite({ signCount: 0 });
    const cloned = await challenge(username);
    await rejectsWith(respond(cloned, username, await assertion(page, cloned.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS)), 'NotAuthorizedException', /counter/);
    await rewrite({ signCount: stored });
    const afterClone = await challenge(username);
    assert.ok((await respond(afterClone, username, await assertion(page, afterClone.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS))).AuthenticationResult);

    // Registration from the other origin.
    await page.goto(`${otherSite.url}/`);
    const [name, newcomerToken] = await newcomerRegisters(page, 'pkorigin');
    assert.equal(name, 'WebAuthnOriginNotAllowedException');
    assert.equal(await passkeyCount(newcomerToken), 0);
    assert.equal(await passkeyCount(token), 1);
    await context.close();
  });

  test('a pool that requires user verification refuses an authenticator that did not verify the user', async () => {
    const username = uniq('pkuv');
    await makeUser(username);
    const { context, page, overrides } = await pageWithAuthenticator();
    const token = await withPasskey(page, username);
    await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
    try {
      await overrides({ isBadUV: true });
      const started = await challenge(username);
      assert.equal(JSON.parse(started.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS).userVerification, 'required');
      const unverified = await assertion(page, started.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS);
      await rejectsWith(respond(started, username, unverified), 'NotAuthorizedException', /user verification/);
      // Registration without user verification.
      const [registered, newcomerToken] = await newcomerRegisters(page, 'pkuvreg');
      assert.equal(registered, 'NotAuthorizedException');
      assert.equal(await passkeyCount(newcomerToken), 0, 'the unverified registration stored nothing');
      assert.equal(await passkeyCount(token), 1);
      await overrides({ isBadUV: false });
      const verified = await challenge(username);
      assert.ok((await respond(verified, username, await assertion(page, verified.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS))).AuthenticationResult);
    } finally {
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'preferred' } }));
      await context.close();
    }
  });

  test('without WebAuthn the SDK says so by name', async () => {
    const username = uniq('nowa');
    await makeUser(username);
    const context = await browser.newContext();
    const page = await openPage(context, site.url);
    const names = await page.evaluate(async ([o, u, p]) => {
      delete window.PublicKeyCredential;
      const auth = new window.sdk.CognateAuth(o);
      await auth.signIn({ username: u, password: p });
      const name = (promise) => promise.then(() => 'resolved', (e) => e.name);
      return [await name(auth.registerPasskey()), await name(auth.listPasskeys().then((l) => { if (l.length) throw new Error('stored'); }))];
    }, [config(), username, PASSWORD]);
    assert.deepEqual(names, ['PasskeyNotSupported', 'resolved']);
    await context.close();
  });
});
