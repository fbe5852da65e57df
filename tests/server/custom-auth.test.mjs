// CUSTOM_AUTH through the define, create and verify auth challenge triggers (signed webhooks):
// passwordless with the AWS SDK, and after the password with amazon-cognito-identity-js's own SRP
// and its customChallenge callback; the session history define sees; Cognito's refusals.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import {
  AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolCommand, InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { backends, createClient, rejectsWith, startServer, strongPassword, uniq, uniqEmail } from './harness.mjs';
import { receiver } from './webhooks.mjs';

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

for (const backend of backends()) {
  describe(`custom authentication [${backend}]`, { timeout: 300_000 }, () => {
    let server, hooks, send, poolId, clientId, name, password;

    before(async () => {
      hooks = await receiver();
      server = await startServer(backend, { env: { COGNATE_TRIGGER_TIMEOUT_MS: '2000' } });
      await hooks.trust(server.dataDir);
      send = (c) => server.client.send(c);
      // define: password first when the client started with SRP_A; then one question, three tries.
      hooks.on('/define', (event) => {
        const session = event.request.session;
        const last = session[session.length - 1];
        if (session.length && last.challengeName === 'SRP_A') return { response: { challengeName: 'PASSWORD_VERIFIER', issueTokens: false, failAuthentication: false } };
        if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) return { response: { issueTokens: true, failAuthentication: false } };
        if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= 3) return { response: { issueTokens: false, failAuthentication: true } };
        return { response: { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false } };
      });
      hooks.on('/create', (event) => ({ response: {
        publicChallengeParameters: { question: 'six times seven?' },
        privateChallengeParameters: { answer: '42' },
        challengeMetadata: `Q${event.request.session.length}`,
      } }));
      hooks.on('/verify', (event) => ({ response: { answerCorrect: event.request.challengeAnswer === event.request.privateChallengeParameters.answer } }));
      const { UserPool } = await send(new CreateUserPoolCommand({
        PoolName: uniq('custom'),
        LambdaConfig: { DefineAuthChallenge: `${hooks.url}/define`, CreateAuthChallenge: `${hooks.url}/create`, VerifyAuthChallengeResponse: `${hooks.url}/verify` },
      }));
      poolId = UserPool.Id;
      clientId = (await createClient(server, poolId, { ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })).ClientId;
      name = uniq('cu');
      password = strongPassword();
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: name, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: uniqEmail() }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: name, Password: password, Permanent: true }));
    });
    after(async () => {
      await server?.stop();
      await hooks?.close();
    });

    const start = () => send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: name } }));
    const reply = (session, answer) => send(new RespondToAuthChallengeCommand({
      ClientId: clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: session, ChallengeResponses: { USERNAME: name, ANSWER: answer },
    }));

    test('passwordless: a custom challenge, a wrong answer, then the right one gives tokens', async () => {
      const first = await start();
      assert.equal(first.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.equal(first.ChallengeParameters.question, 'six times seven?');
      assert.equal(first.ChallengeParameters.USERNAME, name);
      assert.equal(first.ChallengeParameters.answer, undefined, 'private parameters stay private');
      const second = await reply(first.Session, '41');
      assert.equal(second.ChallengeName, 'CUSTOM_CHALLENGE');
      const done = await reply(second.Session, '42');
      assert.equal(claimsOf(done.AuthenticationResult.AccessToken).username, name);
      const defines = hooks.callsTo('/define').slice(-3).map((c) => c.event.request.session);
      assert.deepEqual(defines[2], [
        { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'Q0' },
        { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'Q1' },
      ]);
      const verify = hooks.callsTo('/verify').slice(-1)[0];
      assert.equal(verify.verified, true);
      assert.equal(verify.event.triggerSource, 'VerifyAuthChallengeResponse_Authentication');
      assert.deepEqual(verify.event.request.privateChallengeParameters, { answer: '42' });
      // A Session is good for one answer.
      await rejectsWith(reply(second.Session, '42'), 'NotAuthorizedException');
    });

    test('three wrong answers: define fails the sign-in as a wrong password', async () => {
      let step = await start();
      step = await reply(step.Session, 'a');
      step = await reply(step.Session, 'b');
      await rejectsWith(reply(step.Session, 'c'), 'NotAuthorizedException', /^Incorrect username or password\.$/);
    });

    test('amazon-cognito-identity-js: SRP first, then the custom challenge, through its callbacks', async () => {
      const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
      const signIn = (pw) => new Promise((resolve, reject) => {
        const user = new CognitoUser({ Username: name, Pool: pool });
        user.setAuthenticationFlowType('CUSTOM_AUTH');
        user.authenticateUser(new AuthenticationDetails({ Username: name, Password: pw }), {
          onSuccess: (session) => resolve(session),
          onFailure: reject,
          customChallenge(parameters) {
            assert.equal(parameters.question, 'six times seven?');
            user.sendCustomChallengeAnswer('42', this);
          },
        });
      });
      const session = await signIn(password);
      assert.equal(session.getAccessToken().payload.username, name);
      const define = hooks.callsTo('/define').slice(-3).map((c) => c.event.request.session.map((s) => s.challengeName));
      assert.deepEqual(define, [['SRP_A'], ['SRP_A', 'PASSWORD_VERIFIER'], ['SRP_A', 'PASSWORD_VERIFIER', 'CUSTOM_CHALLENGE']]);
      // A wrong password ends it before any custom challenge is made.
      const creates = hooks.callsTo('/create').length;
      await assert.rejects(signIn('Wrong-Password-1'), (err) => err.code === 'NotAuthorizedException');
      assert.equal(hooks.callsTo('/create').length, creates);
    });

    test('refusals: the flow not allowed for the client, the triggers missing, an unknown user', async () => {
      const noCustom = (await createClient(server, poolId, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] })).ClientId;
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: noCustom, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: name } })), 'InvalidParameterException', /CUSTOM_AUTH/);
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: uniq('bare') }));
      const bare = (await createClient(server, UserPool.Id, { ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH'] })).ClientId;
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: bare, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'x' } })), 'InvalidParameterException', /^Custom auth lambda trigger is not configured for the user pool\.$/);
      // An unknown user gets a challenge as anyone does (the triggers hear userNotFound), and never tokens.
      const ghost = uniq('ghost');
      const asked = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: ghost } }));
      assert.equal(asked.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.equal(hooks.callsTo('/define').slice(-1)[0].event.request.userNotFound, true);
      await rejectsWith(send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: asked.Session, ChallengeResponses: { USERNAME: ghost, ANSWER: '42' } })), 'NotAuthorizedException');
    });
  });
}
