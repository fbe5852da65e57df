// What an attacker tried (issue 15), on every backend: attribute writes that bypass the schema and the
// client's permissions, a signature that does not cover X-Amz-Target, a challenge answered for another
// user, usernames with control characters, NUL characters and long multibyte values.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

import {
  REGION,
  SERVICE,
  TARGET_PREFIX,
  JSON_CONTENT_TYPE,
  assertErrorResponse,
  attrMap,
  createClient,
  createPool,
  createUser,
  rejectsWith,
  suite,
  uniq,
  uniqEmail,
  UUID_RE,
} from './harness.mjs';

const PASSWORD = 'Correct-Horse-9';
const FLOWS = ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'];

/** AdminCreateUser with `TemporaryPassword`, then AdminInitiateAuth: the NEW_PASSWORD_REQUIRED challenge. */
async function newPasswordChallenge(s, poolId, clientId, username, attrs = {}) {
  const user = await createUser(s, poolId, username, attrs, { TemporaryPassword: PASSWORD });
  const started = await s.client.send(
    new AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
  assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  return { user, session: started.Session };
}

function answer(s, poolId, clientId, session, responses) {
  return s.client.send(
    new AdminRespondToAuthChallengeCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeResponses: { NEW_PASSWORD: 'New-Pass-456', ...responses },
    }),
  );
}

