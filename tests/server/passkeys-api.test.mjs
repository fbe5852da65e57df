// The passkey API without a browser, through the AWS SDK, on every backend: the pool's
// WebAuthnConfiguration, the options StartWebAuthnRegistration hands out, the refusals that need no
// authenticator (no configuration, not enabled, bad credentials, a registration answered twice), and
// whole ceremonies with a software authenticator on node:crypto (storage, counters, deletion). The
// browser's own WebAuthn runs in Chromium (tests/sdk/passkeys.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CompleteWebAuthnRegistrationCommand, DeleteWebAuthnCredentialCommand,
  GetUserAuthFactorsCommand, GetUserPoolMfaConfigCommand, InitiateAuthCommand, ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand, SetUserPoolMfaConfigCommand, StartWebAuthnRegistrationCommand, UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, createClient, createPool, rejectsWith, startServer, uniq } from './harness.mjs';
import { SoftAuthenticator } from './soft-authenticator.mjs';

const PASSWORD = 'Passkey-Api-123';

for (const backend of backends()) {
  test(`passkey API [${backend}]`, async (t) => {
    const server = await startServer(backend);
    t.after(() => server.stop());
    const send = (cmd) => server.client.send(cmd);
    const pool = await createPool(server);
    const client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const username = uniq('api');
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS' }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    const signIn = async () => (await send(new InitiateAuthCommand({
      ClientId: client.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
    }))).AuthenticationResult.AccessToken;
    const token = await signIn();

    await t.test('no WebAuthnConfiguration, then a bad one, then WEB_AUTHN not among the first factors', async () => {
      await rejectsWith(send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'WebAuthnConfigurationMissingException');
      for (const RelyingPartyId of ['https://example.com', 'Example.com', 'a..b', '-x.com', 'x'.repeat(128)]) {
        await rejectsWith(send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId } })), 'InvalidParameterException', undefined, RelyingPartyId);
      }
      await rejectsWith(send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'sometimes' } })), 'InvalidParameterException');
      // AllowedOrigins (Cognate's member, so a raw call): origins only, at most 20.
      for (const AllowedOrigins of [['https://a.example/path'], ['ftp://a.example'], Array.from({ length: 21 }, (_, i) => `https://a${i}.example`), 'https://a.example']) {
        const res = await server.raw({ target: 'SetUserPoolMfaConfig', sign: true, body: { UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', AllowedOrigins } } });
        assert.equal(res.status, 400, JSON.stringify(AllowedOrigins));
        assert.equal(res.json.__type, 'InvalidParameterException');
      }
      const set = await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
      assert.deepEqual(set.WebAuthnConfiguration, { RelyingPartyId: 'localhost', UserVerification: 'required', FactorConfiguration: 'SINGLE_FACTOR' });
      const got = await send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }));
      assert.equal(got.WebAuthnConfiguration.UserVerification, 'required');
      await rejectsWith(send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'WebAuthnNotEnabledException');
    });

    await t.test('StartWebAuthnRegistration hands out creation options for the user', async () => {
      await send(new UpdateUserPoolCommand({ UserPoolId: pool.Id, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } }));
      // UpdateUserPool takes WebAuthnConfiguration too (Cognate's extension, so a raw call), checked as SetUserPoolMfaConfig checks it.
      const update = (WebAuthnConfiguration) => server.raw({ target: 'UpdateUserPool', sign: true, body: {
        UserPoolId: pool.Id, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } }, WebAuthnConfiguration,
      } });
      const bad = await update({ RelyingPartyId: 'Not A Domain' });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.__type, 'InvalidParameterException');
      assert.equal((await update({ RelyingPartyId: 'localhost', UserVerification: 'required' })).status, 200);
      assert.equal((await send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }))).WebAuthnConfiguration.RelyingPartyId, 'localhost');
      const me = await send(new GetUserAuthFactorsCommand({ AccessToken: token }));
      assert.deepEqual(me.ConfiguredUserAuthFactors, ['PASSWORD']);
      const { CredentialCreationOptions: o } = await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
      assert.equal(Buffer.from(o.challenge, 'base64url').length, 16);
      assert.deepEqual(o.rp, { id: 'localhost', name: pool.Name });
      assert.equal(o.user.name, username);
      assert.match(Buffer.from(o.user.id, 'base64url').toString(), /^[0-9a-f-]{36}$/, 'the user handle is the sub');
      assert.deepEqual(o.pubKeyCredParams.map((p) => p.alg), [-7, -8, -257]);
      assert.equal(o.authenticatorSelection.userVerification, 'required');
      assert.equal(o.authenticatorSelection.residentKey, 'required');
      assert.deepEqual(o.excludeCredentials, []);
      const again = await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
      assert.notEqual(again.CredentialCreationOptions.challenge, o.challenge, 'a fresh challenge each time');
    });

    await t.test('a broken credential is refused, and the registration cannot be answered twice', async () => {
      const credential = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: Buffer.from('not json').toString('base64url'), attestationObject: 'oA' }, clientExtensionResults: {} };
      // Not a JSON object at all: refused before the started registration is touched.
      await rejectsWith(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: 'not json' })), 'InvalidParameterException', /not JSON/);
      await rejectsWith(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: 5 })), 'InvalidParameterException', /JSON object/);
      await rejectsWith(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential })), 'InvalidParameterException', /passkey was refused/);
      await rejectsWith(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: credential })), 'WebAuthnChallengeNotFoundException');
      assert.deepEqual((await send(new ListWebAuthnCredentialsCommand({ AccessToken: token }))).Credentials, []);
      await rejectsWith(send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: 'AAAA' })), 'ResourceNotFoundException');
      await rejectsWith(send(new ListWebAuthnCredentialsCommand({ AccessToken: 'not-a-token' })), 'NotAuthorizedException');
    });

    await t.test('a software authenticator registers, signs in, is refused when its counter goes back, and is deleted', async () => {
      const device = new SoftAuthenticator();
      // This pool names no AllowedOrigins: http://localhost on any port is allowed for the RP ID localhost.
      const { CredentialCreationOptions } = await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
      await send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: device.create(CredentialCreationOptions) }));
      const listed = (await send(new ListWebAuthnCredentialsCommand({ AccessToken: token }))).Credentials;
      assert.equal(listed.length, 1);
      assert.equal(listed[0].CredentialId, device.id.toString('base64url'));
      assert.deepEqual(listed[0].AuthenticatorTransports, ['usb']);
      assert.equal(listed[0].AuthenticatorAttachment, 'cross-platform');
      // The same credential again is refused, and no second one appears.
      const again = await send(new StartWebAuthnRegistrationCommand({ AccessToken: token }));
      assert.deepEqual(again.CredentialCreationOptions.excludeCredentials.map((c) => c.id), [device.id.toString('base64url')]);
      await rejectsWith(send(new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: device.create(again.CredentialCreationOptions) })), 'WebAuthnCredentialNotSupportedException', /registered already/);
      assert.equal((await send(new ListWebAuthnCredentialsCommand({ AccessToken: token }))).Credentials.length, 1);

      const signIn = async () => {
        const started = await send(new InitiateAuthCommand({
          ClientId: client.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        }));
        assert.equal(started.ChallengeName, 'WEB_AUTHN');
        return send(new RespondToAuthChallengeCommand({
          ClientId: client.ClientId, ChallengeName: 'WEB_AUTHN', Session: started.Session,
          ChallengeResponses: { USERNAME: username, CREDENTIAL: device.get(JSON.parse(started.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS)) },
        }));
      };
      // CREDENTIAL missing, not JSON, or JSON without a credential in it.
      for (const [responses, message] of [[{}, /CREDENTIAL/], [{ CREDENTIAL: 'not json' }, /not JSON/], [{ CREDENTIAL: '{}' }, /passkey was refused/]]) {
        const started = await send(new InitiateAuthCommand({
          ClientId: client.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        }));
        await rejectsWith(send(new RespondToAuthChallengeCommand({
          ClientId: client.ClientId, ChallengeName: 'WEB_AUTHN', Session: started.Session, ChallengeResponses: { USERNAME: username, ...responses },
        })), 'InvalidParameterException', message);
      }
      const done = await signIn();
      assert.ok(done.AuthenticationResult.AccessToken);
      const factors = await send(new GetUserAuthFactorsCommand({ AccessToken: done.AuthenticationResult.AccessToken }));
      assert.deepEqual(factors.ConfiguredUserAuthFactors, ['PASSWORD', 'WEB_AUTHN']);
      const stored = device.counter;
      device.counter = 0;
      await rejectsWith(signIn(), 'NotAuthorizedException', /counter/);
      // A refused assertion far ahead (from an origin not allowed) leaves the stored counter alone:
      // the next one, below it, still signs in.
      device.origin = 'https://elsewhere.example';
      device.counter = stored + 10;
      await rejectsWith(signIn(), 'WebAuthnOriginNotAllowedException');
      device.origin = 'http://localhost:5173';
      device.counter = stored;
      assert.ok((await signIn()).AuthenticationResult);
      await send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: listed[0].CredentialId }));
      assert.deepEqual((await send(new ListWebAuthnCredentialsCommand({ AccessToken: token }))).Credentials, []);
    });

    await t.test('USER_AUTH: without a passkey WEB_AUTHN is not offered; a WEB_AUTHN answer out of turn is refused', async () => {
      const select = await send(new InitiateAuthCommand({
        ClientId: client.ClientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
      }));
      assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      await rejectsWith(send(new RespondToAuthChallengeCommand({
        ClientId: client.ClientId, ChallengeName: 'SELECT_CHALLENGE', Session: select.Session,
        ChallengeResponses: { USERNAME: username, ANSWER: 'WEB_AUTHN', CREDENTIAL: '{}' },
      })), 'InvalidParameterException', /not one of the available/);
    });
  });
}
