// Generates tokens.json: a JWKS and tokens signed by Node's own crypto (OpenSSL), an implementation
// independent of the RustCrypto crates and WebCrypto that cognate-jwt verifies with. Keys are fresh
// on every run (and ECDSA signatures randomized), so the file is regenerated, not reproduced:
//   node tests/vectors/jwt/generate.mjs > tests/vectors/jwt/tokens.json
// Every case names the outcome at NOW: "ok" or the cognate_jwt::Error variant expected.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';

const NOW = 1_800_000_000;
const ISS = 'http://127.0.0.1:9229/us-east-1_Vectors01';
const CLIENT = 'abcdefghijklmnopqrstuvwxyz';
const b64 = (buf) => Buffer.from(buf).toString('base64url');
const json = (obj) => b64(JSON.stringify(obj));

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
const jwk = (pair, extra) => ({ ...pair.publicKey.export({ format: 'jwk' }), ...extra });

const jwks = {
  keys: [
    jwk(rsa, { kid: 'rsa1', alg: 'RS256', use: 'sig' }),
    jwk(ec, { kid: 'ec1', alg: 'ES256', use: 'sig' }),
    jwk(ed, { kid: 'ed1', alg: 'EdDSA', use: 'sig' }),
    jwk(weak, { kid: 'weak', alg: 'RS256', use: 'sig' }),
    jwk(rsa, { kid: 'enc1', use: 'enc' }),
    { kty: 'oct', kid: 'hmac1', k: b64('secret') },
  ],
};

const signers = {
  RS256: (key) => (data) => sign('sha256', data, key.privateKey),
  ES256: (key) => (data) => sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }),
  EdDSA: (key) => (data) => sign(null, data, key.privateKey),
};

function access(extra = {}) {
  return {
    sub: '7d8ca528-4931-4254-9273-ea5ee853f271', 'cognito:groups': ['admin', 'staff'], iss: ISS,
    client_id: CLIENT, origin_jti: 'o-1', event_id: 'e-1', token_use: 'access',
    scope: 'aws.cognito.signin.user.admin openid', auth_time: NOW - 60, exp: NOW + 3600, iat: NOW - 60,
    jti: 'j-1', username: 'alice', ...extra,
  };
}
function id(extra = {}) {
  return {
    sub: '7d8ca528-4931-4254-9273-ea5ee853f271', email_verified: true, iss: ISS, 'cognito:username': 'alice',
    origin_jti: 'o-1', aud: CLIENT, event_id: 'e-1', token_use: 'id', auth_time: NOW - 60, exp: NOW + 3600,
    iat: NOW - 60, jti: 'j-2', email: 'alice@example.com', 'custom:tier': 'gold', ...extra,
  };
}
function jws(header, payloadB64, signer) {
  const input = `${json(header)}.${payloadB64}`;
  return `${input}.${signer ? b64(signer(Buffer.from(input))) : ''}`;
}
const token = (alg, kid, key, claims) => jws({ kid, alg }, json(claims), signers[alg](key));

const cases = [];
const add = (name, tok, expect) => cases.push({ name, token: tok, expect });

add('rs256 access token', token('RS256', 'rsa1', rsa, access()), 'ok');
add('rs256 id token', token('RS256', 'rsa1', rsa, id()), 'ok');
add('es256 access token', token('ES256', 'ec1', ec, access()), 'ok');
add('eddsa access token', token('EdDSA', 'ed1', ed, access()), 'ok');
add('fractional exp', token('RS256', 'rsa1', rsa, access({ exp: NOW + 1.5 })), 'ok');
{
  const good = token('RS256', 'rsa1', rsa, access());
  const [h, , s] = good.split('.');
  add('payload swapped after signing', `${h}.${json(access({ 'cognito:groups': ['root'] }))}.${s}`, 'BadSignature');
  const sig = Buffer.from(s, 'base64url');
  sig[10] ^= 1;
  add('signature bit flipped', `${h}.${good.split('.')[1]}.${b64(sig)}`, 'BadSignature');
  add('signature truncated', `${h}.${good.split('.')[1]}.${b64(sig.subarray(0, 200))}`, 'BadSignature');
}
add('es256 signature in DER', jws({ kid: 'ec1', alg: 'ES256' }, json(access()),
  (d) => sign('sha256', d, ec.privateKey)), 'BadSignature');
