// USER_AUTH, choice-based sign-in: SELECT_CHALLENGE with the factors the pool allows and the user
// can use, PREFERRED_CHALLENGE, passwordless EMAIL_OTP and SMS_OTP with codes from the outbox, and
// the password factors. Through the AWS SDK, every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, InitiateAuthCommand, RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, createClient, createPool, rejectsWith, startServer, uniq } from './harness.mjs';

const PASSWORD = 'Choice-Pass-123';
// A valid SRP_A (g^a mod N for a small a is fine for starting the exchange).
const SRP_A = (2n ** 300n).toString(16);

for (const backend of backends()) {
  test(`USER_AUTH choice-based sign-in [${backend}]`, async (t) => {
    const server = await startServer(backend);
    t.after(() => server.stop());
    const send = (cmd) => server.client.send(cmd);
    const pool = await createPool(server, {
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
    });
    const client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const username = uniq('choice');
    const email = `${username}@example.com`;
    const phone = `+1650555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    await send(new AdminCreateUserCommand({
      UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' },
        { Name: 'phone_number', Value: phone }, { Name: 'phone_number_verified', Value: 'true' },
      ],
    }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    const start = (extra = {}, name = username, clientId = client.ClientId) => send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: name, ...extra },
    }));
    const respond = (prev, name, responses) => send(new RespondToAuthChallengeCommand({
      ClientId: client.ClientId, ChallengeName: name, Session: prev.Session, ChallengeResponses: { USERNAME: username, ...responses },
    }));
    const codeTo = async (to, count) => {
      const messages = await server.waitForOutbox({ to }, (m) => m.length >= count);
      assert.equal(messages.length, count);
      return messages.at(-1).body.match(/(\d{6})/)[1];
    };

    await t.test('SELECT_CHALLENGE lists the factors; EMAIL_OTP signs in without a password', async () => {
      const select = await start();
      assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
      const otp = await respond(select, 'SELECT_CHALLENGE', { ANSWER: 'EMAIL_OTP' });
      assert.equal(otp.ChallengeName, 'EMAIL_OTP');
      assert.equal(otp.ChallengeParameters.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      const done = await respond(otp, 'EMAIL_OTP', { EMAIL_OTP_CODE: await codeTo(email, 1) });
      assert.ok(done.AuthenticationResult.AccessToken);
    });

    await t.test('PREFERRED_CHALLENGE SMS_OTP goes straight to the code; a wrong code is refused', async () => {
      const first = await start({ PREFERRED_CHALLENGE: 'SMS_OTP' });
      assert.equal(first.ChallengeName, 'SMS_OTP');
      const sent = await codeTo(phone, 1);
      await rejectsWith(respond(first, 'SMS_OTP', { SMS_OTP_CODE: sent === '000000' ? '111111' : '000000' }), 'CodeMismatchException');
      const second = await start({ PREFERRED_CHALLENGE: 'SMS_OTP' });
      const done = await respond(second, 'SMS_OTP', { SMS_OTP_CODE: await codeTo(phone, 2) });
      assert.ok(done.AuthenticationResult.IdToken);
    });

    await t.test('the password factors: PASSWORD in one step, PASSWORD_SRP on to PASSWORD_VERIFIER', async () => {
      const direct = await start({ PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
      assert.ok(direct.AuthenticationResult.AccessToken);
      await rejectsWith(start({ PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Wrong-Pass-123' }), 'NotAuthorizedException');
      const select = await start();
      const viaPassword = await respond(select, 'SELECT_CHALLENGE', { ANSWER: 'PASSWORD', PASSWORD });
      assert.ok(viaPassword.AuthenticationResult.AccessToken);
      const again = await start();
      const srp = await respond(again, 'SELECT_CHALLENGE', { ANSWER: 'PASSWORD_SRP', SRP_A });
      assert.equal(srp.ChallengeName, 'PASSWORD_VERIFIER');
      assert.ok(srp.ChallengeParameters.SALT && srp.ChallengeParameters.SRP_B && srp.ChallengeParameters.SECRET_BLOCK);
      // A factor that was not offered is refused.
      await rejectsWith(respond(await start(), 'SELECT_CHALLENGE', { ANSWER: 'WEB_AUTHN' }), 'InvalidParameterException');
    });

    await t.test('unknown users are offered the password factors, as anyone with a password is', async () => {
      const ghost = await start({}, uniq('ghost'));
      assert.equal(ghost.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(ghost.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      await rejectsWith(start({ PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }, uniq('ghost')), 'NotAuthorizedException');
    });

    await t.test('clients without ALLOW_USER_AUTH cannot use it', async () => {
      const other = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] });
      await rejectsWith(start({}, username, other.ClientId), 'InvalidParameterException');
    });
  });
}
