// The admin side of a pool's OAuth 2.0 face, through the AWS SDK: user pool domains
// (Create/Describe/Update/DeleteUserPoolDomain), resource servers and their scopes, the OAuth
// settings of app clients that depend on them, managed login branding and the classic hosted UI's
// CSS (SetUICustomization / GetUICustomization). Every backend.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CreateManagedLoginBrandingCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  DeleteManagedLoginBrandingCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolDomainCommand,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeManagedLoginBrandingCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetUICustomizationCommand,
  ListResourceServersCommand,
  SetUICustomizationCommand,
  UpdateManagedLoginBrandingCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { collectPages, createClient, createPool, rejectsWith, sorted, suite, uniq } from './harness.mjs';

const UNKNOWN_POOL = 'us-east-1_NoSuchP00';
const API = 'https://api.example.com';
const API_SCOPES = [
  { ScopeName: 'read', ScopeDescription: 'Read' },
  { ScopeName: 'write', ScopeDescription: 'Write' },
];

/** A resource server as the API answers it, scopes in name order (so order is not asserted). */
function normalizeServer(rs) {
  return { ...rs, Scopes: [...(rs?.Scopes ?? [])].sort((a, b) => a.ScopeName.localeCompare(b.ScopeName)) };
}

/** Asset bytes as a Buffer, whatever the SDK handed back (Uint8Array) or we sent. */
const bytesOf = (asset) => Buffer.from(asset.Bytes ?? []);