suite('hardening', (s) => {
  test('a challenge answer cannot write sub or a verified flag, nor attributes the client may not write', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id, {
      ExplicitAuthFlows: FLOWS,
      WriteAttributes: ['email', 'name'],
    });
    const victim = await createUser(s, pool.Id, uniq('victim'), { email: uniqEmail('victim') });
    const victimSub = attrMap(victim.Attributes).sub;

    const username = uniq('mallory');
    const email = uniqEmail('mallory');
    const { user, session } = await newPasswordChallenge(s, pool.Id, client.ClientId, username, { email });
    const ownSub = attrMap(user.Attributes).sub;
    const cases = [
      [{ 'userAttributes.sub': victimSub }, 'InvalidParameterException', /sub/],
      [{ 'userAttributes.email_verified': 'true' }, 'NotAuthorizedException', /unauthorized attribute email_verified/],
      [{ 'userAttributes.family_name': 'X' }, 'NotAuthorizedException', /unauthorized attribute family_name/],
    ];
    let current = session;
    for (const [extra, name, re] of cases) {
      await rejectsWith(answer(s, pool.Id, client.ClientId, current, { USERNAME: username, ...extra }), name, re, JSON.stringify(extra));
      // A refused answer spends the challenge; start again.
      const again = await s.client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: pool.Id,
          ClientId: client.ClientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD },
        }),
      );
      current = again.Session;
    }
    const done = await answer(s, pool.Id, client.ClientId, current, { USERNAME: username, 'userAttributes.name': 'Mallory' });
    assert.ok(done.AuthenticationResult?.AccessToken);
    const stored = attrMap((await s.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: username }))).UserAttributes);
    assert.equal(stored.sub, ownSub);
    assert.equal(stored.name, 'Mallory');
    assert.notEqual(stored.email_verified, 'true');
    // Nobody else has the victim's sub.
    const bySub = await s.client.send(new ListUsersCommand({ UserPoolId: pool.Id, Filter: `sub = "${victimSub}"` }));
    assert.equal(bySub.Users.length, 1);
  });

  test('UpdateUserAttributes and SignUp pass the same check', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: FLOWS, WriteAttributes: ['email', 'name'] });
    const username = uniq('user');
    const { session } = await newPasswordChallenge(s, pool.Id, client.ClientId, username, { email: uniqEmail('u') });
    const tokens = (await answer(s, pool.Id, client.ClientId, session, { USERNAME: username })).AuthenticationResult;
    const update = (attrs) =>
      s.client.send(new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: attrs }));
    await rejectsWith(update([{ Name: 'email_verified', Value: 'true' }]), 'NotAuthorizedException', /email_verified/);
    await rejectsWith(update([{ Name: 'family_name', Value: 'X' }]), 'NotAuthorizedException', /family_name/);
    await rejectsWith(update([{ Name: 'sub', Value: 'x' }]), 'InvalidParameterException', /sub/);
    await update([{ Name: 'name', Value: 'Allowed' }]);

    const signUp = (name, attrs) =>
      s.client.send(new SignUpCommand({ ClientId: client.ClientId, Username: name, Password: PASSWORD, UserAttributes: attrs }));
    await rejectsWith(signUp(uniq('su'), [{ Name: 'email_verified', Value: 'true' }]), 'NotAuthorizedException', /email_verified/);
    await rejectsWith(signUp(uniq('su'), [{ Name: 'family_name', Value: 'X' }]), 'NotAuthorizedException', /family_name/);
    await rejectsWith(signUp(uniq('su'), [{ Name: 'sub', Value: 'x' }]), 'InvalidParameterException', /sub/);
  });

  test('usernames with control characters are refused by SignUp as by AdminCreateUser', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: FLOWS });
    for (const bad of ['a\u0001b', 'tab\tname', 'del\u007f', 'zero\u200bwidth', '']) {
      await rejectsWith(
        s.client.send(new SignUpCommand({ ClientId: client.ClientId, Username: bad, Password: PASSWORD })),
        'InvalidParameterException',
        /username/i,
        JSON.stringify(bad),
      );
      await rejectsWith(createUser(s, pool.Id, bad), 'InvalidParameterException', /username/i, JSON.stringify(bad));
    }
    await s.client.send(new SignUpCommand({ ClientId: client.ClientId, Username: uniq('ok-ünïcode'), Password: PASSWORD }));
  });

  test('a challenge answered with another USERNAME is refused', async () => {
    const pool = await createPool(s, { AliasAttributes: ['email'] });
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: FLOWS });
    const other = uniq('other');
    await createUser(s, pool.Id, other);
    const username = uniq('Target');
    const email = uniqEmail('target');
    const { session } = await newPasswordChallenge(s, pool.Id, client.ClientId, username, { email, email_verified: 'true' });
    await rejectsWith(answer(s, pool.Id, client.ClientId, session, { USERNAME: other }), 'NotAuthorizedException', /USERNAME/);
    // The user's alias names it as well as its username does.
    const again = await s.client.send(
      new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
    );
    assert.equal(again.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const res = await s.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: client.ClientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: again.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'New-Pass-456' },
      }),
    );
    assert.ok(res.AuthenticationResult?.AccessToken);
  });

  test('a signature that does not cover X-Amz-Target is refused, so it cannot be replayed as another operation', async () => {
    const pool = await createPool(s);
    const username = uniq('kept');
    await createUser(s, pool.Id, username);
    const body = JSON.stringify({ UserPoolId: pool.Id, Username: username });
    const signer = new SignatureV4({ credentials: s.credentials, region: REGION, service: SERVICE, sha256: Sha256 });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: s.port,
        path: '/',
        query: {},
        headers: { host: `127.0.0.1:${s.port}`, 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}.AdminGetUser` },
        body,
      },
      { unsignableHeaders: new Set(['x-amz-target']) },
    );
    assert.ok(!/x-amz-target/.test(signed.headers.authorization), 'the test means to leave X-Amz-Target unsigned');
    const res = await s.raw({
      target: 'AdminDeleteUser',
      body,
      headers: { ...signed.headers, 'x-amz-target': `${TARGET_PREFIX}.AdminDeleteUser` },
    });
    assertErrorResponse(res, { type: 'IncompleteSignatureException' });
    assert.match(res.json.message, /x-amz-target/i);
    await s.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: username }));
  });

  test('NUL anywhere is InvalidParameterException; 2,048 multibyte characters are stored and found', async () => {
    const pool = await createPool(s, { AliasAttributes: ['preferred_username'] });
    for (const body of [
      { UserPoolId: pool.Id, Username: 'nul\u0000name' },
      { UserPoolId: pool.Id, Username: uniq('n'), UserAttributes: [{ Name: 'name', Value: 'x\u0000y' }] },
      { UserPoolId: pool.Id, Username: uniq('n'), ClientMetadata: { 'k\u0000': 'v' } },
    ]) {
      const res = await s.raw({ target: 'AdminCreateUser', body, sign: true });
      assertErrorResponse(res, { type: 'InvalidParameterException' });
      assert.match(res.json.message, /NUL/);
    }
    const long = '界'.repeat(2048); // 6,144 bytes in UTF-8
    const handle = 'ü'.repeat(2048);
    const username = uniq('long');
    await createUser(s, pool.Id, username, { name: long, preferred_username: handle });
    const got = attrMap((await s.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: username }))).UserAttributes);
    assert.equal(got.name, long);
    const found = await s.client.send(new ListUsersCommand({ UserPoolId: pool.Id, Filter: `name = "${long}"` }));
    assert.deepEqual(found.Users.map((u) => u.Username), [username]);
    const byPrefix = await s.client.send(new ListUsersCommand({ UserPoolId: pool.Id, Filter: `name ^= "${'界'.repeat(700)}"` }));
    assert.deepEqual(byPrefix.Users.map((u) => u.Username), [username]);
    // The long alias signs in and stays unique.
    const alias = await s.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: handle }));
    assert.equal(alias.Username, username);
    await rejectsWith(createUser(s, pool.Id, uniq('dup'), { preferred_username: handle }), 'AliasExistsException');
  });

  test('unknown users look like real ones: SECRET_BLOCK length, lockout after wrong passwords', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' });
    const known = `k${uniq('u').slice(0, 10)}`;
    const unknown = `z${known.slice(1)}`; // the same length, nobody's name
    await createUser(s, pool.Id, known, {}, { TemporaryPassword: PASSWORD });
    const srpA = 'ab'.repeat(384);
    const block = async (name) =>
      (await s.client.send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: name, SRP_A: srpA } })))
        .ChallengeParameters.SECRET_BLOCK.length;
    assert.equal(await block(unknown), await block(known));
    const attempts = async (name) => {
      const messages = [];
      for (let i = 0; i < 6; i++) {
        const err = await s.client
          .send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: 'Wrong-Pass-1' } }))
          .then(() => null, (e) => `${e.name}: ${e.message}`);
        messages.push(err);
      }
      return messages;
    };
    const real = await attempts(known);
    assert.equal(real.at(-1), 'NotAuthorizedException: Password attempts exceeded');
    assert.deepEqual(await attempts(unknown), real);
  });

  test('ForgotPassword answers an unknown user with an email-shaped mask, stable across calls', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' });
    const real = uniq('real');
    await createUser(s, pool.Id, real, { email: 'user@example.com', email_verified: 'true' });
    const forgot = async (name) =>
      (await s.client.send(new ForgotPasswordCommand({ ClientId: client.ClientId, Username: name }))).CodeDeliveryDetails;
    const known = await forgot(real);
    assert.deepEqual(known, { Destination: 'u***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const ghost = uniq('ghost');
    const first = await forgot(ghost);
    assert.match(first.Destination, /^[a-z]\*\*\*@[a-z]\*\*\*$/);
    assert.equal(first.DeliveryMedium, 'EMAIL');
    assert.deepEqual(await forgot(ghost), first);
  });

  test('in a pool whose username is the email, an unknown user gets a sub-shaped USER_ID_FOR_SRP too', async () => {
    const pool = await createPool(s, { UsernameAttributes: ['email'] });
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' });
    const known = uniqEmail('known');
    await createUser(s, pool.Id, known, {}, { TemporaryPassword: PASSWORD });
    const srpA = 'ab'.repeat(384);
    const start = async (name) =>
      (await s.client.send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: name, SRP_A: srpA } })))
        .ChallengeParameters;
    const real = await start(known);
    assert.match(real.USER_ID_FOR_SRP, UUID_RE);
    const ghost = uniqEmail('ghost');
    const first = await start(ghost);
    assert.match(first.USER_ID_FOR_SRP, UUID_RE, 'an unknown user looks like one with a sub');
    assert.equal((await start(ghost)).USER_ID_FOR_SRP, first.USER_ID_FOR_SRP, 'the same on every attempt');
    assert.equal(first.SECRET_BLOCK.length, real.SECRET_BLOCK.length);
  });
});
