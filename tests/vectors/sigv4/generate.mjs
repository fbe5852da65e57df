#!/usr/bin/env node
// Writes AWS Signature Version 4 test vectors (tests/vectors/sigv4/*.json), signed by the AWS SDK
// for JavaScript's own signer (SignatureV4 from @smithy/signature-v4, SHA-256 from
// @aws-crypto/sha256-js), for Cognate's Rust verifier (crates/server/src/sigv4.rs).
//
//   cd tests && npm ci && cd .. && node tests/vectors/sigv4/generate.mjs [OUTPUT_ROOT]
//
// Keys and signing dates are fixed, so re-running rewrites byte-identical files. Before writing, the
// script sends one request through the real CognitoIdentityProviderClient (to a handler that only
// captures it) and stops unless our template has the same headers, signed headers and body bytes.
// A failed self-check prints a message and exits with status 1 before anything is written.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
// Resolve packages from tests/node_modules whatever the cwd is.
const require = createRequire(join(HERE, '..', '..', 'package.json'));
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const cognito = require('@aws-sdk/client-cognito-identity-provider');

function check(ok, what) {
  if (ok) return;
  console.error(`SELF-CHECK FAILED: ${what}`);
  process.exit(1);
}
const PINNED = {
  '@smithy/signature-v4': '5.7.5',
  '@aws-crypto/sha256-js': '5.2.0',
  '@aws-sdk/client-cognito-identity-provider': '3.1169.0',
};
for (const [name, version] of Object.entries(PINNED)) {
  const found = require(`${name}/package.json`).version;
  check(found === version, `expected ${name} ${version}, found ${found}`);
}

const SERVICE = 'cognito-idp';
const HOST = '127.0.0.1:9229';
const TARGET = 'AWSCognitoIdentityProviderService';
const SDK_UA = 'aws-sdk-js/3.1168.0';
const KEYS = {
  primary: { accessKeyId: 'AKIACOGNATEEXAMPLE01', secretAccessKey: 'kQ3v/7Zt+e1NmX0pWq8cYb2R5sLdJf9GhUaT4oVi' },
  second: { accessKeyId: 'AKIACOGNATEEXAMPLE02', secretAccessKey: 'Zr+2mP9/aXcL0qT7wEo4Ky1bN8sVdHf6JuGi3Ytn' },
};

// The headers CognitoIdentityProviderClient puts on a request before signing (checked below against a
// real client). Names and order as the client sends them; the signer adds x-amz-date,
// x-amz-content-sha256 and authorization.
function clientHeaders(operation, body, invocation) {
  return {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `${TARGET}.${operation}`,
    'content-length': String(Buffer.byteLength(body, 'utf8')),
    'x-amz-user-agent': SDK_UA,
    'user-agent': `${SDK_UA} ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/cognito-identity-provider#3.1168.0 m/N,E,e`,
    host: HOST,
    'amz-sdk-invocation-id': invocation,
    'amz-sdk-request': 'attempt=1; max=3',
  };
}

// The query string an SDK HTTP handler puts on the wire for a query object: keys sorted, each key
// and value percent-encoded like encodeURIComponent plus !'()*, repeated keys in array order.
const escape = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function wireQuery(query) {
  const parts = [];
  for (const key of Object.keys(query).sort()) {
    for (const value of [].concat(query[key])) parts.push(`${escape(key)}=${escape(value)}`);
  }
  return parts.join('&');
}

