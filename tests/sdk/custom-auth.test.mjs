// cognate-auth's custom authentication in Chromium: signIn with CUSTOM_WITHOUT_SRP and
// CUSTOM_WITH_SRP against a real server whose define / create / verify auth challenge triggers are
// signed webhooks answered here; each custom challenge is a next step answered with confirmSignIn.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createClient, startServer, uniq } from '../server/harness.mjs';
import { receiver } from '../server/webhooks.mjs';
import { launch, openPage, servePackage } from './page.mjs';

const PASSWORD = 'Browser-Pass-123';

describe('cognate-auth custom authentication in Chromium', { timeout: 240_000 }, () => {
  let server, hooks, site, browser, options, username;

  before(async () => {
    hooks = await receiver();
    server = await startServer('sqlite');
    await hooks.trust(server.dataDir);
    hooks.on('/define', (event) => {
      const session = event.request.session;
      const last = session.at(-1);
      if (last?.challengeName === 'SRP_A') return { response: { challengeName: 'PASSWORD_VERIFIER' } };
      if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) return { response: { issueTokens: true } };
      if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= 2) return { response: { failAuthentication: true } };
      return { response: { challengeName: 'CUSTOM_CHALLENGE' } };
    });
    hooks.on('/create', () => ({ response: { publicChallengeParameters: { question: 'capital of France?' }, privateChallengeParameters: { answer: 'paris' } } }));
    hooks.on('/verify', (e) => ({ response: { answerCorrect: e.request.challengeAnswer.toLowerCase() === e.request.privateChallengeParameters.answer } }));
    const { UserPool } = await server.client.send(new CreateUserPoolCommand({
      PoolName: uniq('sdk-custom'),
      LambdaConfig: { DefineAuthChallenge: `${hooks.url}/define`, CreateAuthChallenge: `${hooks.url}/create`, VerifyAuthChallengeResponse: `${hooks.url}/verify` },
    }));
    const client = await createClient(server, UserPool.Id, { ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    username = uniq('cust');
    await server.client.send(new AdminCreateUserCommand({ UserPoolId: UserPool.Id, Username: username, MessageAction: 'SUPPRESS' }));
    await server.client.send(new AdminSetUserPasswordCommand({ UserPoolId: UserPool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    options = { userPoolId: UserPool.Id, clientId: client.ClientId, endpoint: `${server.endpoint}/` };
    site = await servePackage();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
    await hooks?.close();
  });

  const run = async (flow, password, answers) => {
    const context = await browser.newContext();
    try {
      const page = await openPage(context, site.url);
      return await page.evaluate(async ([o, u, p, f, replies]) => {
        const auth = new window.sdk.CognateAuth(o);
        const steps = [await auth.signIn({ username: u, password: p, flow: f })];
        for (const reply of replies) {
          try {
            steps.push(await auth.confirmSignIn({ challengeResponse: reply }));
          } catch (e) {
            steps.push({ error: e.name, message: e.message });
          }
        }
        return steps;
      }, [options, username, password, flow, answers]);
    } finally {
      await context.close();
    }
  };

  test('CUSTOM_WITHOUT_SRP: the challenge as a next step, a wrong answer, then the right one', async () => {
    const [first, second, third] = await run('CUSTOM_WITHOUT_SRP', undefined, ['lyon', 'Paris']);
    assert.equal(first.isSignedIn, false);
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    assert.equal(first.nextStep.challengeName, 'CUSTOM_CHALLENGE');
    assert.equal(first.nextStep.challengeParameters.question, 'capital of France?');
    assert.equal(second.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
    assert.equal(third.isSignedIn, true);
    assert.equal(third.session.username, username);
  });

  test('CUSTOM_WITH_SRP: the password proof first, then the custom challenge; two wrong answers end it', async () => {
    const [first, done] = await run('CUSTOM_WITH_SRP', PASSWORD, ['paris']);
    assert.equal(first.nextStep.challengeName, 'CUSTOM_CHALLENGE');
    assert.equal(done.isSignedIn, true);
    const define = hooks.callsTo('/define').slice(-3).map((c) => c.event.request.session.map((s) => s.challengeName));
    assert.deepEqual(define[0], ['SRP_A']);
    assert.deepEqual(define[1], ['SRP_A', 'PASSWORD_VERIFIER']);
    const [, , failed] = await run('CUSTOM_WITHOUT_SRP', undefined, ['a', 'b']);
    assert.equal(failed.error, 'NotAuthorizedException');
  });
});