add('alg none', jws({ alg: 'none' }, json(access()), null), 'UnsupportedAlgorithm');
add('alg none with kid', jws({ alg: 'none', kid: 'rsa1' }, json(access()), () => Buffer.from('x')), 'UnsupportedAlgorithm');
{
  // The classic confusion: HS256 "signed" with the RSA public key as the HMAC secret.
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
  add('hs256 with the public key as secret', jws({ alg: 'HS256', kid: 'rsa1' }, json(access()),
    (d) => createHmac('sha256', pem).update(d).digest()), 'UnsupportedAlgorithm');
  add('hs256 against an oct key', jws({ alg: 'HS256', kid: 'hmac1' }, json(access()),
    (d) => createHmac('sha256', 'secret').update(d).digest()), 'UnsupportedAlgorithm');
}
add('RS256 header on the EC key', jws({ alg: 'RS256', kid: 'ec1' }, json(access()), signers.ES256(ec)), 'AlgorithmMismatch');
add('ES256 header on the RSA key', jws({ alg: 'ES256', kid: 'rsa1' }, json(access()), signers.RS256(rsa)), 'AlgorithmMismatch');
add('EdDSA header on the RSA key', jws({ alg: 'EdDSA', kid: 'rsa1' }, json(access()), signers.EdDSA(ed)), 'AlgorithmMismatch');
add('1024-bit RSA key', token('RS256', 'weak', weak, access()), 'InvalidKey');
add('encryption key', token('RS256', 'enc1', rsa, access()), 'InvalidKey');
add('unknown kid', token('RS256', 'rsa9', rsa, access()), 'UnknownKey');
add('no kid with several keys', jws({ alg: 'RS256' }, json(access()), signers.RS256(rsa)), 'UnknownKey');
add('expired', token('RS256', 'rsa1', rsa, access({ exp: NOW - 1 })), 'Expired');
add('expires this second', token('RS256', 'rsa1', rsa, access({ exp: NOW })), 'Expired');
add('no exp', token('RS256', 'rsa1', rsa, access({ exp: undefined })), 'Malformed');
add('not yet valid', token('RS256', 'rsa1', rsa, access({ nbf: NOW + 120 })), 'NotYetValid');
add('issued in the future', token('RS256', 'rsa1', rsa, access({ iat: NOW + 120 })), 'NotYetValid');
add('wrong issuer', token('RS256', 'rsa1', rsa, access({ iss: 'http://evil.example/us-east-1_Vectors01' })), 'WrongIssuer');
add('no issuer', token('RS256', 'rsa1', rsa, access({ iss: undefined })), 'WrongIssuer');
add('wrong client (access)', token('RS256', 'rsa1', rsa, access({ client_id: 'zyxwvutsrqponmlkjihgfedcba' })), 'WrongClient');
add('wrong client (id)', token('RS256', 'rsa1', rsa, id({ aud: 'zyxwvutsrqponmlkjihgfedcba' })), 'WrongClient');
add('crit header', jws({ alg: 'RS256', kid: 'rsa1', crit: ['exp'], exp: 1 }, json(access()), signers.RS256(rsa)), 'CriticalHeader');
add('two parts', token('RS256', 'rsa1', rsa, access()).split('.').slice(0, 2).join('.'), 'Malformed');
add('four parts', `${token('RS256', 'rsa1', rsa, access())}.x`, 'Malformed');
add('padded base64', token('RS256', 'rsa1', rsa, access()).replace(/\.([^.]*)$/, '.$1=='), 'Malformed');
add('standard base64 alphabet', `${json({ alg: 'RS256', kid: 'rsa1' })}.${Buffer.from(JSON.stringify(access({ sub: '>>>?' }))).toString('base64').replace(/=+$/, '')}.AAAA`, 'Malformed');
add('payload not JSON', jws({ alg: 'RS256', kid: 'rsa1' }, b64('not json'), signers.RS256(rsa)), 'Malformed');
add('payload a JSON array', jws({ alg: 'RS256', kid: 'rsa1' }, b64('[1,2]'), signers.RS256(rsa)), 'Malformed');
{
  const dup = JSON.stringify(access()).replace('"exp":', `"exp":${NOW + 99999},"exp":`);
  add('duplicate exp claim', jws({ alg: 'RS256', kid: 'rsa1' }, b64(dup), signers.RS256(rsa)), 'Malformed');
}
add('header not JSON', `${b64('{')}.${json(access())}.AAAA`, 'Malformed');
add('empty token', '', 'Malformed');

process.stdout.write(`${JSON.stringify({
  generator: 'node tests/vectors/jwt/generate.mjs (Node crypto / OpenSSL)',
  now: NOW, issuer: ISS, client_id: CLIENT, jwks, cases,
}, null, 1)}\n`);
