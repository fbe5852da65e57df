// Authenticator-app MFA (TOTP): the pool's MFA configuration, amazon-cognito-identity-js's own
// associateSoftwareToken / verifySoftwareToken / setUserMfaPreference and its totpRequired sign-in,
// MFA_SETUP through the AWS SDK, and the refusals: wrong, replayed and stale codes. Every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserMFAPreferenceCommand, AdminSetUserPasswordCommand, AssociateSoftwareTokenCommand,
  DescribeUserPoolCommand, GetUserCommand, GetUserPoolMfaConfigCommand, InitiateAuthCommand, RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand, SetUserPoolMfaConfigCommand, VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { backends, createClient, createPool, rejectsWith, startServer, uniq } from './harness.mjs';
import { totp, wrongCode } from './totp.mjs';

const PASSWORD = 'Second-Factor-9';

function idjsUser(server, poolId, clientId, username) {
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  return new CognitoUser({ Username: username, Pool: pool });
}

/** Signs in with idjs; resolves with { session } or { totp: answer(code) → Promise<session> }. */
function idjsSignIn(user, username) {
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      totpRequired: () => resolve({
        totp: (code) => new Promise((ok, fail) => user.sendMFACode(code, { onSuccess: ok, onFailure: fail }, 'SOFTWARE_TOKEN_MFA')),
      }),
      mfaSetup: () => reject(new Error('unexpected MFA_SETUP')),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), callbacks);
  });
}