const CASES = [
  {
    name: 'admin_get_user',
    description: 'AdminGetUser exactly as CognitoIdentityProviderClient sends it (header set checked against the real client)',
    key: 'primary', region: 'us-east-1', date: '2025-06-05T03:08:02Z',
    operation: 'AdminGetUser', input: { UserPoolId: 'us-east-1_AbCdEfGhI', Username: 'alice' },
  },
  {
    name: 'list_users_eu_west_2',
    description: 'ListUsers in another region (eu-west-2); the verifier must accept any region and report it',
    key: 'second', region: 'eu-west-2', date: '2026-01-31T23:59:59Z',
    operation: 'ListUsers', input: { UserPoolId: 'eu-west-2_Zz9Yy8Xx7', Limit: 10, Filter: 'email ^= "bob"' },
  },
  {
    name: 'non_ascii_body',
    description: 'AdminCreateUser whose JSON body has non-ASCII UTF-8 (accents, CJK, an emoji); content-length counts bytes',
    key: 'primary', region: 'ap-northeast-1', date: '2024-02-29T12:00:00Z',
    operation: 'AdminCreateUser',
    input: {
      UserPoolId: 'ap-northeast-1_TokYo0001', Username: 'zoë.東京',
      UserAttributes: [{ Name: 'name', Value: 'Zoë Ångström 東京 🚀' }, { Name: 'email', Value: 'zoe@example.com' }],
    },
  },
  {
    name: 'query_string',
    description: 'A query string with repeated keys, spaces, reserved and unreserved characters; wire form as the SDK builds it',
    key: 'primary', region: 'us-east-1', date: '2025-12-31T23:30:00Z',
    operation: 'ListUsers', input: { UserPoolId: 'us-east-1_AbCdEfGhI' },
    query: { Version: '2016-04-18', b: ['2', '10', '1'], 'sp ace': 'a b~*!', empty: '', 'ütf': 'ß/?&=' },
  },
  {
    name: 'query_string_unnormalized',
    description: 'The same query signed by the SDK but sent unsorted, with lowercase hex, %7E for ~ and an extra-encoded unreserved character; the server must decode and re-encode',
    key: 'primary', region: 'us-east-1', date: '2025-12-31T23:30:00Z',
    operation: 'ListUsers', input: { UserPoolId: 'us-east-1_AbCdEfGhI' },
    query: { Version: '2016-04-18', b: ['2', '10', '1'], 'sp ace': 'a b~*!', empty: '', 'ütf': 'ß/?&=' },
    rawQuery: '%c3%bctf=%c3%9f%2f%3f%26%3d&sp%20ace=a%20b%7e%2a%21&b=2&b=10&empty=&%56ersion=2016-04-18&b=1',
  },
  {
    name: 'whitespace_and_repeated_headers',
    description: 'Header values with runs of spaces and tabs and leading/trailing blanks, and one header sent as two lines (signed as their comma-joined value)',
    key: 'second', region: 'us-west-2', date: '2025-03-09T10:00:00Z',
    operation: 'AdminDeleteUser', input: { UserPoolId: 'us-west-2_Wh1tespac', Username: 'carol' },
    extraHeaders: {
      'x-amz-user-agent': '  aws-sdk-js/3.1168.0    ua/2.1 \t  os/linux  ',
      'x-cognate-note': '\tquoted  "a   b"   stays  collapsed ',
      'x-cognate-repeat': 'first   value,second',
    },
    // Sent as `x-cognate-repeat: first   value` and `x-cognate-repeat:  second`: per SigV4 the server
    // joins the trimmed values of repeated headers with ",", giving the value the SDK signed.
    splitHeader: { name: 'x-cognate-repeat', values: ['first   value', '  second'] },
  },
  {
    name: 'mixed_case_header_names',
    description: 'Header names in mixed case, as the AWS CLI (botocore) writes them; SigV4 lowercases names',
    key: 'primary', region: 'us-east-1', date: '2025-07-04T00:00:01Z',
    operation: 'AdminSetUserPassword', input: { UserPoolId: 'us-east-1_AbCdEfGhI', Username: 'dave', Password: 'N3w-Pa55word!', Permanent: true },
    mixedCase: true,
  },
  {
    name: 'no_content_sha256_header',
    description: 'Signed without the x-amz-content-sha256 header (applyChecksum false); the server must hash the body itself',
    key: 'second', region: 'sa-east-1', date: '2025-11-02T07:45:30Z',
    operation: 'CreateGroup', input: { UserPoolId: 'sa-east-1_Gr0upPool', GroupName: 'admins', Precedence: 0 },
    applyChecksum: false,
  },
  {
    name: 'path_normalization',
    description: 'A non-root path with an encoded space, ".", "..", an empty segment and an encoded slash; each segment of the path as sent is encoded once more (Cognito itself only uses "/")',
    key: 'primary', region: 'us-east-1', date: '2025-06-05T03:08:02Z',
    operation: 'AdminGetUser', input: { UserPoolId: 'us-east-1_AbCdEfGhI', Username: 'erin' },
    path: '/a%20b/./c//d/../e%2Ff~(x)/',
  },
  {
    name: 'session_token',
    description: 'Temporary-credential style: the signer adds and signs x-amz-security-token; the verifier treats it as an ordinary signed header',
    key: 'primary', region: 'us-east-1', date: '2025-06-05T03:08:02Z',
    operation: 'AdminGetUser', input: { UserPoolId: 'us-east-1_AbCdEfGhI', Username: 'frank' },
    sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN//////////wEaDEXAMPLE=',
  },
];

function uuidFor(name) {
  // Stable, UUID-shaped invocation id per case.
  const hex = Buffer.from(name.padEnd(16, '.')).subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
// Decoded (name, value) pairs of a wire query string, sorted, to compare two encodings of one query.
const queryPairs = (q) => q.split('&').filter(Boolean).map((p) => [...p.split('=', 2), ''].slice(0, 2).map(decodeURIComponent)).sort();
const titleCase = (name) => name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());

