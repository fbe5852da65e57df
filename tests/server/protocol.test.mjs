// The JSON 1.1 wire protocol and SigV4 on admin operations: malformed JSON, wrong types, unknown
// operations, oversized bodies, unknown fields, missing / unknown / bad signatures, the error body
// shape, and that none of it ever produces a 5xx.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';

import {
  JSON_CONTENT_TYPE,
  assertErrorResponse,
  createPool,
  rejectsWith,
  suite,
  uniq,
} from './harness.mjs';

const MIB = 1024 * 1024;

suite('wire protocol', (s) => {
  const signed = (target, body, extra = {}) => s.raw({ target, body, sign: true, ...extra });

  test('a signed raw request works and answers JSON 1.1', async () => {
    const res = await signed('ListUserPools', { MaxResults: 5 });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.headers['content-type']?.startsWith(JSON_CONTENT_TYPE), `content-type ${res.headers['content-type']}`);
    assert.ok(Array.isArray(res.json?.UserPools), `no UserPools array: ${res.text}`);
  });

  test('unknown fields in a request are ignored', async () => {
    const name = uniq('extra');
    const res = await signed('CreateUserPool', { PoolName: name, NotAField: 1, Nested: { deeper: [true, null] }, Policies: { PasswordPolicy: { MinimumLength: 9, Bogus: 'x' } } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.UserPool.Name, name);
    assert.equal(res.json.UserPool.Policies.PasswordPolicy.MinimumLength, 9);
    // The wire format for dates is epoch seconds (a JSON number).
    assert.equal(typeof res.json.UserPool.CreationDate, 'number');
  });

  test('malformed JSON is SerializationException (400)', async () => {
    for (const body of ['{"MaxResults": ', '{MaxResults: 5}', '{"MaxResults": 5,}', 'not json at all', '{"MaxResults": 5} trailing']) {
      const res = await signed('ListUserPools', body);
      assertErrorResponse(res, { type: 'SerializationException', status: 400 });
    }
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]); // {"\xff\xfe":1} — not UTF-8
    assertErrorResponse(await signed('ListUserPools', bytes), { types: ['SerializationException', 'InvalidParameterException'], status: 400 });
  });

  test('a body that is not a JSON object is a 400, never a 5xx', async () => {
    for (const body of ['[]', '"text"', '42', 'null', 'true']) {
      const res = await signed('ListUserPools', body);
      assertErrorResponse(res, { types: ['SerializationException', 'InvalidParameterException'], status: 400 });
    }
  });

  test('wrong member types are SerializationException (400)', async () => {
    // cognito: type mismatches are SerializationException ("Start of structure or map found where not expected", "Expected map or null")
    const pool = await createPool(s);
    const cases = [
      ['ListUserPools', { MaxResults: 'ten' }],
      ['ListUserPools', { MaxResults: { n: 10 } }],
      ['CreateUserPool', { PoolName: { name: 'x' } }],
      ['CreateUserPool', { PoolName: uniq('t'), Policies: 'strict' }],
      ['CreateUserPool', { PoolName: uniq('t'), AutoVerifiedAttributes: 'email' }],
      ['AdminCreateUser', { UserPoolId: pool.Id, Username: 'typed', UserAttributes: [{ Name: 'email', Value: true }] }],
      ['AdminCreateUser', { UserPoolId: pool.Id, Username: 'typed', UserAttributes: { email: 'a@example.com' } }],
      ['DescribeUserPool', { UserPoolId: ['a', 'b'] }],
    ];
    for (const [op, body] of cases) {
      const res = await signed(op, body);
      assert.ok(res.status < 500, `${op} ${JSON.stringify(body)} → ${res.status}`);
      assertErrorResponse(res, { type: 'SerializationException', status: 400 });
    }
  });

  test('missing required members and pattern violations are InvalidParameterException (400)', async () => {
    // cognito: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint ..."
    assertErrorResponse(await signed('DescribeUserPool', {}), { type: 'InvalidParameterException', status: 400 });
    assertErrorResponse(await signed('DescribeUserPool', { UserPoolId: 'not a pool id!' }), { type: 'InvalidParameterException', status: 400 });
    const pool = await createPool(s);
    assertErrorResponse(await signed('AdminGetUser', { UserPoolId: pool.Id }), { type: 'InvalidParameterException', status: 400 });
    assertErrorResponse(await signed('AdminCreateUser', { UserPoolId: pool.Id, Username: '' }), { type: 'InvalidParameterException', status: 400 });
    assertErrorResponse(await signed('ListUserPools', { MaxResults: -1 }), { type: 'InvalidParameterException', status: 400 });
    // An empty body is an empty request: the required member is missing.
    assertErrorResponse(await signed('DescribeUserPool', ''), { types: ['InvalidParameterException', 'SerializationException'], status: 400 });
  });

  test('unknown operations are UnknownOperationException (400)', async () => {
    assertErrorResponse(await signed('NoSuchOperation', {}), { type: 'UnknownOperationException', status: 400 });
    assertErrorResponse(await signed('DynamoDB_20120810.ListTables', {}), { type: 'UnknownOperationException', status: 400 });
    assertErrorResponse(await signed('AWSCognitoIdentityProviderService.', {}), { type: 'UnknownOperationException', status: 400 });
    // No X-Amz-Target at all.
    const res = await signed(null, { MaxResults: 1 });
    assertErrorResponse(res);
  });

  test('a body over 1 MiB is refused with a 4xx, and the server keeps serving', async () => {
    const padding = 'x'.repeat(MIB + 64 * 1024);
    const res = await signed('CreateUserPool', `{"PoolName":"${uniq('big')}","Padding":"${padding}"}`);
    assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx for a ${padding.length}-byte body, got ${res.status}`);
    if (res.json) assertErrorResponse(res);
    const after = await s.client.send(new ListUserPoolsCommand({ MaxResults: 1 }));
    assert.ok(Array.isArray(after.UserPools));
  });

  test('a body well under 1 MiB is processed normally', async () => {
    const name = uniq('half');
    const res = await signed('CreateUserPool', { PoolName: name, Padding: 'y'.repeat(512 * 1024) });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.json.UserPool.Name, name);
  });

  test('an unsigned admin call is MissingAuthenticationTokenException', async () => {
    const pool = await createPool(s);
    for (const [op, body] of [
      ['ListUserPools', { MaxResults: 5 }],
      ['CreateUserPool', { PoolName: uniq('nosig') }],
      ['AdminGetUser', { UserPoolId: pool.Id, Username: 'x' }],
      ['ListUsers', { UserPoolId: pool.Id }],
      ['CreateGroup', { UserPoolId: pool.Id, GroupName: 'nosig' }],
    ]) {
      const res = await s.raw({ target: op, body });
      assertErrorResponse(res, { type: 'MissingAuthenticationTokenException' });
    }
    // Nothing happened: the group was not created.
    const groups = await signed('ListGroups', { UserPoolId: pool.Id });
    assert.equal(groups.status, 200, groups.text);
    assert.deepEqual(groups.json.Groups, []);
  });

  test('an unknown access key is UnrecognizedClientException', async () => {
    const stranger = { accessKeyId: 'AKIAUNKNOWN0000000000', secretAccessKey: 'not-the-secret-000000000000000000000000' };
    await rejectsWith(s.clientWith(stranger).send(new ListUserPoolsCommand({ MaxResults: 5 })), 'UnrecognizedClientException');
    const res = await s.raw({ target: 'ListUserPools', body: { MaxResults: 5 }, sign: stranger });
    assertErrorResponse(res, { type: 'UnrecognizedClientException' });
  });

  test('a wrong secret or a tampered request is InvalidSignatureException', async () => {
    const wrongSecret = { accessKeyId: s.credentials.accessKeyId, secretAccessKey: `${s.credentials.secretAccessKey}x` };
    await rejectsWith(s.clientWith(wrongSecret).send(new ListUserPoolsCommand({ MaxResults: 5 })), 'InvalidSignatureException');

    // Signed correctly, then the body changes: the payload hash no longer matches.
    const pool = await createPool(s);
    const body = JSON.stringify({ UserPoolId: pool.Id, GroupName: 'signed-name' });
    const tamperedBody = await s.raw({
      target: 'CreateGroup',
      body,
      sign: true,
      afterSign: ({ ...headers }) => ({ headers, body: body.replace('signed-name', 'forged-name') }),
    });
    assertErrorResponse(tamperedBody, { types: ['InvalidSignatureException', 'IncompleteSignatureException'] });

    // Signed correctly, then the signature itself is altered.
    const tamperedSig = await s.raw({
      target: 'ListUserPools',
      body: { MaxResults: 5 },
      sign: true,
      afterSign: (headers) => {
        headers.authorization = headers.authorization.replace(/Signature=([0-9a-f])/, (_, c) => `Signature=${c === '0' ? '1' : '0'}`);
        return { headers };
      },
    });
    assertErrorResponse(tamperedSig, { type: 'InvalidSignatureException' });

    // Signed correctly, then a signed header (the operation) changes.
    const tamperedTarget = await s.raw({
      target: 'ListUserPools',
      body: { MaxResults: 5 },
      sign: true,
      afterSign: (headers) => {
        headers['x-amz-target'] = 'AWSCognitoIdentityProviderService.ListUsers';
        return { headers };
      },
    });
    assertErrorResponse(tamperedTarget, { type: 'InvalidSignatureException' });

    const groups = await signed('ListGroups', { UserPoolId: pool.Id });
    assert.deepEqual(groups.json.Groups, [], 'a request with a bad signature took effect');
  });

  test('a malformed Authorization header is a 4xx signature error', async () => {
    // cognito: AWS answers IncompleteSignatureException for an Authorization header it can't parse
    const res = await s.raw({
      target: 'ListUserPools',
      body: { MaxResults: 5 },
      headers: { authorization: 'AWS4-HMAC-SHA256 garbage', 'x-amz-date': '20260101T000000Z' },
    });
    assertErrorResponse(res, { types: ['IncompleteSignatureException', 'InvalidSignatureException', 'MissingAuthenticationTokenException'] });
  });

  test('errors are HTTP 400 with {__type, message}, readable by the SDK', async () => {
    const res = await signed('DescribeUserPool', { UserPoolId: 'us-east-1_NoSuchP00' });
    assertErrorResponse(res, { type: 'ResourceNotFoundException', status: 400 });
    assert.ok(res.headers['content-type']?.includes('json'), `error content-type ${res.headers['content-type']}`);
    const err = await rejectsWith(s.client.send(new ListUserPoolsCommand({ MaxResults: 61 })), 'InvalidParameterException');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.$fault, 'client');
    assert.ok(err.message.length > 0);
  });

  test('user operations are not subject to SigV4: an unsigned SignUp is not MissingAuthenticationToken', async () => {
    const res = await s.raw({ target: 'SignUp', body: { ClientId: 'abcdefghijklmnopqrstuvwxyz', Username: 'someone', Password: 'Passw0rd!x' } });
    assert.ok(res.status < 500, `unsigned SignUp → ${res.status}`);
    const type = assertErrorResponse(res);
    assert.notEqual(type, 'MissingAuthenticationTokenException');
  });

  test('CORS preflight from any origin is answered', async () => {
    // DESIGN.md: browser SDKs call POST / cross-origin; the endpoint answers preflights as Cognito does.
    const res = await s.raw({
      method: 'OPTIONS',
      target: null,
      headers: {
        'content-type': null,
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target,x-amz-user-agent',
      },
    });
    assert.ok(res.status >= 200 && res.status < 300, `preflight answered ${res.status}`);
    const allowOrigin = res.headers['access-control-allow-origin'];
    assert.ok(allowOrigin === '*' || allowOrigin === 'https://app.example.com', `access-control-allow-origin: ${allowOrigin}`);
    const allowHeaders = (res.headers['access-control-allow-headers'] ?? '').toLowerCase();
    assert.ok(allowHeaders === '*' || ['content-type', 'x-amz-target'].every((h) => allowHeaders.includes(h)), `access-control-allow-headers: ${allowHeaders}`);
  });

  test('after all the bad input the server still answers and never crashed', async () => {
    const res = await signed('ListUserPools', { MaxResults: 60 });
    assert.equal(res.status, 200);
    assert.equal(s.exited, null, 'the server process exited');
  });
});
