// App clients: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
// DeleteUserPoolClient, ListUserPoolClients.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import {
  CLIENT_ID_RE,
  assertRecentDate,
  collectPages,
  createClient,
  createPool,
  rejectsWith,
  sorted,
  suite,
  uniq,
} from './harness.mjs';

const UNKNOWN_POOL = 'us-east-1_NoSuchP00';

suite('app clients', (s) => {
  const describeClient = async (poolId, clientId) =>
    (await s.client.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient;
  const create = (input) => s.client.send(new CreateUserPoolClientCommand(input));

  test('CreateUserPoolClient without a secret: id, name, dates and documented defaults', async () => {
    const pool = await createPool(s);
    const name = uniq('web');
    const { UserPoolClient: c } = await create({ UserPoolId: pool.Id, ClientName: name });
    assert.match(c.ClientId, CLIENT_ID_RE);
    assert.equal(c.ClientName, name);
    assert.equal(c.UserPoolId, pool.Id);
    assert.equal(c.ClientSecret, undefined, 'no secret was asked for');
    assertRecentDate(c.CreationDate, 'CreationDate');
    assertRecentDate(c.LastModifiedDate, 'LastModifiedDate');

    const d = await describeClient(pool.Id, c.ClientId);
    assert.equal(d.ClientId, c.ClientId);
    assert.equal(d.ClientName, name);
    assert.equal(d.ClientSecret, undefined);
    // documented: token revocation is activated when EnableTokenRevocation isn't given
    assert.equal(d.EnableTokenRevocation, true);
    // documented: refresh tokens are valid for 30 days unless configured (unit: days)
    assert.equal(d.RefreshTokenValidity, 30);
    assert.equal(d.TokenValidityUnits?.RefreshToken ?? 'days', 'days');
    // documented: AllowedOAuthFlowsUserPoolClient defaults to false
    assert.notEqual(d.AllowedOAuthFlowsUserPoolClient, true);
    // documented: PreventUserExistenceErrors "Defaults to LEGACY" for API-created clients; DESIGN.md
    // wants ENABLED for new clients, so only the value set is checked here.
    if (d.PreventUserExistenceErrors !== undefined) assert.ok(['LEGACY', 'ENABLED'].includes(d.PreventUserExistenceErrors));

    // Two clients never share an id.
    const other = await createClient(s, pool.Id);
    assert.notEqual(other.ClientId, c.ClientId);
  });

  test('GenerateSecret: the secret comes back from Create and Describe, never from List', async () => {
    const pool = await createPool(s);
    const { UserPoolClient: c } = await create({ UserPoolId: pool.Id, ClientName: uniq('server'), GenerateSecret: true });
    assert.equal(typeof c.ClientSecret, 'string');
    assert.ok(c.ClientSecret.length >= 32, `secret too short: ${c.ClientSecret.length} characters`);

    const d = await describeClient(pool.Id, c.ClientId);
    assert.equal(d.ClientSecret, c.ClientSecret);

    const other = await createClient(s, pool.Id, { GenerateSecret: true });
    assert.notEqual(other.ClientSecret, c.ClientSecret, 'two clients got the same secret');

    const { UserPoolClients } = await s.client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }));
    assert.equal(UserPoolClients.length, 2);
    for (const item of UserPoolClients) {
      assert.equal(item.ClientSecret, undefined, 'ListUserPoolClients must not reveal secrets');
      for (const key of Object.keys(item)) {
        assert.ok(['ClientId', 'UserPoolId', 'ClientName'].includes(key), `unexpected field ${key} in ListUserPoolClients`);
      }
      assert.equal(item.UserPoolId, pool.Id);
    }
  });

  test('stores auth flows, token validity and units, read/write attributes, existence errors, revocation, rotation', async () => {
    const pool = await createPool(s, { Schema: [{ Name: 'tier', AttributeDataType: 'String', Mutable: true }] });
    const input = {
      UserPoolId: pool.Id,
      ClientName: uniq('cfg'),
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
      AccessTokenValidity: 30,
      IdTokenValidity: 2,
      RefreshTokenValidity: 600,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'hours', RefreshToken: 'minutes' },
      ReadAttributes: ['email', 'email_verified', 'given_name', 'custom:tier'],
      WriteAttributes: ['email', 'given_name', 'custom:tier'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: false,
      AuthSessionValidity: 5,
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 },
    };
    await create(input);
    const { UserPoolClients } = await s.client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 10 }));
    const d = await describeClient(pool.Id, UserPoolClients[0].ClientId);
    assert.deepEqual(sorted(d.ExplicitAuthFlows), sorted(input.ExplicitAuthFlows));
    assert.equal(d.AccessTokenValidity, 30);
    assert.equal(d.IdTokenValidity, 2);
    assert.equal(d.RefreshTokenValidity, 600);
    assert.deepEqual(d.TokenValidityUnits, input.TokenValidityUnits);
    assert.deepEqual(sorted(d.ReadAttributes), sorted(input.ReadAttributes));
    assert.deepEqual(sorted(d.WriteAttributes), sorted(input.WriteAttributes));
    assert.equal(d.PreventUserExistenceErrors, 'ENABLED');
    assert.equal(d.EnableTokenRevocation, false);
    assert.equal(d.AuthSessionValidity, 5);
    assert.deepEqual(d.RefreshTokenRotation, { Feature: 'ENABLED', RetryGracePeriodSeconds: 10 });
  });

  test('stores OAuth settings, callback and logout URLs', async () => {
    const pool = await createPool(s);
    const input = {
      UserPoolId: pool.Id,
      ClientName: uniq('oauth'),
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code', 'implicit'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'phone', 'aws.cognito.signin.user.admin'],
      // documented: https, or http only for localhost / 127.0.0.1 / [::1]; app schemes allowed
      CallbackURLs: ['https://app.example.com/callback', 'http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'myapp://callback'],
      LogoutURLs: ['https://app.example.com/signed-out', 'http://localhost:3000/'],
      DefaultRedirectURI: 'https://app.example.com/callback',
      SupportedIdentityProviders: ['COGNITO'],
    };
    const { UserPoolClient: c } = await create(input);
    const d = await describeClient(pool.Id, c.ClientId);
    assert.equal(d.AllowedOAuthFlowsUserPoolClient, true);
    assert.deepEqual(sorted(d.AllowedOAuthFlows), ['code', 'implicit']);
    assert.deepEqual(sorted(d.AllowedOAuthScopes), sorted(input.AllowedOAuthScopes));
    assert.deepEqual(sorted(d.CallbackURLs), sorted(input.CallbackURLs));
    assert.deepEqual(sorted(d.LogoutURLs), sorted(input.LogoutURLs));
    assert.equal(d.DefaultRedirectURI, input.DefaultRedirectURI);
    assert.deepEqual(d.SupportedIdentityProviders, ['COGNITO']);
  });

  test('rejects callback and logout URLs Cognito does not accept', async () => {
    const pool = await createPool(s);
    const bad = {
      'plain http to a public host': { CallbackURLs: ['http://app.example.com/callback'] },
      'a fragment': { CallbackURLs: ['https://app.example.com/callback#frag'] },
      'a relative URL': { CallbackURLs: ['/callback'] },
      'whitespace (outside the documented pattern)': { CallbackURLs: ['https://app.example.com/a b'] },
      'a logout URL with whitespace': { CallbackURLs: ['https://app.example.com/cb'], LogoutURLs: ['not a url'] },
      'DefaultRedirectURI not among CallbackURLs': { CallbackURLs: ['https://app.example.com/cb'], DefaultRedirectURI: 'https://other.example.com/cb' },
    };
    for (const [why, extra] of Object.entries(bad)) {
      await rejectsWith(
        create({
          UserPoolId: pool.Id,
          ClientName: uniq('bad'),
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid'],
          ...extra,
        }),
        'InvalidParameterException',
        undefined,
        why,
      );
    }
    const { UserPoolClients } = await s.client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }));
    assert.equal(UserPoolClients.length, 0, 'a rejected client was created anyway');
  });

  test('rejects invalid auth-flow, OAuth, attribute and validity settings', async () => {
    const pool = await createPool(s);
    const base = { UserPoolId: pool.Id };
    const invalidParameter = {
      // documented: legacy ExplicitAuthFlows values can't be combined with ALLOW_ values
      'legacy and ALLOW_ flows mixed': { ExplicitAuthFlows: ['USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      'unknown auth flow': { ExplicitAuthFlows: ['ALLOW_EVERYTHING'] },
      'unknown OAuth flow': { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['password'], AllowedOAuthScopes: ['openid'], CallbackURLs: ['https://a.example.com/cb'] },
      // documented ranges: access / ID tokens 5 minutes to 1 day, refresh tokens 60 minutes to 10 years
      'access token valid 2 days': { AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } },
      'ID token valid 4 minutes': { IdTokenValidity: 4, TokenValidityUnits: { IdToken: 'minutes' } },
      'access token valid 25 hours (default unit)': { AccessTokenValidity: 25 },
      'refresh token valid 30 minutes': { RefreshTokenValidity: 30, TokenValidityUnits: { RefreshToken: 'minutes' } },
      'refresh token valid 3651 days': { RefreshTokenValidity: 3651 },
      'unknown time unit': { AccessTokenValidity: 1, TokenValidityUnits: { AccessToken: 'weeks' } },
      // documented: RetryGracePeriodSeconds up to 60
      'rotation grace period 61 s': { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 61 } },
      'unknown read attribute': { ReadAttributes: ['custom:nope'] },
      'unknown write attribute': { WriteAttributes: ['favourite_colour'] },
      'unknown PreventUserExistenceErrors value': { PreventUserExistenceErrors: 'SOMETIMES' },
      'GenerateSecret together with a ClientSecret': { GenerateSecret: true, ClientSecret: 'a'.repeat(40) },
    };
    for (const [why, extra] of Object.entries(invalidParameter)) {
      await rejectsWith(create({ ...base, ClientName: uniq('bad'), ...extra }), 'InvalidParameterException', undefined, why);
    }
    // cognito: client_credentials alone (documented) and only with a secret; AWS says InvalidOAuthFlowException, InvalidParameterException also accepted
    const flowErrors = ['InvalidOAuthFlowException', 'InvalidParameterException'];
    await rejectsWith(
      create({ ...base, ClientName: uniq('bad'), GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials', 'code'], AllowedOAuthScopes: ['openid'], CallbackURLs: ['https://a.example.com/cb'] }),
      flowErrors,
    );
    await rejectsWith(
      create({ ...base, ClientName: uniq('bad'), AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['openid'] }),
      flowErrors,
    );
    // cognito: a scope of a resource server that doesn't exist is ScopeDoesNotExistException
    await rejectsWith(
      create({ ...base, ClientName: uniq('bad'), AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['https://api.example.com/read'], CallbackURLs: ['https://a.example.com/cb'] }),
      'ScopeDoesNotExistException',
    );
  });

  test('CreateUserPoolClient: unknown pool is ResourceNotFoundException, missing name InvalidParameterException', async () => {
    await rejectsWith(create({ UserPoolId: UNKNOWN_POOL, ClientName: 'x' }), 'ResourceNotFoundException');
    const pool = await createPool(s);
    await rejectsWith(create({ UserPoolId: pool.Id }), 'InvalidParameterException');
  });

  test('DescribeUserPoolClient: unknown client, a client of another pool, unknown pool', async () => {
    const poolA = await createPool(s);
    const poolB = await createPool(s);
    const c = await createClient(s, poolA.Id);
    await rejectsWith(describeClient(poolA.Id, 'abcdefghijklmnopqrstuvwxyz'), 'ResourceNotFoundException');
    await rejectsWith(describeClient(poolB.Id, c.ClientId), 'ResourceNotFoundException');
    await rejectsWith(describeClient(UNKNOWN_POOL, c.ClientId), 'ResourceNotFoundException');
  });

  test('UpdateUserPoolClient changes settings and keeps id, secret and creation date', async () => {
    const pool = await createPool(s);
    const c = await createClient(s, pool.Id, {
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const newName = uniq('renamed');
    const { UserPoolClient: u } = await s.client.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: pool.Id,
        ClientId: c.ClientId,
        ClientName: newName,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AccessTokenValidity: 10,
        TokenValidityUnits: { AccessToken: 'minutes' },
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        CallbackURLs: ['https://app.example.com/new-callback'],
        LogoutURLs: ['https://app.example.com/bye'],
      }),
    );
    assert.equal(u.ClientId, c.ClientId);
    assert.equal(u.ClientName, newName);

    const d = await describeClient(pool.Id, c.ClientId);
    assert.equal(d.ClientName, newName);
    assert.equal(d.ClientSecret, c.ClientSecret, 'UpdateUserPoolClient must not change the secret');
    assert.deepEqual(sorted(d.ExplicitAuthFlows), ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
    assert.equal(d.AccessTokenValidity, 10);
    assert.equal(d.TokenValidityUnits?.AccessToken, 'minutes');
    assert.equal(d.PreventUserExistenceErrors, 'ENABLED');
    assert.deepEqual(d.CallbackURLs, ['https://app.example.com/new-callback']);
    assert.deepEqual(d.LogoutURLs, ['https://app.example.com/bye']);
    assert.equal(d.CreationDate.getTime(), c.CreationDate.getTime());
    assert.ok(d.LastModifiedDate.getTime() >= c.LastModifiedDate.getTime());
  });

  test('UpdateUserPoolClient resets settings it is not given to their defaults', async () => {
    const pool = await createPool(s);
    const c = await createClient(s, pool.Id, {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: ['https://app.example.com/cb'],
      ReadAttributes: ['email'],
    });
    await s.client.send(new UpdateUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId, ClientName: 'only-the-name' }));
    const d = await describeClient(pool.Id, c.ClientId);
    assert.equal(d.ClientName, 'only-the-name');
    // documented (UpdateUserPoolClient): "If you don't provide a value for an attribute, Amazon Cognito
    // sets it to its default value."
    assert.ok(!d.CallbackURLs?.length, `CallbackURLs kept: ${d.CallbackURLs}`);
    assert.ok(!d.AllowedOAuthFlows?.length, `AllowedOAuthFlows kept: ${d.AllowedOAuthFlows}`);
    assert.notEqual(d.AllowedOAuthFlowsUserPoolClient, true);
    assert.ok(!d.ReadAttributes?.length, `ReadAttributes kept: ${d.ReadAttributes}`);
  });

  test('UpdateUserPoolClient validates like create, and unknown clients are ResourceNotFoundException', async () => {
    const pool = await createPool(s);
    const c = await createClient(s, pool.Id);
    await rejectsWith(
      s.client.send(new UpdateUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: ['http://evil.example.com/cb'] })),
      'InvalidParameterException',
    );
    await rejectsWith(
      s.client.send(new UpdateUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: c.ClientId, AccessTokenValidity: 2, TokenValidityUnits: { AccessToken: 'days' } })),
      'InvalidParameterException',
    );
    assert.equal((await describeClient(pool.Id, c.ClientId)).ClientName, c.ClientName, 'a rejected update changed the client');
    await rejectsWith(
      s.client.send(new UpdateUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: 'abcdefghijklmnopqrstuvwxyz', ClientName: 'x' })),
      'ResourceNotFoundException',
    );
    await rejectsWith(
      s.client.send(new UpdateUserPoolClientCommand({ UserPoolId: UNKNOWN_POOL, ClientId: c.ClientId, ClientName: 'x' })),
      'ResourceNotFoundException',
    );
  });

  test('DeleteUserPoolClient removes the client', async () => {
    const pool = await createPool(s);
    const keep = await createClient(s, pool.Id);
    const gone = await createClient(s, pool.Id);
    await s.client.send(new DeleteUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: gone.ClientId }));
    await rejectsWith(describeClient(pool.Id, gone.ClientId), 'ResourceNotFoundException');
    await rejectsWith(s.client.send(new DeleteUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: gone.ClientId })), 'ResourceNotFoundException');
    const { UserPoolClients } = await s.client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }));
    assert.deepEqual(UserPoolClients.map((x) => x.ClientId), [keep.ClientId]);
  });

  test('ListUserPoolClients pages with MaxResults and NextToken', async () => {
    const pool = await createPool(s);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createClient(s, pool.Id)).ClientId);
    const pages = await collectPages(async (token) => {
      const out = await s.client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 2, NextToken: token }));
      return { items: out.UserPoolClients, next: out.NextToken };
    });
    for (const page of pages) assert.ok(page.length <= 2, `page of ${page.length} with MaxResults 2`);
    assert.ok(pages.length >= 3, `5 clients in pages of 2 need 3 pages, got ${pages.length}`);
    const listed = pages.flat().map((x) => x.ClientId);
    assert.deepEqual(sorted(listed), sorted(ids));

    await rejectsWith(s.client.send(new ListUserPoolClientsCommand({ UserPoolId: UNKNOWN_POOL, MaxResults: 10 })), 'ResourceNotFoundException');
    // documented range for MaxResults: 1-60
    await rejectsWith(s.client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 61 })), 'InvalidParameterException');
  });
});