async function sign(c) {
  const body = JSON.stringify(c.input);
  let headers = { ...clientHeaders(c.operation, body, uuidFor(c.name)), ...(c.extraHeaders ?? {}) };
  if (c.mixedCase) headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [titleCase(k), v]));
  const request = {
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 9229,
    path: c.path ?? '/', query: c.query ?? {}, headers, body,
  };
  const credentials = { ...KEYS[c.key], ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
  const signer = new SignatureV4({
    service: SERVICE, region: c.region, credentials, sha256: Sha256,
    ...(c.applyChecksum === false ? { applyChecksum: false } : {}),
  });
  // Capture the signer's intermediate values (instance properties shadow the prototype methods).
  const seen = {};
  const proto = Object.getPrototypeOf(signer);
  signer.createCanonicalRequest = (...args) => (seen.canonical_request = proto.createCanonicalRequest.apply(signer, args));
  signer.createStringToSign = async (...args) => (seen.string_to_sign = await proto.createStringToSign.apply(signer, args));
  const signingDate = new Date(c.date);
  const signed = await signer.sign(request, { signingDate });
  check(seen.canonical_request && seen.string_to_sign, `${c.name}: intermediates not captured`);

  let wireHeaders = Object.entries(signed.headers);
  if (c.splitHeader) {
    const at = wireHeaders.findIndex(([k]) => k === c.splitHeader.name);
    check(at >= 0, `${c.name}: no ${c.splitHeader.name} header`);
    check(c.splitHeader.values.map((v) => v.trim()).join(',') === wireHeaders[at][1].trim(), `${c.name}: split does not join back`);
    wireHeaders.splice(at, 1, ...c.splitHeader.values.map((v) => [c.splitHeader.name, v]));
  }
  const query = c.rawQuery ?? wireQuery(signed.query);
  check(JSON.stringify(queryPairs(query)) === JSON.stringify(queryPairs(wireQuery(signed.query))), `${c.name}: raw query means another query`);
  return {
    description: c.description,
    access_key_id: credentials.accessKeyId,
    secret_access_key: credentials.secretAccessKey,
    now_unix: signingDate.getTime() / 1000,
    method: signed.method,
    path: signed.path,
    query,
    headers: wireHeaders,
    body,
    expected_region: c.region,
    canonical_request: seen.canonical_request,
    string_to_sign: seen.string_to_sign,
  };
}

// ------------------------------------------------------------------ check the template against the client
async function realClientRequest() {
  const captured = [];
  const requestHandler = {
    handle: async (req) => {
      captured.push(req);
      throw Object.assign(new Error('captured'), { $metadata: {} });
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  const client = new cognito.CognitoIdentityProviderClient({
    region: CASES[0].region, endpoint: `http://${HOST}`, credentials: KEYS[CASES[0].key], requestHandler, maxAttempts: 3,
  });
  await client.send(new cognito.AdminGetUserCommand(CASES[0].input)).catch(() => {});
  check(captured.length === 1, `expected one captured request, got ${captured.length}`);
  return captured[0];
}
const signedHeaderList = (auth) => /SignedHeaders=([^,]+)/.exec(auth)?.[1];

const real = await realClientRequest();
const vectors = [];
for (const c of CASES) vectors.push([c.name, await sign(c)]);
{
  const ours = vectors[0][1];
  const realHeaders = Object.keys(real.headers);
  check(JSON.stringify(realHeaders) === JSON.stringify(ours.headers.map(([k]) => k)),
    `header names differ from the real client: ${realHeaders} vs ${ours.headers.map(([k]) => k)}`);
  check(signedHeaderList(real.headers.authorization) === signedHeaderList(Object.fromEntries(ours.headers).authorization),
    'SignedHeaders differ from the real client');
  check(Buffer.from(real.body.buffer, real.body.byteOffset, real.body.byteLength).toString('utf8') === ours.body, 'body differs from the real client');
  check(real.method === ours.method && real.path === ours.path && Object.keys(real.query ?? {}).length === 0, 'request line differs');
  for (const k of ['content-type', 'x-amz-target', 'content-length', 'host', 'x-amz-user-agent']) {
    check(real.headers[k] === Object.fromEntries(ours.headers)[k], `header ${k} differs: ${real.headers[k]}`);
  }
}

// ------------------------------------------------------------------ write
// An optional argument writes the folder under another root (as srp/generate.mjs does, for a
// reproducibility test); by default it is this script's own folder.
const dir = join(process.argv[2] ?? join(HERE, '..'), 'sigv4');
mkdirSync(dir, { recursive: true });
const names = new Set(vectors.map(([name]) => `${name}.json`));
// Drop files of cases that no longer exist, so the directory mirrors this script.
for (const f of readdirSync(dir)) if (f.endsWith('.json') && !names.has(f)) rmSync(join(dir, f));
for (const [name, v] of vectors) {
  const file = join(dir, `${name}.json`);
  const text = `${JSON.stringify(v, null, 2)}\n`;
  // Leave identical files untouched so their mtimes (and cargo's rerun-if-changed) stay quiet.
  const same = existsSync(file) && readFileSync(file, 'utf8') === text;
  if (!same) writeFileSync(file, text);
  const lower = Object.fromEntries(v.headers.map(([k, x]) => [k.toLowerCase(), x]));
  console.log(`${same ? 'unchanged' : 'wrote    '} ${name}.json  ${v.expected_region}  ${signedHeaderList(lower.authorization)}`);
}
console.log(`\n${vectors.length} sigv4 vectors in ${dir}; all self-checks passed`);
