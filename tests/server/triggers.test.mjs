// Cognito's Lambda triggers as signed webhooks: the LambdaConfig that configures them, each
// trigger's event and what its answer changes, and Cognito's exceptions for every way a trigger can
// fail. The receivers verify every call's signature with the `standardwebhooks` library.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  AdminCreateUserCommand, AdminGetUserCommand, AdminInitiateAuthCommand, AdminSetUserPasswordCommand,
  ConfirmSignUpCommand, CreateUserPoolCommand, DescribeUserPoolCommand, ForgotPasswordCommand, InitiateAuthCommand,
  SignUpCommand, UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { attrMap, backends, createClient, rejectsWith, startServer, strongPassword, uniq, uniqEmail } from './harness.mjs';
import { receiver } from './webhooks.mjs';

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'];

for (const backend of backends()) {
  describe(`triggers [${backend}]`, { timeout: 300_000 }, () => {
    let server, hooks, send;
    const pool = async (lambda, extra = {}) => {
      const { UserPool } = await send(new CreateUserPoolCommand({
        PoolName: uniq('trig'), AutoVerifiedAttributes: ['email'], LambdaConfig: lambda, ...extra,
      }));
      const client = await createClient(server, UserPool.Id, { ExplicitAuthFlows: FLOWS });
      return { id: UserPool.Id, client: client.ClientId };
    };
    const hook = (p) => `${hooks.url}${p}`;

    before(async () => {
      hooks = await receiver();
      server = await startServer(backend, {
        env: { COGNATE_TRIGGER_TIMEOUT_MS: '1000', COGNATE_TRIGGER_FUNCTIONS: `migrator=${hooks.url}/arn-migrate` },
      });
      await hooks.trust(server.dataDir);
      send = (c) => server.client.send(c);
    });
    after(async () => {
      await server?.stop();
      await hooks?.close();
    });

    test('LambdaConfig: URLs and known Lambda ARNs are kept and shown; others refused', async () => {
      const arn = 'arn:aws:lambda:us-east-1:000000000000:function:migrator';
      const p = await pool({ PreSignUp: hook('/a'), UserMigration: arn, PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: hook('/t') } });
      const { UserPool } = await send(new DescribeUserPoolCommand({ UserPoolId: p.id }));
      assert.equal(UserPool.LambdaConfig.PreSignUp, hook('/a'));
      assert.equal(UserPool.LambdaConfig.UserMigration, arn);
      assert.deepEqual(UserPool.LambdaConfig.PreTokenGenerationConfig, { LambdaVersion: 'V2_0', LambdaArn: hook('/t') });
      for (const bad of [
        { PreSignUp: 'http://example.com/hook' },
        { PreSignUp: 'arn:aws:lambda:us-east-1:000000000000:function:nobody' },
        { PreSignUp: 'not a url' },
        { PreTokenGeneration: hook('/x'), PreTokenGenerationConfig: { LambdaVersion: 'V1_0', LambdaArn: hook('/y') } },
      ]) {
        await rejectsWith(send(new UpdateUserPoolCommand({ UserPoolId: p.id, LambdaConfig: bad })), 'InvalidParameterException', /LambdaConfig|PreTokenGeneration/);
      }
    });

    test('PreSignUp: Cognito\'s event, signed; autoConfirmUser and autoVerifyEmail apply; PostConfirmation follows', async () => {
      const p = await pool({ PreSignUp: hook('/pre-sign-up'), PostConfirmation: hook('/post-confirmation') });
      hooks.on('/pre-sign-up', () => ({ response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false } }));
      const email = uniqEmail('auto');
      const name = uniq('auto');
      const out = await send(new SignUpCommand({
        ClientId: p.client, Username: name, Password: strongPassword(),
        UserAttributes: [{ Name: 'email', Value: email }], ValidationData: [{ Name: 'invite', Value: 'yes' }],
        ClientMetadata: { from: 'test' },
      }));
      assert.equal(out.UserConfirmed, true);
      const [call] = hooks.callsTo('/pre-sign-up').slice(-1);
      assert.equal(call.verified, true, 'signed with the trigger secret');
      assert.equal(call.trigger, 'PreSignUp');
      assert.match(call.id, /^msg_/);
      const e = call.event;
      assert.equal(e.version, '1');
      assert.equal(e.triggerSource, 'PreSignUp_SignUp');
      assert.equal(e.region, 'us-east-1');
      assert.equal(e.userPoolId, p.id);
      assert.equal(e.userName, name);
      assert.equal(e.callerContext.clientId, p.client);
      assert.equal(e.request.userAttributes.email, email);
      assert.deepEqual(e.request.validationData, { invite: 'yes' });
      assert.deepEqual(e.request.clientMetadata, { from: 'test' });
      const user = await send(new AdminGetUserCommand({ UserPoolId: p.id, Username: name }));
      assert.equal(user.UserStatus, 'CONFIRMED');
      assert.equal(attrMap(user.UserAttributes).email_verified, 'true');
      assert.deepEqual(await server.outbox({ poolId: p.id, to: email }), [], 'no code for an auto-confirmed user');
      const [post] = hooks.callsTo('/post-confirmation').slice(-1);
      assert.equal(post.event.triggerSource, 'PostConfirmation_ConfirmSignUp');
      assert.equal(post.event.request.userAttributes['cognito:user_status'], 'CONFIRMED');
    });

    test('PreSignUp failures: the function\'s error, a timeout, a 500, garbage; no user is created', async () => {
      const p = await pool({ PreSignUp: hook('/refuse') });
      const attempt = (name) => send(new SignUpCommand({ ClientId: p.client, Username: name, Password: strongPassword(), UserAttributes: [{ Name: 'email', Value: uniqEmail() }] }));
      const cases = [
        [{ status: 400, json: { errorType: 'Error', errorMessage: 'Registration from this domain is not allowed' } }, 'UserLambdaValidationException', /^PreSignUp failed with error Registration from this domain is not allowed\.$/],
        [{ hang: true }, 'UnexpectedLambdaException', /^PreSignUp invocation failed due to error Socket timeout while invoking Lambda function\.$/],
        [{ status: 500, body: 'oops' }, 'UnexpectedLambdaException', /PreSignUp invocation failed/],
        [{ status: 200, body: 'not json' }, 'InvalidLambdaResponseException', /Unrecognizable lambda output/],
        [{ status: 200, json: { response: { autoConfirmUser: 'yes' } } }, 'InvalidLambdaResponseException', /Unrecognizable lambda output/],
      ];
      for (const [answer, type, message] of cases) {
        hooks.on('/refuse', () => answer);
        const name = uniq('nope');
        await rejectsWith(attempt(name), type, message, JSON.stringify(answer));
        await rejectsWith(send(new AdminGetUserCommand({ UserPoolId: p.id, Username: name })), 'UserNotFoundException');
      }
    });

    test('PreAuthentication refuses a sign-in; PostAuthentication hears a successful one', async () => {
      const p = await pool({ PreAuthentication: hook('/pre-auth'), PostAuthentication: hook('/post-auth') });
      const name = uniq('u');
      const password = strongPassword();
      await send(new AdminCreateUserCommand({ UserPoolId: p.id, Username: name, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: p.id, Username: name, Password: password, Permanent: true }));
      const signIn = () => send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } }));
      hooks.on('/pre-auth', () => ({ status: 400, json: { errorMessage: 'Not today' } }));
      await rejectsWith(signIn(), 'UserLambdaValidationException', /^PreAuthentication failed with error Not today\.$/);
      assert.equal(hooks.callsTo('/post-auth').length, 0);
      hooks.on('/pre-auth', () => ({}));
      const ok = await signIn();
      assert.ok(ok.AuthenticationResult.AccessToken);
      const [pre] = hooks.callsTo('/pre-auth').slice(-1);
      assert.equal(pre.event.triggerSource, 'PreAuthentication_Authentication');
      const [post] = hooks.callsTo('/post-auth').slice(-1);
      assert.equal(post.event.triggerSource, 'PostAuthentication_Authentication');
      assert.equal(post.event.callerContext.clientId, p.client);
      assert.equal(post.verified, true);
    });

    test('PreTokenGeneration V2_0: claims and scopes added and suppressed, groups replaced, protected claims kept; on refresh too', async () => {
      const p = await pool({ PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: hook('/pre-token') } });
      hooks.on('/pre-token', (event) => ({
        response: {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride: { tenant: 't-1', sub: 'forged', level: 3 }, claimsToSuppress: ['email'] },
            accessTokenGeneration: { claimsToAddOrOverride: { roles: ['a', 'b'] }, scopesToAdd: ['api/read'], scopesToSuppress: [] },
            groupOverrideDetails: { groupsToOverride: ['from-trigger'] },
          },
          source: event.triggerSource,
        },
      }));
      const name = uniq('tok');
      const password = strongPassword();
      await send(new AdminCreateUserCommand({ UserPoolId: p.id, Username: name, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: uniqEmail() }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: p.id, Username: name, Password: password, Permanent: true }));
      const { AuthenticationResult: r } = await send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } }));
      const id = claimsOf(r.IdToken);
      const access = claimsOf(r.AccessToken);
      assert.equal(id.tenant, 't-1');
      assert.equal(id.level, 3);
      assert.equal(id.email, undefined, 'suppressed');
      assert.notEqual(id.sub, 'forged', 'sub cannot be changed');
      assert.deepEqual(id['cognito:groups'], ['from-trigger']);
      assert.deepEqual(access.roles, ['a', 'b']);
      assert.equal(access.scope, 'aws.cognito.signin.user.admin api/read');
      const [call] = hooks.callsTo('/pre-token').slice(-1);
      assert.equal(call.event.version, '2');
      assert.equal(call.event.triggerSource, 'TokenGeneration_Authentication');
      assert.deepEqual(call.event.request.scopes, ['aws.cognito.signin.user.admin']);
      const refreshed = await send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: r.RefreshToken } }));
      assert.equal(claimsOf(refreshed.AuthenticationResult.IdToken).tenant, 't-1');
      assert.equal(hooks.callsTo('/pre-token').slice(-1)[0].event.triggerSource, 'TokenGeneration_RefreshTokens');
      // A V1_0 trigger adds string claims to the ID token; anything else is unusable output.
      await send(new UpdateUserPoolCommand({ UserPoolId: p.id, LambdaConfig: { PreTokenGeneration: hook('/pre-token-v1') } }));
      hooks.on('/pre-token-v1', () => ({ response: { claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'gold' } } } }));
      const v1 = await send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } }));
      assert.equal(claimsOf(v1.AuthenticationResult.IdToken).plan, 'gold');
      assert.equal(hooks.callsTo('/pre-token-v1').slice(-1)[0].event.version, '1');
      hooks.on('/pre-token-v1', () => ({ response: { claimsOverrideDetails: { claimsToAddOrOverride: { plan: 7 } } } }));
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } })), 'InvalidLambdaResponseException');
    });

    test('UserMigration: an unknown user signing in with a password is created from the old system, once; ForgotPassword too', async () => {
      const p = await pool({ UserMigration: 'arn:aws:lambda:us-east-1:000000000000:function:migrator' });
      const known = new Map();
      hooks.on('/arn-migrate', (event) => {
        const old = known.get(event.userName);
        if (!old) return { response: {} };
        if (event.triggerSource === 'UserMigration_Authentication' && event.request.password !== old.password) {
          return { status: 400, json: { errorMessage: 'Bad password' } };
        }
        return { response: { userAttributes: { email: old.email, email_verified: 'true' }, finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS' } };
      });
      const name = uniq('old');
      const email = uniqEmail('old');
      known.set(name, { password: 'legacy password 1', email });
      const signIn = (password) => send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } }));
      await rejectsWith(signIn('wrong'), 'UserLambdaValidationException', /UserMigration failed with error Bad password/);
      const first = await signIn('legacy password 1');
      assert.ok(first.AuthenticationResult.IdToken, 'the old password is kept even though it breaks the pool policy');
      assert.equal(claimsOf(first.AuthenticationResult.IdToken).email, email);
      const calls = hooks.callsTo('/arn-migrate').length;
      await signIn('legacy password 1');
      assert.equal(hooks.callsTo('/arn-migrate').length, calls, 'a migrated user signs in without the trigger');
      const last = hooks.callsTo('/arn-migrate').slice(-1)[0];
      assert.equal(last.event.triggerSource, 'UserMigration_Authentication');
      // Nobody anywhere: the usual answer for an unknown user.
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: p.client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: uniq('ghost'), PASSWORD: 'x' } })), 'NotAuthorizedException');
      // ForgotPassword of a user only the old system knows: migrated, then the code goes to them.
      const other = uniq('old');
      const otherEmail = uniqEmail('old2');
      known.set(other, { password: 'p', email: otherEmail });
      const out = await send(new ForgotPasswordCommand({ ClientId: p.client, Username: other }));
      assert.equal(out.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      assert.equal(hooks.callsTo('/arn-migrate').slice(-1)[0].event.triggerSource, 'UserMigration_ForgotPassword');
      assert.equal(hooks.callsTo('/arn-migrate').slice(-1)[0].event.request.password, undefined);
      const mail = await server.outbox({ poolId: p.id, to: otherEmail });
      assert.equal(mail.length, 1);
    });

    test('CustomMessage: the pool\'s words for sign-up codes and invitations; a text without the code is refused', async () => {
      const p = await pool({ CustomMessage: hook('/message') });
      hooks.on('/message', (event) => ({
        response: event.triggerSource === 'CustomMessage_AdminCreateUser'
          ? { emailSubject: 'Welcome aboard', emailMessage: `Hi ${event.request.usernameParameter}, use ${event.request.codeParameter}` }
          : { emailSubject: 'Your code', emailMessage: `Code: ${event.request.codeParameter} (custom)` },
      }));
      const email = uniqEmail('msg');
      await send(new SignUpCommand({ ClientId: p.client, Username: uniq('m'), Password: strongPassword(), UserAttributes: [{ Name: 'email', Value: email }] }));
      const [mail] = await server.outbox({ poolId: p.id, to: email });
      assert.equal(mail.subject, 'Your code');
      assert.match(mail.body, /^Code: \d{6} \(custom\)$/);
      assert.equal(hooks.callsTo('/message').slice(-1)[0].event.triggerSource, 'CustomMessage_SignUp');
      const invited = uniqEmail('inv');
      const name = uniq('inv');
      await send(new AdminCreateUserCommand({ UserPoolId: p.id, Username: name, DesiredDeliveryMediums: ['EMAIL'], UserAttributes: [{ Name: 'email', Value: invited }] }));
      const [invitation] = await server.outbox({ poolId: p.id, to: invited });
      assert.equal(invitation.subject, 'Welcome aboard');
      assert.match(invitation.body, new RegExp(`^Hi ${name}, use \\S+$`));
      hooks.on('/message', () => ({ response: { emailMessage: 'No code here' } }));
      await rejectsWith(send(new SignUpCommand({ ClientId: p.client, Username: uniq('m'), Password: strongPassword(), UserAttributes: [{ Name: 'email', Value: uniqEmail() }] })), 'InvalidLambdaResponseException');
    });

    test('admin operations carry CLIENT_ID_NOT_APPLICABLE; AdminCreateUser ignores auto-confirm', async () => {
      const p = await pool({ PreSignUp: hook('/admin-pre') });
      hooks.on('/admin-pre', () => ({ response: { autoConfirmUser: true } }));
      const name = uniq('adm');
      await send(new AdminCreateUserCommand({ UserPoolId: p.id, Username: name, MessageAction: 'SUPPRESS' }));
      const [call] = hooks.callsTo('/admin-pre').slice(-1);
      assert.equal(call.event.triggerSource, 'PreSignUp_AdminCreateUser');
      assert.equal(call.event.callerContext.clientId, 'CLIENT_ID_NOT_APPLICABLE');
      const user = await send(new AdminGetUserCommand({ UserPoolId: p.id, Username: name }));
      assert.equal(user.UserStatus, 'FORCE_CHANGE_PASSWORD');
    });
  });
}
