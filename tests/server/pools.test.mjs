// User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools,
// AddCustomAttributes, driven with the AWS SDK for JavaScript v3.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  AddCustomAttributesCommand,
  AdminGetUserCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import {
  POOL_ID_RE,
  assertRecentDate,
  collectPages,
  createClient,
  createPool,
  createUser,
  rejectsWith,
  sorted,
  suite,
  uniq,
} from './harness.mjs';

const UNKNOWN_POOL = 'us-east-1_NoSuchP00';

function schemaByName(pool) {
  const out = {};
  for (const a of pool.SchemaAttributes ?? []) out[a.Name] = a;
  return out;
}

suite('user pools', (s) => {
  const describePool = async (id) => (await s.client.send(new DescribeUserPoolCommand({ UserPoolId: id }))).UserPool;

  test('CreateUserPool returns an id, name and dates; DescribeUserPool shows the defaults', async () => {
    const name = uniq('pool');
    const { UserPool: created } = await s.client.send(new CreateUserPoolCommand({ PoolName: name }));
    assert.match(created.Id, POOL_ID_RE);
    assert.equal(created.Name, name);
    assertRecentDate(created.CreationDate, 'CreationDate');
    assertRecentDate(created.LastModifiedDate, 'LastModifiedDate');

    const pool = await describePool(created.Id);
    assert.equal(pool.Id, created.Id);
    assert.equal(pool.Name, name);
    assert.equal(pool.CreationDate.getTime(), created.CreationDate.getTime());
    if (pool.Arn !== undefined) assert.ok(pool.Arn.endsWith(`:userpool/${created.Id}`), `Arn ${pool.Arn}`);
    assert.equal(pool.MfaConfiguration, 'OFF');
    // cognito: DeletionProtectionType defaults to INACTIVE when not given.
    assert.equal(pool.DeletionProtection ?? 'INACTIVE', 'INACTIVE');
    assert.equal(pool.EstimatedNumberOfUsers, 0);
    // cognito: without Policies a pool gets 8 characters, all four classes, 7-day temporary passwords (documented "defaults to 7")
    const pp = pool.Policies?.PasswordPolicy;
    assert.ok(pp, 'DescribeUserPool has no Policies.PasswordPolicy');
    assert.equal(pp.MinimumLength, 8);
    assert.equal(pp.RequireUppercase, true);
    assert.equal(pp.RequireLowercase, true);
    assert.equal(pp.RequireNumbers, true);
    assert.equal(pp.RequireSymbols, true);
    assert.equal(pp.TemporaryPasswordValidityDays, 7);

    // The standard attributes are part of every pool's schema.
    const schema = schemaByName(pool);
    for (const std of ['sub', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'given_name', 'family_name', 'name', 'preferred_username', 'updated_at']) {
      assert.ok(schema[std], `standard attribute ${std} missing from SchemaAttributes`);
    }
    assert.equal(schema.sub.AttributeDataType, 'String');
    assert.equal(schema.sub.Mutable, false);
    assert.equal(schema.sub.Required, true);
    assert.equal(schema.email_verified.AttributeDataType, 'Boolean');
    assert.equal(schema.updated_at.AttributeDataType, 'Number');
    assert.ok(!Object.keys(schema).some((n) => n.startsWith('custom:')), 'no custom attributes were asked for');
  });

  test('CreateUserPool stores policy, sign-in, verification, MFA, admin-create, recovery, protection and tags', async () => {
    const input = {
      PoolName: uniq('full'),
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireUppercase: false,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: false,
          TemporaryPasswordValidityDays: 3,
        },
      },
      AliasAttributes: ['email', 'preferred_username'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      MfaConfiguration: 'OFF',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      AccountRecoverySetting: {
        RecoveryMechanisms: [
          { Name: 'verified_email', Priority: 1 },
          { Name: 'verified_phone_number', Priority: 2 },
        ],
      },
      DeletionProtection: 'ACTIVE',
      UserPoolTags: { team: 'identity', env: 'test' },
    };
    const { UserPool: created } = await s.client.send(new CreateUserPoolCommand(input));
    const pool = await describePool(created.Id);

    assert.deepEqual(
      { ...pool.Policies.PasswordPolicy, PasswordHistorySize: undefined },
      { ...input.Policies.PasswordPolicy, PasswordHistorySize: undefined },
    );
    assert.deepEqual(sorted(pool.AliasAttributes), ['email', 'preferred_username']);
    assert.ok(!pool.UsernameAttributes?.length, 'UsernameAttributes should be empty with AliasAttributes');
    assert.equal(pool.UsernameConfiguration?.CaseSensitive, false);
    assert.deepEqual(pool.AutoVerifiedAttributes, ['email']);
    assert.equal(pool.MfaConfiguration, 'OFF');
    assert.equal(pool.AdminCreateUserConfig?.AllowAdminCreateUserOnly, true);
    assert.deepEqual(
      [...pool.AccountRecoverySetting.RecoveryMechanisms].sort((a, b) => a.Priority - b.Priority),
      input.AccountRecoverySetting.RecoveryMechanisms,
    );
    assert.equal(pool.DeletionProtection, 'ACTIVE');
    assert.deepEqual(pool.UserPoolTags, input.UserPoolTags);

    // Leave the pool deletable for whoever cleans up.
    await s.client.send(new UpdateUserPoolCommand({ UserPoolId: created.Id, DeletionProtection: 'INACTIVE' }));
  });

  test('Schema: custom attributes get the custom: prefix and keep their type, mutability and constraints', async () => {
    const pool = await createPool(s, {
      Schema: [
        { Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true },
        { Name: 'tier', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '1', MaxLength: '10' } },
        { Name: 'level', AttributeDataType: 'Number', Mutable: false, NumberAttributeConstraints: { MinValue: '0', MaxValue: '100' } },
        { Name: 'joined', AttributeDataType: 'DateTime', Mutable: true },
      ],
    });
    const schema = schemaByName(await describePool(pool.Id));

    assert.equal(schema.email.Required, true);
    assert.ok(!schema.tier && !schema.level, 'custom attributes must be listed with their custom: prefix');
    assert.equal(schema['custom:tier']?.AttributeDataType, 'String');
    assert.equal(schema['custom:tier'].Mutable, true);
    assert.equal(schema['custom:tier'].Required, false);
    assert.deepEqual(schema['custom:tier'].StringAttributeConstraints, { MinLength: '1', MaxLength: '10' });
    assert.equal(schema['custom:level']?.AttributeDataType, 'Number');
    assert.equal(schema['custom:level'].Mutable, false);
    assert.deepEqual(schema['custom:level'].NumberAttributeConstraints, { MinValue: '0', MaxValue: '100' });
    assert.equal(schema['custom:joined']?.AttributeDataType, 'DateTime');
  });

  test('Schema is checked as Cognito checks it, with its wording', async () => {
    const refused = {
      'Invalid AttributeDataType input, consider using the provided AttributeDataType enum.': { Name: 'untyped' },
      "Validation error detected: Value 'Banana' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]":
        { Name: 'fruit', AttributeDataType: 'Banana' },
      'You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email': { Name: 'email', AttributeDataType: 'Number' },
      'Invalid StringAttributeConstraints for schema attribute email': { Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: 'invalid_value' } },
      'Invalid NumberAttributeConstraints for schema attribute updated_at': { Name: 'updated_at', AttributeDataType: 'Number', NumberAttributeConstraints: { MaxValue: 'x' } },
      'user.email: String attributes cannot have a length of more than 2048': { Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: { MaxLength: '2049' } },
      'user.email: Max length cannot be less than min length.': { Name: 'email', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '2', MaxLength: '1' } },
      'user.updated_at: Max value cannot be less than min value.': { Name: 'updated_at', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '2', MaxValue: '1' } },
    };
    for (const [message, attribute] of Object.entries(refused)) {
      const err = await rejectsWith(s.client.send(new CreateUserPoolCommand({ PoolName: uniq('bad'), Schema: [attribute] })), 'InvalidParameterException');
      assert.equal(err.message, message);
    }
    const devEmail = await rejectsWith(
      s.client.send(new CreateUserPoolCommand({ PoolName: uniq('bad'), Schema: [{ Name: 'email', DeveloperOnlyAttribute: true }] })),
      'InvalidParameterException',
    );
    assert.match(devEmail.message, /set developerOnlyAttribute for standard schema attribute email$/);

    const both = { NumberAttributeConstraints: { MinValue: '10', MaxValue: '20' }, StringAttributeConstraints: { MinLength: '10', MaxLength: '20' } };
    const pool = await createPool(s, {
      Schema: [
        { Name: 'string', AttributeDataType: 'String', ...both },
        { Name: 'number', AttributeDataType: 'Number', ...both },
        { Name: 'boolean', AttributeDataType: 'Boolean', ...both },
        { Name: 'banana', AttributeDataType: 'String', DeveloperOnlyAttribute: true },
      ],
    });
    const schema = schemaByName(await describePool(pool.Id));
    assert.deepEqual(schema['custom:string'].StringAttributeConstraints, { MinLength: '10', MaxLength: '20' });
    assert.equal(schema['custom:string'].NumberAttributeConstraints, undefined);
    assert.deepEqual(schema['custom:number'].NumberAttributeConstraints, { MinValue: '10', MaxValue: '20' });
    assert.equal(schema['custom:number'].StringAttributeConstraints, undefined);
    assert.equal(schema['custom:boolean'].StringAttributeConstraints ?? schema['custom:boolean'].NumberAttributeConstraints, undefined);
    assert.equal(schema['dev:custom:banana']?.DeveloperOnlyAttribute, true);
    assert.deepEqual(schema.birthdate.StringAttributeConstraints, { MinLength: '10', MaxLength: '10' });
    const again = await rejectsWith(
      s.client.send(new AddCustomAttributesCommand({ UserPoolId: pool.Id, CustomAttributes: [{ Name: 'banana', AttributeDataType: 'String' }] })),
      'InvalidParameterException',
    );
    assert.equal(again.message, 'custom:banana: Existing attribute already has name dev:custom:banana.');
  });

  test('VerificationMessageTemplate also shows under the older names; no AccountRecoverySetting is invented', async () => {
    const template = { SmsMessage: '{####} baz', EmailMessage: 'foo {####} bar', EmailSubject: 'foobar {####}', DefaultEmailOption: 'CONFIRM_WITH_CODE' };
    const pool = await describePool((await createPool(s, { VerificationMessageTemplate: template })).Id);
    assert.equal(pool.SmsVerificationMessage, '{####} baz');
    assert.equal(pool.EmailVerificationMessage, 'foo {####} bar');
    assert.equal(pool.EmailVerificationSubject, 'foobar {####}');
    assert.deepEqual(pool.VerificationMessageTemplate, template);
    assert.equal(pool.AccountRecoverySetting, undefined, 'a pool created without AccountRecoverySetting has none');
  });

  test('UsernameAttributes are stored (email or phone number as the username)', async () => {
    const pool = await createPool(s, { UsernameAttributes: ['email', 'phone_number'] });
    const described = await describePool(pool.Id);
    assert.deepEqual(sorted(described.UsernameAttributes), ['email', 'phone_number']);
    assert.ok(!described.AliasAttributes?.length);
  });

  test('UsernameConfiguration.CaseSensitive true is stored', async () => {
    const pool = await createPool(s, { UsernameConfiguration: { CaseSensitive: true } });
    assert.equal((await describePool(pool.Id)).UsernameConfiguration?.CaseSensitive, true);
  });

  test('MfaConfiguration OPTIONAL with an SmsConfiguration is stored', async () => {
    const pool = await createPool(s, {
      MfaConfiguration: 'OPTIONAL',
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/CognitoSms', ExternalId: 'cognate-test' },
    });
    const described = await describePool(pool.Id);
    assert.equal(described.MfaConfiguration, 'OPTIONAL');
    assert.equal(described.SmsConfiguration?.SnsCallerArn, 'arn:aws:iam::123456789012:role/CognitoSms');
  });

  test('CreateUserPool rejects invalid configurations with InvalidParameterException', async () => {
    const bad = {
      'both UsernameAttributes and AliasAttributes': { UsernameAttributes: ['email'], AliasAttributes: ['preferred_username'] },
      'MinimumLength below 6': { Policies: { PasswordPolicy: { MinimumLength: 5 } } },
      'MinimumLength above 99': { Policies: { PasswordPolicy: { MinimumLength: 100 } } },
      // documented: MfaConfiguration ON/OPTIONAL without SmsConfiguration is an InvalidParameterException
      'MFA ON without SmsConfiguration': { MfaConfiguration: 'ON' },
      'unknown MfaConfiguration value': { MfaConfiguration: 'SOMETIMES' },
      'unknown AttributeDataType': { Schema: [{ Name: 'x', AttributeDataType: 'Text' }] },
      // cognito: "Required custom attributes are not supported currently."
      'required custom attribute': { Schema: [{ Name: 'must', AttributeDataType: 'String', Required: true }] },
      'custom attribute name over 20 characters': { Schema: [{ Name: 'a'.repeat(21), AttributeDataType: 'String' }] },
      'the same attribute twice': {
        Schema: [
          { Name: 'dup', AttributeDataType: 'String' },
          { Name: 'dup', AttributeDataType: 'String' },
        ],
      },
      'unknown alias attribute': { AliasAttributes: ['nickname'] },
      'unknown auto-verified attribute': { AutoVerifiedAttributes: ['name'] },
    };
    for (const [why, input] of Object.entries(bad)) {
      await rejectsWith(
        s.client.send(new CreateUserPoolCommand({ PoolName: uniq('bad'), ...input })),
        'InvalidParameterException',
        undefined,
        why,
      );
    }
    await rejectsWith(s.client.send(new CreateUserPoolCommand({})), 'InvalidParameterException');
  });

  test('DescribeUserPool of an unknown pool is ResourceNotFoundException; a malformed id is InvalidParameterException', async () => {
    await rejectsWith(s.client.send(new DescribeUserPoolCommand({ UserPoolId: UNKNOWN_POOL })), 'ResourceNotFoundException');
    // documented UserPoolId pattern [\w-]+_[0-9a-zA-Z]+
    await rejectsWith(s.client.send(new DescribeUserPoolCommand({ UserPoolId: 'not a pool id' })), 'InvalidParameterException');
  });

  test('UpdateUserPool applies the new settings and keeps id, name and creation date', async () => {
    const pool = await createPool(s, { UsernameConfiguration: { CaseSensitive: false } });
    const before = await describePool(pool.Id);
    await s.client.send(
      new UpdateUserPoolCommand({
        UserPoolId: pool.Id,
        Policies: {
          PasswordPolicy: { MinimumLength: 10, RequireUppercase: true, RequireLowercase: false, RequireNumbers: false, RequireSymbols: true, TemporaryPasswordValidityDays: 2 },
        },
        AutoVerifiedAttributes: ['email'],
        MfaConfiguration: 'OFF',
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
        UserPoolTags: { stage: 'updated' },
      }),
    );
    const after = await describePool(pool.Id);
    assert.equal(after.Id, pool.Id);
    assert.equal(after.Name, pool.Name);
    assert.equal(after.CreationDate.getTime(), before.CreationDate.getTime());
    assert.ok(after.LastModifiedDate.getTime() >= before.LastModifiedDate.getTime());
    assert.equal(after.Policies.PasswordPolicy.MinimumLength, 10);
    assert.equal(after.Policies.PasswordPolicy.RequireLowercase, false);
    assert.equal(after.Policies.PasswordPolicy.RequireSymbols, true);
    assert.equal(after.Policies.PasswordPolicy.TemporaryPasswordValidityDays, 2);
    assert.deepEqual(after.AutoVerifiedAttributes, ['email']);
    assert.equal(after.AdminCreateUserConfig.AllowAdminCreateUserOnly, true);
    assert.deepEqual(after.AccountRecoverySetting.RecoveryMechanisms, [{ Name: 'admin_only', Priority: 1 }]);
    assert.deepEqual(after.UserPoolTags, { stage: 'updated' });
    // UsernameConfiguration is immutable and not part of UpdateUserPool.
    assert.equal(after.UsernameConfiguration?.CaseSensitive, false);
  });

  test('UpdateUserPool resets settings it is not given to their defaults', async () => {
    const pool = await createPool(s, {
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    await s.client.send(
      new UpdateUserPoolCommand({ UserPoolId: pool.Id, Policies: { PasswordPolicy: { MinimumLength: 9, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false } } }),
    );
    const after = await describePool(pool.Id);
    assert.equal(after.Policies.PasswordPolicy.MinimumLength, 9);
    // documented (UpdateUserPool): "If you don't provide a value for an attribute, Amazon Cognito sets it
    // to its default value."
    assert.ok(!after.AutoVerifiedAttributes?.length, `AutoVerifiedAttributes kept: ${after.AutoVerifiedAttributes}`);
    assert.notEqual(after.AdminCreateUserConfig?.AllowAdminCreateUserOnly, true);
  });

  test('UpdateUserPool: unknown pool is ResourceNotFoundException, a bad policy InvalidParameterException', async () => {
    await rejectsWith(s.client.send(new UpdateUserPoolCommand({ UserPoolId: UNKNOWN_POOL, MfaConfiguration: 'OFF' })), 'ResourceNotFoundException');
    const pool = await createPool(s);
    await rejectsWith(
      s.client.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id, Policies: { PasswordPolicy: { MinimumLength: 2 } } })),
      'InvalidParameterException',
    );
    // A rejected update changes nothing.
    assert.equal((await describePool(pool.Id)).Policies.PasswordPolicy.MinimumLength, 8);
  });

  test('DeletionProtection ACTIVE blocks DeleteUserPool until it is deactivated', async () => {
    const pool = await createPool(s, { DeletionProtection: 'ACTIVE' });
    // documented: deleting a protected pool returns InvalidParameterException
    await rejectsWith(s.client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })), 'InvalidParameterException');
    assert.equal((await describePool(pool.Id)).Id, pool.Id, 'the protected pool must still exist');

    await s.client.send(new UpdateUserPoolCommand({ UserPoolId: pool.Id, DeletionProtection: 'INACTIVE' }));
    await s.client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));
    await rejectsWith(describePool(pool.Id), 'ResourceNotFoundException');
    await rejectsWith(s.client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id })), 'ResourceNotFoundException');
  });

  test('DeleteUserPool takes its users and clients with it and drops it from ListUserPools', async () => {
    const pool = await createPool(s);
    const user = await createUser(s, pool.Id, uniq('u'));
    const client = await createClient(s, pool.Id);
    await s.client.send(new DeleteUserPoolCommand({ UserPoolId: pool.Id }));

    await rejectsWith(s.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: user.Username })), 'ResourceNotFoundException');
    await rejectsWith(s.client.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.Id, ClientId: client.ClientId })), 'ResourceNotFoundException');
    const pages = await collectPages(async (token) => {
      const out = await s.client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
      return { items: out.UserPools, next: out.NextToken };
    });
    assert.ok(!pages.flat().some((p) => p.Id === pool.Id), 'deleted pool still listed');
  });

  test('DeleteUserPool of an unknown pool is ResourceNotFoundException', async () => {
    await rejectsWith(s.client.send(new DeleteUserPoolCommand({ UserPoolId: UNKNOWN_POOL })), 'ResourceNotFoundException');
  });

  test('ListUserPools pages with MaxResults and NextToken, each pool exactly once', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await createPool(s, { PoolName: uniq('listed') })).Id);

    const pages = await collectPages(async (token) => {
      const out = await s.client.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken: token }));
      return { items: out.UserPools, next: out.NextToken };
    });
    for (const page of pages) assert.ok(page.length <= 2, `page of ${page.length} with MaxResults 2`);
    assert.ok(pages.length >= 3, `5+ pools in pages of 2 need 3+ pages, got ${pages.length}`);
    const ids = pages.flat().map((p) => p.Id);
    assert.equal(new Set(ids).size, ids.length, 'a pool appeared twice across pages');
    for (const id of mine) assert.ok(ids.includes(id), `pool ${id} missing from the listing`);

    const entry = pages.flat().find((p) => p.Id === mine[0]);
    assert.match(entry.Name, /^listed-/);
    assertRecentDate(entry.CreationDate, 'CreationDate');
    assertRecentDate(entry.LastModifiedDate, 'LastModifiedDate');
  });

  test('ListUserPools requires MaxResults between 1 and 60', async () => {
    // documented range for MaxResults: 1-60
    await rejectsWith(s.client.send(new ListUserPoolsCommand({ MaxResults: 0 })), 'InvalidParameterException');
    await rejectsWith(s.client.send(new ListUserPoolsCommand({ MaxResults: 61 })), 'InvalidParameterException');
    await rejectsWith(s.client.send(new ListUserPoolsCommand({})), 'InvalidParameterException');
  });

  test('AddCustomAttributes adds custom: attributes that users can then carry', async () => {
    const pool = await createPool(s);
    await s.client.send(
      new AddCustomAttributesCommand({
        UserPoolId: pool.Id,
        CustomAttributes: [
          { Name: 'dept', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '0', MaxLength: '32' } },
          { Name: 'score', AttributeDataType: 'Number', Mutable: true },
        ],
      }),
    );
    const schema = schemaByName(await describePool(pool.Id));
    assert.equal(schema['custom:dept']?.AttributeDataType, 'String');
    assert.equal(schema['custom:score']?.AttributeDataType, 'Number');

    const user = await createUser(s, pool.Id, uniq('u'), { 'custom:dept': 'research', 'custom:score': '7' });
    const got = await s.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: user.Username }));
    const attrs = Object.fromEntries(got.UserAttributes.map((a) => [a.Name, a.Value]));
    assert.equal(attrs['custom:dept'], 'research');
    assert.equal(attrs['custom:score'], '7');
  });

  test('AddCustomAttributes rejects an existing name, and unknown pools', async () => {
    const pool = await createPool(s, { Schema: [{ Name: 'dept', AttributeDataType: 'String' }] });
    await rejectsWith(
      s.client.send(new AddCustomAttributesCommand({ UserPoolId: pool.Id, CustomAttributes: [{ Name: 'dept', AttributeDataType: 'String' }] })),
      'InvalidParameterException',
    );
    await rejectsWith(
      s.client.send(new AddCustomAttributesCommand({ UserPoolId: UNKNOWN_POOL, CustomAttributes: [{ Name: 'x', AttributeDataType: 'String' }] })),
      'ResourceNotFoundException',
    );
  });

  test('EstimatedNumberOfUsers counts the users in the pool', async () => {
    const pool = await createPool(s);
    await createUser(s, pool.Id, uniq('u'));
    await createUser(s, pool.Id, uniq('u'));
    // cognito: an estimate in AWS; with no replication lag here it is the exact count.
    assert.equal((await describePool(pool.Id)).EstimatedNumberOfUsers, 2);
  });
});