suite('OAuth admin: domains, resource servers, branding', (s) => {
  const send = (cmd) => s.client.send(cmd);
  const describeDomain = async (Domain) => (await send(new DescribeUserPoolDomainCommand({ Domain }))).DomainDescription;

  // -------------------------------------------------------------------------------------------
  // domains

  test('CreateUserPoolDomain, DescribeUserPoolDomain, DescribeUserPool.Domain, UpdateUserPoolDomain, DeleteUserPoolDomain', async () => {
    const pool = await createPool(s);
    const domain = uniq('auth');
    const created = await send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: pool.Id }));
    assert.equal(typeof created.CloudFrontDomain, 'string', `CloudFrontDomain: ${JSON.stringify(created.CloudFrontDomain)}`);
    assert.ok(created.CloudFrontDomain.length > 0, 'CloudFrontDomain is empty');

    const d = await describeDomain(domain);
    assert.equal(d.UserPoolId, pool.Id);
    assert.equal(d.Domain, domain);
    assert.equal(d.Status, 'ACTIVE');

    const described = (await send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool;
    assert.equal(described.Domain, domain, 'DescribeUserPool names the pool\'s prefix domain');

    const updated = await send(new UpdateUserPoolDomainCommand({ Domain: domain, UserPoolId: pool.Id, ManagedLoginVersion: 2 }));
    assert.equal(updated.ManagedLoginVersion, 2);
    const after = await describeDomain(domain);
    assert.equal(after.ManagedLoginVersion, 2);
    assert.equal(after.UserPoolId, pool.Id);
    assert.equal(after.Status, 'ACTIVE');

    await send(new DeleteUserPoolDomainCommand({ Domain: domain, UserPoolId: pool.Id }));
    assert.deepEqual(await describeDomain(domain), {}, 'a deleted domain is described as {}');
    const afterDelete = (await send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool;
    assert.equal(afterDelete.Domain, undefined, 'DescribeUserPool no longer names the deleted domain');

    // Freed: the prefix can be taken again (by another pool, even).
    const other = await createPool(s);
    await send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: other.Id }));
    assert.equal((await describeDomain(domain)).UserPoolId, other.Id);
  });

  test('DescribeUserPoolDomain of an unknown domain answers 200 with an empty DomainDescription', async () => {
    const out = await send(new DescribeUserPoolDomainCommand({ Domain: uniq('nobody') }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(out.DomainDescription, {});
  });

  test('one domain per pool, and a domain belongs to one pool', async () => {
    const pool = await createPool(s);
    const domain = uniq('auth');
    await send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: pool.Id }));
    await rejectsWith(send(new CreateUserPoolDomainCommand({ Domain: uniq('second'), UserPoolId: pool.Id })), 'InvalidParameterException',
      undefined, 'a second domain for the same pool');
    const other = await createPool(s);
    await rejectsWith(send(new CreateUserPoolDomainCommand({ Domain: domain, UserPoolId: other.Id })), 'InvalidParameterException',
      undefined, 'the same domain for another pool');
    // Nothing changed hands.
    assert.equal((await describeDomain(domain)).UserPoolId, pool.Id);
    assert.equal((await send(new DescribeUserPoolCommand({ UserPoolId: other.Id }))).UserPool.Domain, undefined);
  });

  test('domain prefixes outside the pattern or with reserved words are InvalidParameterException', async () => {
    const pool = await createPool(s);
    const bad = {
      'an upper-case letter': 'Upper',
      'a leading dash': '-lead',
      'a trailing dash': 'trail-',
      'an underscore': 'has_underscore',
      'the reserved word cognito': 'my-cognito-x',
      'the reserved word aws': 'aws-x',
      'the reserved word amazon': 'amazon-x',
      '64 characters': 'a'.repeat(64),
    };
    for (const [why, Domain] of Object.entries(bad)) {
      await rejectsWith(send(new CreateUserPoolDomainCommand({ Domain, UserPoolId: pool.Id })), 'InvalidParameterException', undefined, why);
    }
    // The refusals were about the names: the same pool takes a valid one.
    const good = uniq('ok');
    await send(new CreateUserPoolDomainCommand({ Domain: good, UserPoolId: pool.Id }));
    assert.equal((await describeDomain(good)).UserPoolId, pool.Id);
  });

  // -------------------------------------------------------------------------------------------
  // resource servers

  test('CreateResourceServer echoes the server; DescribeResourceServer returns it; duplicates and unknowns refused', async () => {
    const pool = await createPool(s);
    const input = { UserPoolId: pool.Id, Identifier: API, Name: 'api', Scopes: API_SCOPES };
    const { ResourceServer: created } = await send(new CreateResourceServerCommand(input));
    assert.deepEqual(normalizeServer(created), normalizeServer(input));
    const { ResourceServer: described } = await send(new DescribeResourceServerCommand({ UserPoolId: pool.Id, Identifier: API }));
    assert.deepEqual(normalizeServer(described), normalizeServer(input));

    await rejectsWith(send(new CreateResourceServerCommand({ ...input, Name: 'again' })), 'InvalidParameterException', undefined, 'a duplicate identifier');
    await rejectsWith(send(new DescribeResourceServerCommand({ UserPoolId: pool.Id, Identifier: 'https://nope.example.com' })), 'ResourceNotFoundException');
    await rejectsWith(send(new DescribeResourceServerCommand({ UserPoolId: UNKNOWN_POOL, Identifier: API })), 'ResourceNotFoundException');
    await rejectsWith(send(new CreateResourceServerCommand({ ...input, UserPoolId: UNKNOWN_POOL })), 'ResourceNotFoundException');
  });

  test('a scope name containing "/" is InvalidParameterException', async () => {
    const pool = await createPool(s);
    await rejectsWith(send(new CreateResourceServerCommand({
      UserPoolId: pool.Id, Identifier: API, Name: 'api', Scopes: [{ ScopeName: 'read/all', ScopeDescription: 'Read all' }],
    })), 'InvalidParameterException');
    // Nothing was created.
    await rejectsWith(send(new DescribeResourceServerCommand({ UserPoolId: pool.Id, Identifier: API })), 'ResourceNotFoundException');
  });

  test('ListResourceServers pages with MaxResults and NextToken', async () => {
    const pool = await createPool(s);
    const identifiers = ['https://one.example.com', 'orders'];
    for (const Identifier of identifiers) {
      await send(new CreateResourceServerCommand({ UserPoolId: pool.Id, Identifier, Name: Identifier.replace(/\W/g, ''), Scopes: API_SCOPES }));
    }
    const pages = await collectPages(async (token) => {
      const out = await send(new ListResourceServersCommand({ UserPoolId: pool.Id, MaxResults: 1, NextToken: token }));
      return { items: out.ResourceServers, next: out.NextToken };
    });
    for (const page of pages) assert.ok(page.length <= 1, `a page of ${page.length} with MaxResults 1`);
    const listed = pages.flat();
    assert.deepEqual(sorted(listed.map((r) => r.Identifier)), sorted(identifiers));
    for (const r of listed) {
      assert.equal(r.UserPoolId, pool.Id);
      assert.deepEqual(sorted(r.Scopes.map((x) => x.ScopeName)), ['read', 'write']);
    }
  });

  test('UpdateResourceServer replaces the scopes; DeleteResourceServer removes the server', async () => {
    const pool = await createPool(s);
    await send(new CreateResourceServerCommand({ UserPoolId: pool.Id, Identifier: API, Name: 'api', Scopes: API_SCOPES }));
    const scopes = [{ ScopeName: 'admin', ScopeDescription: 'Administer' }];
    const { ResourceServer: updated } = await send(new UpdateResourceServerCommand({ UserPoolId: pool.Id, Identifier: API, Name: 'api v2', Scopes: scopes }));
    assert.equal(updated.Name, 'api v2');
    assert.deepEqual(updated.Scopes, scopes);
    const { ResourceServer: described } = await send(new DescribeResourceServerCommand({ UserPoolId: pool.Id, Identifier: API }));
    assert.equal(described.Name, 'api v2');
    assert.deepEqual(described.Scopes, scopes, 'the old scopes are gone, not merged');
    await rejectsWith(send(new UpdateResourceServerCommand({ UserPoolId: pool.Id, Identifier: 'https://nope.example.com', Name: 'x', Scopes: scopes })),
      'ResourceNotFoundException');

    await send(new DeleteResourceServerCommand({ UserPoolId: pool.Id, Identifier: API }));
    await rejectsWith(send(new DescribeResourceServerCommand({ UserPoolId: pool.Id, Identifier: API })), 'ResourceNotFoundException');
    await rejectsWith(send(new DeleteResourceServerCommand({ UserPoolId: pool.Id, Identifier: API })), 'ResourceNotFoundException');
    const { ResourceServers } = await send(new ListResourceServersCommand({ UserPoolId: pool.Id, MaxResults: 10 }));
    assert.deepEqual(ResourceServers ?? [], []);
  });

  // -------------------------------------------------------------------------------------------
  // app clients' OAuth settings

  test('app client OAuth settings: custom scopes need their resource server; flow, callback and default-redirect rules', async () => {
    const pool = await createPool(s);
    const base = {
      UserPoolId: pool.Id,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://app.example.com/cb'],
    };
    const create = (extra) => send(new CreateUserPoolClientCommand({ ...base, ClientName: uniq('c'), ...extra }));

    await rejectsWith(create({ AllowedOAuthScopes: ['openid', `${API}/read`] }), 'ScopeDoesNotExistException', undefined, 'before the resource server exists');
    await send(new CreateResourceServerCommand({ UserPoolId: pool.Id, Identifier: API, Name: 'api', Scopes: API_SCOPES }));
    const { UserPoolClient: ok } = await create({ AllowedOAuthScopes: ['openid', `${API}/read`] });
    const d = (await send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: ok.ClientId }))).UserPoolClient;
    assert.deepEqual(sorted(d.AllowedOAuthScopes), sorted(['openid', `${API}/read`]));
    await rejectsWith(create({ AllowedOAuthScopes: ['openid', `${API}/delete`] }), 'ScopeDoesNotExistException', undefined, 'an unknown scope of a known server');
    await rejectsWith(create({ AllowedOAuthScopes: ['https://other.example.com/read'] }), 'ScopeDoesNotExistException', undefined, 'a scope of an unknown server');

    await rejectsWith(create({ AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [`${API}/read`], CallbackURLs: undefined }),
      'InvalidOAuthFlowException', undefined, 'client_credentials without a secret');
    await rejectsWith(create({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials', 'code'], AllowedOAuthScopes: [`${API}/read`] }),
      'InvalidOAuthFlowException', undefined, 'client_credentials with code');
    // The valid form of the same: a secret, client_credentials alone, custom scopes.
    const { UserPoolClient: m2m } = await create({
      GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [`${API}/read`, `${API}/write`], CallbackURLs: undefined,
    });
    assert.equal(typeof m2m.ClientSecret, 'string');
    assert.deepEqual(m2m.AllowedOAuthFlows, ['client_credentials']);

    await rejectsWith(create({ AllowedOAuthScopes: ['openid'], CallbackURLs: ['http://example.com/cb'] }), 'InvalidParameterException',
      undefined, 'plain http to a host other than localhost');
    await rejectsWith(create({ AllowedOAuthScopes: ['openid'], DefaultRedirectURI: 'https://app.example.com/elsewhere' }), 'InvalidParameterException',
      undefined, 'DefaultRedirectURI not among CallbackURLs');
    const { UserPoolClient: withDefault } = await create({ AllowedOAuthScopes: ['openid'], DefaultRedirectURI: 'https://app.example.com/cb' });
    assert.equal(withDefault.DefaultRedirectURI, 'https://app.example.com/cb');
  });

  // -------------------------------------------------------------------------------------------
  // managed login branding

  test('managed login branding: create, describe (by id and by client), one per client, update, delete', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id);
    const settings = {
      categories: { global: { colorSchemeMode: 'LIGHT', pageHeader: { enabled: true }, pageFooter: { enabled: false } } },
      components: { primaryButton: { lightMode: { defaults: { backgroundColor: '0972d3ff', textColor: 'ffffffff' } } } },
      n: 3.5,
      list: [1, 'two', false],
    };
    // A PNG signature and some bytes that are not valid UTF-8, to see them round-trip as bytes.
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x7f, 0x01]);
    const assets = [{ Category: 'PAGE_HEADER_LOGO', ColorMode: 'LIGHT', Extension: 'PNG', Bytes: png }];
    const checkAssets = (got, label) => {
      assert.equal(got?.length, 1, `${label}: one asset`);
      assert.equal(got[0].Category, 'PAGE_HEADER_LOGO');
      assert.equal(got[0].ColorMode, 'LIGHT');
      assert.equal(got[0].Extension, 'PNG');
      assert.ok(bytesOf(got[0]).equals(Buffer.from(png)), `${label}: asset bytes ${bytesOf(got[0]).toString('hex')}`);
    };

    const { ManagedLoginBranding: created } = await send(new CreateManagedLoginBrandingCommand({
      UserPoolId: pool.Id, ClientId: client.ClientId, Settings: settings, Assets: assets,
    }));
    const id = created.ManagedLoginBrandingId;
    assert.equal(typeof id, 'string');
    assert.ok(id.length > 0);
    assert.equal(created.UserPoolId, pool.Id);
    assert.deepEqual(created.Settings, settings);
    checkAssets(created.Assets, 'CreateManagedLoginBranding');

    const { ManagedLoginBranding: byId } = await send(new DescribeManagedLoginBrandingCommand({ UserPoolId: pool.Id, ManagedLoginBrandingId: id }));
    assert.equal(byId.ManagedLoginBrandingId, id);
    assert.deepEqual(byId.Settings, settings);
    checkAssets(byId.Assets, 'DescribeManagedLoginBranding');
    const { ManagedLoginBranding: byClient } = await send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }));
    assert.equal(byClient.ManagedLoginBrandingId, id);
    assert.deepEqual(byClient.Settings, settings);
    checkAssets(byClient.Assets, 'DescribeManagedLoginBrandingByClient');

    await rejectsWith(send(new CreateManagedLoginBrandingCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, Settings: { other: true } })),
      'ManagedLoginBrandingExistsException', undefined, 'a second branding for the same client');

    const newSettings = { categories: { global: { colorSchemeMode: 'DARK' } } };
    const { ManagedLoginBranding: updated } = await send(new UpdateManagedLoginBrandingCommand({
      UserPoolId: pool.Id, ManagedLoginBrandingId: id, Settings: newSettings,
    }));
    assert.equal(updated.ManagedLoginBrandingId, id);
    assert.deepEqual(updated.Settings, newSettings, 'Settings are replaced, not merged');
    const { ManagedLoginBranding: reread } = await send(new DescribeManagedLoginBrandingCommand({ UserPoolId: pool.Id, ManagedLoginBrandingId: id }));
    assert.deepEqual(reread.Settings, newSettings);

    await send(new DeleteManagedLoginBrandingCommand({ UserPoolId: pool.Id, ManagedLoginBrandingId: id }));
    await rejectsWith(send(new DescribeManagedLoginBrandingCommand({ UserPoolId: pool.Id, ManagedLoginBrandingId: id })), 'ResourceNotFoundException');
    await rejectsWith(send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: pool.Id, ClientId: client.ClientId })), 'ResourceNotFoundException');
    // The client may have a branding again once the old one is gone.
    const { ManagedLoginBranding: again } = await send(new CreateManagedLoginBrandingCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, Settings: settings }));
    assert.notEqual(again.ManagedLoginBrandingId, id);
  });

  // -------------------------------------------------------------------------------------------
  // classic hosted UI customization

  test('SetUICustomization / GetUICustomization for a client and for the pool default', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id);
    const clientCss = '.banner-customizable { background-color: #123456; }';
    const poolCss = '.submitButton-customizable { background-color: #654321; }';

    const { UICustomization: set } = await send(new SetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, CSS: clientCss }));
    assert.equal(set.CSS, clientCss);
    assert.equal(set.UserPoolId, pool.Id);
    assert.equal(set.ClientId, client.ClientId);
    const { UICustomization: got } = await send(new GetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }));
    assert.equal(got.CSS, clientCss);
    assert.equal(got.UserPoolId, pool.Id);

    const { UICustomization: poolSet } = await send(new SetUICustomizationCommand({ UserPoolId: pool.Id, CSS: poolCss }));
    assert.equal(poolSet.CSS, poolCss);
    const { UICustomization: poolGot } = await send(new GetUICustomizationCommand({ UserPoolId: pool.Id }));
    assert.equal(poolGot.CSS, poolCss);
    // The pool default did not overwrite the client's own.
    const { UICustomization: clientAgain } = await send(new GetUICustomizationCommand({ UserPoolId: pool.Id, ClientId: client.ClientId }));
    assert.equal(clientAgain.CSS, clientCss);
  });
});
