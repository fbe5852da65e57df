// Sign-in with clients nobody here wrote: amazon-cognito-identity-js (USER_SRP_AUTH, its own SRP),
// the AWS SDK v3 (AdminInitiateAuth, NEW_PASSWORD_REQUIRED, USER_PASSWORD_AUTH, refresh), and the
// tokens checked by aws-jwt-verify against the server's JWKS. Every backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand, AdminInitiateAuthCommand, AdminRespondToAuthChallengeCommand, AdminSetUserPasswordCommand,
  AdminAddUserToGroupCommand, CreateGroupCommand, AdminDisableUserCommand, GetUserCommand, GlobalSignOutCommand,
  InitiateAuthCommand, RevokeTokenCommand, GetTokensFromRefreshTokenCommand, AdminDeleteUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { backends, startServer, createPool, createClient, uniq, uniqEmail, rejectsWith, UUID_RE } from './harness.mjs';

const PASSWORD = 'Correct-Horse-9';

/** Signs in with amazon-cognito-identity-js's own SRP; resolves to its session or rejects with its error. */
function idjsSignIn(server, poolId, clientId, username, password) {
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  const user = new CognitoUser({ Username: username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => resolve({ session, user }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
    });
  });
}

for (const backend of backends()) {
  test(`sign-in and tokens [${backend}]`, async (t) => {
    const server = await startServer(backend);
    t.after(() => server.stop());
    const send = (cmd) => server.client.send(cmd);
    const pool = await createPool(server, { AliasAttributes: ['email'] });
    const client = await createClient(server, pool.Id, {
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const issuer = `${server.endpoint}/${pool.Id}`;
    // aws-jwt-verify's RSA verifier with our issuer and JWKS URI; token_use and the client are checked
    // the way its Cognito verifier checks them (aud on ID tokens, client_id on access tokens).
    // Its fetcher speaks only https, so the JWKS is fetched from the server here and handed to it.
    const jwksResponse = await fetch(`${issuer}/.well-known/jwks.json`);
    assert.equal(jwksResponse.status, 200);
    assert.match(jwksResponse.headers.get('cache-control') ?? '', /max-age=\d+/);
    let jwks = await jwksResponse.json(); // empty until the first sign-in makes the pool's key
    const verifier = (tokenUse) => {
      const v = JwtRsaVerifier.create({
        issuer,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        audience: tokenUse === 'id' ? client.ClientId : null,
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== tokenUse) throw new Error(`token_use ${payload.token_use}, expected ${tokenUse}`);
          if (tokenUse === 'access' && payload.client_id !== client.ClientId) throw new Error('wrong client_id');
        },
      });
      v.cacheJwks(jwks);
      return v;
    };

    const username = uniq('signin');
    const email = uniqEmail('signin');
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }] }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: 'admins', Precedence: 1 }));
    await send(new AdminAddUserToGroupCommand({ UserPoolId: pool.Id, Username: username, GroupName: 'admins' }));

    await t.test('amazon-cognito-identity-js signs in with SRP; aws-jwt-verify accepts both tokens', async () => {
      const { session } = await idjsSignIn(server, pool.Id, client.ClientId, username, PASSWORD);
      jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
      assert.equal(jwks.keys.length, 1);
      assert.equal(jwks.keys[0].alg, 'RS256');
      const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
      assert.equal(discovery.issuer, issuer);
      assert.equal(discovery.jwks_uri, `${issuer}/.well-known/jwks.json`);
      const id = await verifier('id').verify(session.getIdToken().getJwtToken());
      assert.equal(id['cognito:username'], username);
      assert.equal(id.email, email);
      assert.equal(id.email_verified, true);
      assert.equal(id.aud, client.ClientId);
      assert.match(id.sub, UUID_RE);
      assert.deepEqual(id['cognito:groups'], ['admins']);
      const access = await verifier('access').verify(session.getAccessToken().getJwtToken());
      assert.equal(access.username, username);
      assert.equal(access.client_id, client.ClientId);
      assert.equal(access.scope, 'aws.cognito.signin.user.admin');
      assert.equal(access.origin_jti, id.origin_jti);
      assert.ok(session.getRefreshToken().getToken().length > 20);
      // The email alias signs in too, and a wrong password fails as Cognito's does.
      await idjsSignIn(server, pool.Id, client.ClientId, email, PASSWORD);
      await assert.rejects(idjsSignIn(server, pool.Id, client.ClientId, username, 'Wrong-Horse-9'), (e) => e.code === 'NotAuthorizedException' || e.name === 'NotAuthorizedException');
    });

    await t.test('an unknown user gets a challenge like anyone else, then the wrong-password error', async () => {
      const err = await idjsSignIn(server, pool.Id, client.ClientId, uniq('ghost'), PASSWORD).catch((e) => e);
      assert.equal(err.code ?? err.name, 'NotAuthorizedException');
      assert.equal(err.message, 'Incorrect username or password.');
    });

    await t.test('amazon-cognito-identity-js refreshes its session (it sends DEVICE_KEY: null)', async () => {
      const { session, user } = await idjsSignIn(server, pool.Id, client.ClientId, username, PASSWORD);
      const fresh = await new Promise((resolve, reject) => {
        user.refreshSession(session.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s)));
      });
      assert.ok(fresh.isValid());
      assert.notEqual(fresh.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
    });

    await t.test('refresh, GetUser, GlobalSignOut: after it, refresh and the access token fail', async () => {
      const first = await send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));
      const { AccessToken, RefreshToken } = first.AuthenticationResult;
      const me = await send(new GetUserCommand({ AccessToken }));
      assert.equal(me.Username, username);
      const refreshed = await send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: RefreshToken } }));
      assert.ok(refreshed.AuthenticationResult.IdToken);
      assert.equal(refreshed.AuthenticationResult.RefreshToken, undefined);
      await verifier('access').verify(refreshed.AuthenticationResult.AccessToken);
      await send(new GlobalSignOutCommand({ AccessToken }));
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: RefreshToken } })), 'NotAuthorizedException');
      await rejectsWith(send(new GetUserCommand({ AccessToken })), 'NotAuthorizedException');
      await rejectsWith(send(new GetUserCommand({ AccessToken: `${AccessToken.slice(0, -4)}AAAA` })), 'NotAuthorizedException');
    });

    await t.test('a token of a deleted user does not work for a new user of the same name', async () => {
      const name = uniq('reborn');
      const make = async () => {
        await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: name, MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: name, Password: PASSWORD, Permanent: true }));
        return (await send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD } }))).AuthenticationResult;
      };
      const old = await make();
      await send(new AdminDeleteUserCommand({ UserPoolId: pool.Id, Username: name }));
      await make();
      await rejectsWith(send(new GetUserCommand({ AccessToken: old.AccessToken })), 'NotAuthorizedException');
    });

    await t.test('RevokeToken stops one sign-in, not the others', async () => {
      const auth = () => send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));
      const [one, two] = [(await auth()).AuthenticationResult, (await auth()).AuthenticationResult];
      await send(new RevokeTokenCommand({ ClientId: client.ClientId, Token: one.RefreshToken }));
      await rejectsWith(send(new GetUserCommand({ AccessToken: one.AccessToken })), 'NotAuthorizedException');
      assert.equal((await send(new GetUserCommand({ AccessToken: two.AccessToken }))).Username, username);
    });

    await t.test('AdminInitiateAuth through NEW_PASSWORD_REQUIRED; a challenge answers once', async () => {
      const newbie = uniq('newbie');
      await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: newbie, TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }));
      const started = await send(new AdminInitiateAuthCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: newbie, PASSWORD: 'Temp-Pass-123' } }));
      assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      const answer = { UserPoolId: pool.Id, ClientId: client.ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: started.Session, ChallengeResponses: { USERNAME: newbie, NEW_PASSWORD: 'New-Pass-456' } };
      await rejectsWith(send(new AdminRespondToAuthChallengeCommand({ ...answer, ChallengeResponses: { USERNAME: newbie, NEW_PASSWORD: 'short' } })), ['InvalidPasswordException', 'InvalidParameterException']);
      const again = await send(new AdminInitiateAuthCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: newbie, PASSWORD: 'Temp-Pass-123' } }));
      const done = await send(new AdminRespondToAuthChallengeCommand({ ...answer, Session: again.Session }));
      await verifier('id').verify(done.AuthenticationResult.IdToken);
      await rejectsWith(send(new AdminRespondToAuthChallengeCommand({ ...answer, Session: again.Session })), 'NotAuthorizedException');
      const signedIn = await idjsSignIn(server, pool.Id, client.ClientId, newbie, 'New-Pass-456');
      assert.ok(signedIn.session.isValid());
    });

    await t.test('flows the client does not allow, disabled users, and unknown clients are refused', async () => {
      const srpOnly = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] });
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: srpOnly.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } })), 'InvalidParameterException');
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: 'nosuchclient0000000000000', AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } })), 'ResourceNotFoundException');
      const blocked = uniq('blocked');
      await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: blocked, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: blocked, Password: PASSWORD, Permanent: true }));
      await send(new AdminDisableUserCommand({ UserPoolId: pool.Id, Username: blocked }));
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: blocked, PASSWORD } })), 'NotAuthorizedException', /disabled/);
    });

    await t.test('GetTokensFromRefreshToken rotates the refresh token; reuse after the grace period is refused', async () => {
      const rotating = await createClient(server, pool.Id, {
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
      });
      const signIn = await send(new InitiateAuthCommand({ ClientId: rotating.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));
      const first = signIn.AuthenticationResult.RefreshToken;
      const next = await send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: first }));
      const second = next.AuthenticationResult.RefreshToken;
      assert.ok(second && second !== first, 'a rotated refresh token');
      assert.ok(next.AuthenticationResult.AccessToken);
      await new Promise((r) => setTimeout(r, 1100));
      await rejectsWith(send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: first })), 'RefreshTokenReuseException');
      const third = await send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: second }));
      assert.ok(third.AuthenticationResult.RefreshToken);
      // Without rotation the same token keeps working and no new one is issued.
      const plain = await send(new GetTokensFromRefreshTokenCommand({ ClientId: client.ClientId, RefreshToken: (await send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }))).AuthenticationResult.RefreshToken }));
      assert.equal(plain.AuthenticationResult.RefreshToken, undefined);
      await rejectsWith(send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: 'not-a-token' })), 'NotAuthorizedException');
    });

    await t.test('failed sign-ins lock the user out for a growing while, kept in the store', async () => {
      const victim = uniq('locked');
      await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: victim, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: victim, Password: PASSWORD, Permanent: true }));
      const attempt = (password) => send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: victim, PASSWORD: password } }));
      for (let i = 0; i < 5; i++) await rejectsWith(attempt('Wrong-Pass-000'), 'NotAuthorizedException', /Incorrect/);
      // Locked now: even the right password is refused, as Cognito does.
      await rejectsWith(attempt(PASSWORD), 'NotAuthorizedException', /attempts exceeded/);
      await new Promise((r) => setTimeout(r, 1200));
      assert.ok((await attempt(PASSWORD)).AuthenticationResult.AccessToken, 'the lockout ends');
      // A success clears the count: one more wrong password is not a lockout.
      await rejectsWith(attempt('Wrong-Pass-000'), 'NotAuthorizedException', /Incorrect/);
      assert.ok((await attempt(PASSWORD)).AuthenticationResult.AccessToken);
    });

    await t.test('a client with a secret needs SECRET_HASH', async () => {
      const secretClient = await createClient(server, pool.Id, { GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
      const { createHmac } = await import('node:crypto');
      const hash = createHmac('sha256', secretClient.ClientSecret).update(username + secretClient.ClientId).digest('base64');
      const params = { USERNAME: username, PASSWORD };
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: secretClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: params })), 'NotAuthorizedException', /secret/);
      await rejectsWith(send(new InitiateAuthCommand({ ClientId: secretClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { ...params, SECRET_HASH: 'AAAA' } })), 'NotAuthorizedException', /secret hash/);
      const ok = await send(new InitiateAuthCommand({ ClientId: secretClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { ...params, SECRET_HASH: hash } }));
      assert.ok(ok.AuthenticationResult.AccessToken);
    });
  });
}