for (const backend of backends()) {
  test(`authenticator-app MFA [${backend}]`, async (t) => {
    const server = await startServer(backend);
    t.after(() => server.stop());
    const send = (cmd) => server.client.send(cmd);
    const flows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
    const makeUser = async (poolId, name) => {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: name, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: name, Password: PASSWORD, Permanent: true }));
    };

    await t.test('the pool MFA configuration round-trips; ON or OPTIONAL needs a factor', async () => {
      const pool = await createPool(server);
      await rejectsWith(send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'ON' })), 'InvalidParameterException',
        /^At least one of \[SmsMfaConfiguration\] or \[SoftwareTokenMfaConfiguration\] must be provided\.$/);
      // cognito's wording, which names the wrong member for a missing SmsConfiguration.
      await rejectsWith(send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'ON', SmsMfaConfiguration: {} })),
        'InvalidParameterException', /^\[SmsConfiguration\] is a required member of \[SoftwareTokenMfaConfiguration\]\.$/);
      await rejectsWith(send(new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.Id, MfaConfiguration: 'Invalid', SoftwareTokenMfaConfiguration: { Enabled: true },
      })), 'InvalidParameterException', /^\[MfaConfiguration\] must be one of 'ON', 'OFF', or 'OPTIONAL'\.$/);
      const set = await send(new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true },
      }));
      assert.equal(set.MfaConfiguration, 'OPTIONAL');
      const got = await send(new GetUserPoolMfaConfigCommand({ UserPoolId: pool.Id }));
      assert.deepEqual([got.MfaConfiguration, got.SoftwareTokenMfaConfiguration.Enabled], ['OPTIONAL', true]);
      assert.equal((await send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool.MfaConfiguration, 'OPTIONAL');
    });

    await t.test('amazon-cognito-identity-js sets up an authenticator app and signs in with it', async () => {
      const pool = await createPool(server);
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const client = await createClient(server, pool.Id, { ExplicitAuthFlows: flows });
      const username = uniq('totp');
      await makeUser(pool.Id, username);
      const user = idjsUser(server, pool.Id, client.ClientId, username);
      const first = await idjsSignIn(user, username);
      assert.ok(first.session?.isValid(), 'no MFA before one is set up');
      // SetUserMFAPreference cannot enable a factor that was never verified.
      await rejectsWith(send(new SetUserMFAPreferenceCommand({
        AccessToken: first.session.getAccessToken().getJwtToken(), SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      })), 'InvalidParameterException', /not verified/);
      const secret = await new Promise((resolve, reject) => {
        user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject });
      });
      assert.match(secret, /^[A-Z2-7]{32}$/);
      const wrong = await new Promise((resolve) => {
        user.verifySoftwareToken(wrongCode(secret), 'phone', { onSuccess: () => resolve(null), onFailure: resolve });
      });
      assert.equal(wrong?.code ?? wrong?.name, 'EnableSoftwareTokenMFAException');
      // Nothing half-changed: the refused code left the factor unverified.
      await rejectsWith(send(new SetUserMFAPreferenceCommand({
        AccessToken: first.session.getAccessToken().getJwtToken(), SoftwareTokenMfaSettings: { Enabled: true },
      })), 'InvalidParameterException', /not verified/);
      const stale = await new Promise((resolve) => {
        user.verifySoftwareToken(totp(secret, -3), 'phone', { onSuccess: () => resolve(null), onFailure: resolve });
      });
      assert.equal(stale?.code ?? stale?.name, 'EnableSoftwareTokenMFAException', 'a code 90 s old has expired');
      await new Promise((resolve, reject) => {
        user.verifySoftwareToken(totp(secret), 'phone', { onSuccess: resolve, onFailure: reject });
      });
      await new Promise((resolve, reject) => {
        user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, (err, r) => (err ? reject(err) : resolve(r)));
      });
      const admin = await send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: username }));
      assert.deepEqual([admin.UserMFASettingList, admin.PreferredMfaSetting], [['SOFTWARE_TOKEN_MFA'], 'SOFTWARE_TOKEN_MFA']);

      // Next sign-in: idjs's totpRequired callback, answered with the app's next code (the
      // current one was spent on the verification).
      const second = await idjsSignIn(user, username);
      assert.ok(second.totp, 'SOFTWARE_TOKEN_MFA is asked for');
      const code = totp(secret, 1);
      const session = await second.totp(code);
      assert.ok(session.isValid());
      const me = await send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() }));
      assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);

      // The same code again is refused (no replay: ExpiredCodeException, as Cognito says), and so is
      // a wrong one: each ends that attempt.
      const replay = await idjsSignIn(user, username);
      await assert.rejects(replay.totp(code), (e) => e.code === 'ExpiredCodeException' && /already been used once/.test(e.message));
      const guessed = await idjsSignIn(user, username);
      await assert.rejects(guessed.totp(wrongCode(secret)), (e) => e.code === 'CodeMismatchException');
    });

    await t.test('a pool that requires MFA sets it up during sign-in (MFA_SETUP)', async () => {
      const pool = await createPool(server);
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: pool.Id, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const client = await createClient(server, pool.Id, { ExplicitAuthFlows: flows });
      const username = uniq('setup');
      await makeUser(pool.Id, username);
      const signIn = () => send(new InitiateAuthCommand({
        ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
      }));
      const started = await signIn();
      assert.equal(started.ChallengeName, 'MFA_SETUP');
      assert.equal(started.AuthenticationResult, undefined);
      // Finishing before a verified app is refused.
      await rejectsWith(send(new RespondToAuthChallengeCommand({
        ClientId: client.ClientId, ChallengeName: 'MFA_SETUP', Session: started.Session, ChallengeResponses: { USERNAME: username },
      })), 'InvalidParameterException');
      const again = await signIn();
      const associated = await send(new AssociateSoftwareTokenCommand({ Session: again.Session }));
      await rejectsWith(send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: wrongCode(associated.SecretCode) })),
        'EnableSoftwareTokenMFAException');
      const third = await signIn();
      const secret = (await send(new AssociateSoftwareTokenCommand({ Session: third.Session }))).SecretCode;
      const verified = await send(new VerifySoftwareTokenCommand({ Session: third.Session, UserCode: totp(secret), FriendlyDeviceName: 'phone' }));
      assert.equal(verified.Status, 'SUCCESS');
      const done = await send(new RespondToAuthChallengeCommand({
        ClientId: client.ClientId, ChallengeName: 'MFA_SETUP', Session: verified.Session, ChallengeResponses: { USERNAME: username },
      }));
      assert.ok(done.AuthenticationResult.AccessToken);
      // From now on the app's code is asked for.
      const next = await signIn();
      assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const tokens = await send(new RespondToAuthChallengeCommand({
        ClientId: client.ClientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: next.Session,
        ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: totp(secret, 1) },
      }));
      assert.ok(tokens.AuthenticationResult.IdToken);
      // Wrong codes count toward the lockout, like wrong passwords.
      for (let i = 0; i < 5; i += 1) {
        const attempt = await signIn();
        await rejectsWith(send(new RespondToAuthChallengeCommand({
          ClientId: client.ClientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: attempt.Session,
          ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: wrongCode(secret) },
        })), 'CodeMismatchException');
      }
      await rejectsWith(signIn(), 'NotAuthorizedException', /attempts exceeded/);
    });

    await t.test('codes by email and SMS, a choice between factors, and wrong codes toward the lockout', async () => {
      const pool = await createPool(server);
      await send(new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true },
        SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your Cognate code: {####}', SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/CognitoSms' } },
        EmailMfaConfiguration: { Subject: 'Sign-in code', Message: 'Sign in with {####}' },
      }));
      const client = await createClient(server, pool.Id, { ExplicitAuthFlows: flows });
      const username = uniq('codes');
      const [email, phone] = [`${username}@example.com`, `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`];
      await send(new AdminCreateUserCommand({
        UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: email }, { Name: 'phone_number', Value: phone }],
      }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
      const signIn = () => send(new InitiateAuthCommand({
        ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
      }));
      const respond = (started, name, responses) => send(new RespondToAuthChallengeCommand({
        ClientId: client.ClientId, ChallengeName: name, Session: started.Session, ChallengeResponses: { USERNAME: username, ...responses },
      }));
      const codeTo = async (to, count) => {
        const messages = await server.waitForOutbox({ to }, (m) => m.length >= count);
        assert.equal(messages.length, count, `message ${count} to ${to}`);
        return messages.at(-1).body.match(/(\d{6})/)[1];
      };

      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.Id, Username: username, EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const byEmail = await signIn();
      assert.equal(byEmail.ChallengeName, 'EMAIL_OTP');
      assert.equal(byEmail.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      assert.equal(byEmail.ChallengeParameters.CODE_DELIVERY_DESTINATION, `${username[0]}***@e***`);
      const emailed = await codeTo(email, 1);
      await rejectsWith(respond(byEmail, 'EMAIL_OTP', { EMAIL_OTP_CODE: emailed === '000000' ? '111111' : '000000' }), 'CodeMismatchException');
      const retry = await signIn();
      const second = await codeTo(email, 2);
      await rejectsWith(respond(retry, 'EMAIL_OTP', { EMAIL_OTP_CODE: emailed === second ? '999999' : emailed }), 'CodeMismatchException', undefined, 'an earlier code does not work');
      const third = await signIn();
      const ok = await respond(third, 'EMAIL_OTP', { EMAIL_OTP_CODE: await codeTo(email, 3) });
      assert.ok(ok.AuthenticationResult.AccessToken);

      // SMS and email both on, none preferred: the user chooses.
      await send(new AdminSetUserMFAPreferenceCommand({
        UserPoolId: pool.Id, Username: username,
        EmailMfaSettings: { Enabled: true, PreferredMfa: false }, SMSMfaSettings: { Enabled: true, PreferredMfa: false },
      }));
      const choose = await signIn();
      assert.equal(choose.ChallengeName, 'SELECT_MFA_TYPE');
      assert.deepEqual(JSON.parse(choose.ChallengeParameters.MFAS_CAN_CHOOSE), ['SMS_MFA', 'EMAIL_OTP']);
      await rejectsWith(respond(choose, 'SELECT_MFA_TYPE', { ANSWER: 'SOFTWARE_TOKEN_MFA' }), 'InvalidParameterException');
      const choose2 = await signIn();
      const sms = await respond(choose2, 'SELECT_MFA_TYPE', { ANSWER: 'SMS_MFA' });
      assert.equal(sms.ChallengeName, 'SMS_MFA');
      assert.equal(sms.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      const texted = await codeTo(phone, 1);
      const done = await respond(sms, 'SMS_MFA', { SMS_MFA_CODE: texted });
      assert.ok(done.AuthenticationResult.IdToken);

      // Sending is rate-limited per destination: five codes an hour.
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.Id, Username: username, SMSMfaSettings: { Enabled: false } }));
      assert.equal((await signIn()).ChallengeName, 'EMAIL_OTP');
      assert.equal((await signIn()).ChallengeName, 'EMAIL_OTP');
      await rejectsWith(signIn(), 'LimitExceededException');
    });

    await t.test("amazon-cognito-identity-js answers SMS MFA through its mfaRequired callback", async () => {
      const pool = await createPool(server);
      await send(new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code {####}', SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/CognitoSms' } },
      }));
      const client = await createClient(server, pool.Id, { ExplicitAuthFlows: flows });
      const username = uniq('sms');
      const phone = `+1628555${String(Math.floor(Math.random() * 9000) + 1000)}`;
      await send(new AdminCreateUserCommand({
        UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'phone_number', Value: phone }],
      }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
      await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.Id, Username: username, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const user = idjsUser(server, pool.Id, client.ClientId, username);
      const session = await new Promise((resolve, reject) => {
        const callbacks = {
          onSuccess: resolve,
          onFailure: reject,
          mfaRequired: async (challengeName, parameters) => {
            try {
              assert.equal(challengeName, 'SMS_MFA');
              assert.equal(parameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
              const messages = await server.waitForOutbox({ to: phone });
              user.sendMFACode(messages.at(-1).body.match(/(\d{6})/)[1], callbacks);
            } catch (err) {
              reject(err);
            }
          },
        };
        user.authenticateUser(new AuthenticationDetails({ Username: username, Password: PASSWORD }), callbacks);
      });
      assert.ok(session.isValid());
      assert.equal(session.getIdToken().payload.phone_number, phone);
    });
  });
}
