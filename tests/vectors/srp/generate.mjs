#!/usr/bin/env node
// Writes Cognito-SRP test vectors (tests/vectors/srp/*.json, tests/vectors/srp-device/*.json)
// with amazon-cognito-identity-js as the independent client implementation.
//
//   cd tests && npm ci && cd .. && node tests/vectors/srp/generate.mjs
//
// Every "random" input comes from SHA-256(label | counter), so re-running rewrites
// byte-identical files. Seeds that must hit an edge case (padHex adding "00", odd-length hex,
// ...) are found by trying attempt = 0, 1, 2, ... in order, which is just as deterministic.
// A failed self-check prints a message and exits with status 1 before anything is written.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
// Resolve packages from tests/node_modules whatever the cwd is.
const require = createRequire(join(HERE, '..', '..', 'package.json'));
const modules = ['AuthenticationHelper', 'BigInteger', 'DateHelper', 'utils/WordArray', 'CognitoUser', 'CognitoUserPool', 'AuthenticationDetails'];
const [AuthenticationHelper, BigInteger, DateHelper, WordArray, CognitoUser, CognitoUserPool, AuthenticationDetails] = modules.map(
  (m) => require(`amazon-cognito-identity-js/lib/${m}`).default,
);

function check(ok, what) {
  if (ok) return;
  console.error(`SELF-CHECK FAILED: ${what}`);
  process.exit(1);
}
const libVersion = require('amazon-cognito-identity-js/package.json').version;
check(libVersion === '6.3.21', `expected amazon-cognito-identity-js 6.3.21, found ${libVersion}`);

// ------------------------------------------------------------------ deterministic randomness
// Byte stream for one (case, attempt, purpose): SHA-256("label|0") ‖ SHA-256("label|1") ‖ ...
// Each purpose has its own stream so changing one length does not shift the others.
function stream(...label) {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n) => {
    while (pool.length < n) pool = Buffer.concat([pool, createHash('sha256').update(`${label.join('|')}|${counter++}`).digest()]);
    const out = Buffer.from(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
}
function seededUuid(take) {
  const b = take(16);
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  return b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
// Published DeviceGroupKeys look like "-wt2ha1Zd": a dash and 8 alphanumerics.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const seededGroupKey = (take) => `-${[...take(8)].map((x) => ALNUM[x % ALNUM.length]).join('')}`;

// ------------------------------------------------------------------ library plumbing
// The library's modPow is synchronous but reports through a mandatory callback.
function modPow(base, exp, mod) {
  let out = null;
  base.modPow(exp, mod, (err, v) => (err ? check(false, err.message) : (out = v)));
  check(out !== null, 'library modPow returned without a result (zero exponent?)');
  return out;
}
const bi = (buf) => new BigInteger(buf.toString('hex'), 16);

// Temporarily replace target[key] while fn runs (the library runs synchronously throughout).
function withPatch(target, key, value, fn) {
  const original = target[key];
  target[key] = value;
  try {
    return fn();
  } finally {
    target[key] = original;
  }
}
// The library draws randomness only through WordArray.prototype.random (its private
// randomBytes(): 128 bytes for a in the constructor, 40 + 16 in generateHashDevice). Serve those
// draws from a queue of seeded chunks; words are big-endian, as WordArray's hex encoder reads them.
function withSeededWordArray(chunks, fn) {
  const queue = [...chunks];
  return withPatch(WordArray.prototype, 'random', (nBytes) => {
    const next = queue.shift();
    check(next && next.length === nBytes, `unexpected random draw of ${nBytes} bytes`);
    const words = [];
    for (let i = 0; i < nBytes; i += 4) words.push(Buffer.concat([next.subarray(i, i + 4), Buffer.alloc(3)]).readInt32BE(0));
    return new WordArray(words, nBytes);
  }, () => {
    const result = fn();
    check(queue.length === 0, 'library drew fewer random chunks than expected');
    return result;
  });
}
// DateHelper.getNowString() can only format "now": pin the global clock while the library runs.
const withPinnedClock = (ms, fn) => withPatch(globalThis, 'Date', class PinnedDate extends Date {
  constructor(...args) {
    super(...(args.length ? args : [ms]));
  }
}, fn);
// Our own formatter, from the fixed ECMAScript form "Thu, 05 Jun 2025 03:08:02 GMT".
function cognitoTimestamp(ms) {
  const [weekday, day, month, year, hms] = new Date(ms).toUTCString().split(/,? /);
  const text = `${weekday} ${month} ${Number(day)} ${hms} UTC ${year}`;
  check(text === withPinnedClock(ms, () => new DateHelper().getNowString()), `timestamp formatter disagrees with DateHelper for ${ms}`);
  return { text, ms };
}
// A seeded second in 2024..2027, searched until `pred(date)` holds.
function pickTimestamp(name, pred = () => true) {
  for (let attempt = 0; attempt < 10000; attempt++) {
    const secs = stream(name, attempt, 'timestamp')(4).readUInt32BE(0) % (4 * 365 * 86400);
    const ms = Date.UTC(2024, 0, 1) + secs * 1000;
    if (pred(new Date(ms))) return cognitoTimestamp(ms);
  }
  return check(false, `${name}: no timestamp satisfied the predicate`);
}

// ------------------------------------------------------------------ one SRP exchange
// What padHex does to a value: 'pad00' (even length, top nibble 8-f: prepends "00"), 'odd' (prepends "0"), 'plain'.
const shape = (v, h = v.toString(16)) => (h.length % 2 ? 'odd' : /^[89a-f]/.test(h) ? 'pad00' : 'plain');
const fits = (want, vals) => Object.keys(vals).every((key) => !want[key] || shape(vals[key]) === want[key]);
// node:crypto SHA-256 over the concatenated bytes of hex strings (to re-derive the library's hashes).
const sha256Hex = (...hexes) => createHash('sha256').update(Buffer.concat(hexes.map((h) => Buffer.from(h, 'hex')))).digest('hex');

// Client = the library; server = v, B, S computed here with the library's BigInteger.
// `verifier` is given for devices (from generateHashDevice); otherwise the server derives it
// from the password as a sign-up would. Returns null as soon as a wanted shape is missed.
function exchange({ poolName, userId, password, salt, aBytes, bBytes, verifier, want = {} }) {
  // Our 128 bytes feed the constructor's generateRandomSmallA(); it computes A via calculateA.
  const helper = withSeededWordArray([aBytes], () => new AuthenticationHelper(poolName));
  const { N, g, k } = helper;
  check(helper.smallAValue.equals(bi(aBytes)), 'library small a is not our seeded 128 bytes');
  let A = null;
  helper.getLargeAValue((err, value) => (err ? check(false, err.message) : (A = value)));
  if (!fits(want, { A })) return null;

  // Server half (the library has none). x from the library's own hash/hexHash/padHex.
  const xServer = new BigInteger(helper.hexHash(helper.padHex(salt) + helper.hash(`${poolName}${userId}:${password}`)), 16);
  const v = verifier ?? modPow(g, xServer, N);
  const b = bi(bBytes);
  const B = k.multiply(v).add(modPow(g, b, N)).mod(N);
  check(!B.mod(N).equals(BigInteger.ZERO), 'B mod N == 0');
  if (!fits(want, { B })) return null;

  // Client half. x and S are locals of getPasswordAuthenticationKey; wrap calculateS to see them.
  let [x, S, key] = [null, null, null];
  helper.calculateS = (xValue, serverB, cb) => AuthenticationHelper.prototype.calculateS.call(helper, xValue, serverB, (err, s) => {
    [x, S] = [xValue, s];
    cb(err, s);
  });
  helper.getPasswordAuthenticationKey(userId, password, B, salt, (err, hkdf) => (err ? check(false, err.message) : (key = Buffer.from(hkdf))));
  check(key !== null && key.length === 16 && S !== null, 'library did not derive a 16-byte key');
  const u = helper.UValue;
  check(x.equals(xServer), 'client x != x from the library hash helpers');
  check(modPow(g, x, N).equals(v), 'g^x != stored verifier');
  check(modPow(A.multiply(modPow(v, u, N)).mod(N), b, N).equals(S), 'server S = (A*v^u)^b != client S');
  if (!fits(want, { u, S })) return null;

  // Re-derive the hash steps with node:crypto, exactly as cognito-protocol.md §1 states them.
  const pad = (n) => helper.padHex(n);
  const inner = createHash('sha256').update(`${poolName}${userId}:${password}`, 'utf8').digest('hex');
  check(k.toString(16) === sha256Hex(pad(N), pad(g)).replace(/^0+/, ''), 'k != H(padHex(N) | padHex(g))');
  check(u.toString(16) === sha256Hex(pad(A), pad(B)).replace(/^0+/, ''), 'u != H(padHex(A) | padHex(B))');
  check(x.toString(16) === sha256Hex(pad(salt), inner).replace(/^0+/, ''), 'x != H(padHex(salt) | H(pool | user | ":" | password))');
  const okm = hkdfSync('sha256', Buffer.from(pad(S), 'hex'), Buffer.from(pad(u), 'hex'), 'Caldera Derived Key', 16);
  check(key.equals(Buffer.from(okm)), 'library key != RFC 5869 HKDF-SHA256(ikm=padHex(S), salt=padHex(u), info="Caldera Derived Key", L=16)');
  return { helper, aBytes, A, b, v, B, k, u, x, S, key };
}

// PASSWORD_CLAIM_SIGNATURE with node:crypto (CognitoUser's own result is compared below).
function signature(key, poolName, userId, secretBlock, timestamp) {
  const utf8 = (str) => Buffer.from(str, 'utf8');
  const msg = Buffer.concat([utf8(poolName), utf8(userId), Buffer.from(secretBlock, 'base64'), utf8(timestamp)]);
  return createHmac('sha256', key).update(msg).digest('base64');
}

// Runs fn(user, callbacks) on a CognitoUser whose network client answers with reply(name);
// returns the request bodies it sent, keyed by ChallengeName (or operation name).
function driveCognitoUser(poolId, username, reply, fn) {
  const store = new Map();
  const Storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v), removeItem: (k) => store.delete(k), clear: () => store.clear() };
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: 'vectorsclientid', Storage });
  const user = new CognitoUser({ Username: username, Pool: pool, Storage });
  const sent = {};
  user.client = {
    request(op, body, cb) {
      sent[body.ChallengeName ?? op] = body;
      const answer = reply(body.ChallengeName ?? op);
      if (answer) cb(null, answer);
    },
  };
  fn(user, { onFailure: (err) => check(false, `CognitoUser failed: ${err?.message ?? err}`), onSuccess: () => {} });
  return sent;
}
// Replays a finished vector through CognitoUser itself (USER_SRP_AUTH or DEVICE_SRP_AUTH) and
// checks that what it would send equals the file: SRP_A, USERNAME, TIMESTAMP, signature.
function replayThroughCognitoUser(vector, r, ts, device) {
  const params = { SRP_B: vector.SRP_B, SALT: vector.salt, SECRET_BLOCK: vector.SECRET_BLOCK, USERNAME: 'typed-username' };
  const poolId = device ? `${vector.device_key.split('_')[0]}_DevicePool1` : vector.pool_id;
  const sent = withPinnedClock(ts.ms, () => withSeededWordArray([r.aBytes], () => driveCognitoUser(poolId, 'typed-username', (name) => {
    if (name === 'InitiateAuth') return { ChallengeName: 'PASSWORD_VERIFIER', Session: 'session-1', ChallengeParameters: { ...params, USER_ID_FOR_SRP: vector.user_id_for_srp } };
    return name === 'DEVICE_SRP_AUTH' ? { ChallengeName: 'DEVICE_PASSWORD_VERIFIER', Session: 'session-2', ChallengeParameters: params } : null;
  }, (user, callbacks) => {
    if (!device) return user.authenticateUser(new AuthenticationDetails({ Username: 'typed-username', Password: vector.password }), callbacks);
    Object.assign(user, { deviceKey: vector.device_key, deviceGroupKey: vector.device_group_key, randomPassword: vector.random_password });
    return user.getDeviceResponse(callbacks);
  })));
  const srpA = (device ? sent.DEVICE_SRP_AUTH.ChallengeResponses : sent.InitiateAuth.AuthParameters).SRP_A;
  const resp = sent[device ? 'DEVICE_PASSWORD_VERIFIER' : 'PASSWORD_VERIFIER'].ChallengeResponses;
  check(srpA === vector.SRP_A, 'CognitoUser sent a different SRP_A');
  check(resp.USERNAME === (device ? 'typed-username' : vector.user_id_for_srp), 'CognitoUser answered with an unexpected USERNAME');
  check(resp.TIMESTAMP === vector.TIMESTAMP && resp.PASSWORD_CLAIM_SECRET_BLOCK === vector.SECRET_BLOCK, 'CognitoUser TIMESTAMP/SECRET_BLOCK differ');
  check(resp.PASSWORD_CLAIM_SIGNATURE === vector.PASSWORD_CLAIM_SIGNATURE, 'CognitoUser computed a different PASSWORD_CLAIM_SIGNATURE');
  check(!device || resp.DEVICE_KEY === vector.device_key, 'CognitoUser sent a different DEVICE_KEY');
}

function search(name, want, attemptFn) {
  for (let attempt = 0; attempt < 20000; attempt++) {
    const r = attemptFn(attempt);
    if (r) return { ...r, attempt };
  }
  return check(false, `${name}: no seed satisfied ${JSON.stringify(want)}`);
}
// Exchange keys shared by both formats (device files carry v in padded form instead).
const hexAll = (o) => Object.fromEntries(Object.entries(o).map(([key, val]) => [key, val.toString(16)]));
const exchangeFields = (r, ts, poolName, userId, withVerifier) => ({
  ...hexAll({ a: r.helper.smallAValue, SRP_A: r.A, b: r.b, ...(withVerifier ? { verifier_v: r.v } : {}) }),
  ...hexAll({ SRP_B: r.B, k: r.k, u: r.u, x: r.x, S: r.S }),
  hkdf_key_16: r.key.toString('hex'),
  SECRET_BLOCK: r.secret,
  TIMESTAMP: ts.text,
  PASSWORD_CLAIM_SIGNATURE: signature(r.key, poolName, userId, r.secret, ts.text),
});
const describeShapes = (r) => ['A', 'B', 'salt', 'u', 'S', 'v'].map((key) => `${key}=${shape(r[key])}`).join(' ');

// ------------------------------------------------------------------ USER_SRP_AUTH cases
const dayGe10 = (d) => d.getUTCDate() >= 10;
const allSmall = (d) => d.getUTCDate() < 10 && d.getUTCHours() < 10 && d.getUTCMinutes() < 10 && d.getUTCSeconds() < 10;
const UUID = Symbol('seeded uuid');
const SRP_CASES = [
  { name: 'basic_us_east_1', pool: 'us-east-1_AbC123xyZ', user: 'alice', password: 'Correct-Horse-9!', want: { A: 'pad00', B: 'plain', salt: 'plain' }, ts: allSmall, about: 'plain ASCII user; single-digit day and zero-padded H:M:S in TIMESTAMP' },
  { name: 'a_plain_b_pad00', pool: 'eu-west-1_Xy7QwErTy', user: 'bob.smith', password: 'Tr0ub4dor&3', want: { A: 'plain', B: 'pad00' }, ts: dayGe10, about: 'A without and B with the padHex "00" prefix; two-digit day' },
  { name: 'a_odd_length', pool: 'us-west-2_Lw3vEx9Kq', user: 'carol', password: 'odd-A-please-1', want: { A: 'odd' }, about: 'SRP_A has an odd number of hex digits (padHex prepends "0")' },
  { name: 'b_odd_length', pool: 'ca-central-1_Qq4Rr5Ss6', user: 'dave', password: 'odd-B-please-2', want: { B: 'odd' }, about: 'SRP_B has an odd number of hex digits' },
  { name: 'salt_pad00', pool: 'us-east-2_Pd0SaLt88', user: 'erin', password: 'Salty-Top-Bit-3', want: { salt: 'pad00', u: 'plain' }, about: '16-byte salt with top bit set (padHex prepends "00")' },
  { name: 'salt_two_bytes_odd', pool: 'sa-east-1_ShOrT2byt', user: 'frank', password: 'short-salt-4', saltLen: 2, want: { salt: 'odd' }, about: 'short 2-byte salt whose first byte is < 0x10 (3 hex digits)' },
  { name: 'salt_one_byte', pool: 'ap-south-1_One1Byte1', user: 'grace', password: 'tiny-salt-5', saltLen: 1, want: { salt: 'odd' }, about: '1-byte salt < 0x10 (a single hex digit)' },
  { name: 'u_pad00_s_plain', pool: 'eu-north-1_UuSs00xyz', user: 'heidi', password: 'u-high-S-low-6', want: { u: 'pad00', S: 'plain' }, about: 'u with and S without the "00" prefix (both feed HKDF)' },
  { name: 'u_plain_s_pad00', pool: 'eu-south-1_SsUu00abc', user: 'ivan', password: 'u-low-S-high-7', want: { u: 'plain', S: 'pad00' }, about: 'u without and S with the "00" prefix' },
  { name: 'u_odd_length', pool: 'me-south-1_UoDdLen01', user: 'judy', password: 'odd-u-8', want: { u: 'odd' }, about: 'u < 2^252: odd-length hex, so the HKDF salt padHex(u) gets a leading "0"' },
  { name: 's_odd_length', pool: 'af-south-1_SoDdLen02', user: 'mallory', password: 'odd-S-9', want: { S: 'odd' }, about: 'S has an odd number of hex digits (HKDF input gets a leading "0")' },
  { name: 'non_ascii_user', pool: 'eu-west-2_Q9xYz8WvU', user: 'jürgen-ñ-用户', password: 'Unicode-User-10', about: 'USER_ID_FOR_SRP with 2- and 3-byte UTF-8 characters (hashed and signed as UTF-8)' },
  { name: 'password_with_spaces', pool: 'ap-southeast-2_zz7KpQ1aB', user: 'oscar', password: '  correct horse  battery staple ', about: 'password with two leading, inner (single and double) and one trailing space' },
  { name: 'non_ascii_password', pool: 'ap-northeast-1_JpN0aScI', user: 'peggy', password: 'Pässwörd-🔑-密码', ts: dayGe10, about: 'password with 2-, 3- and 4-byte UTF-8 characters; two-digit day' },
  { name: 'uuid_user_id', pool: 'eu-central-1_M0nAcO123', user: UUID, password: 'Email-Sign-In-11', about: 'USER_ID_FOR_SRP is the internal UUID username Cognito uses when users sign in with an email alias' },
  { name: 'b_128_bytes', pool: 'us-east-1_B128bYtEs', user: 'trent', password: 'big-server-secret-12', bLen: 128, about: 'server secret b is 128 bytes instead of the usual 32' },
];

function runSrpCase(c, index) {
  const poolName = c.pool.split('_')[1]; // the math uses the part after '_'
  const want = c.want ?? {};
  const r = search(c.name, want, (attempt) => {
    const take = (what) => stream(c.name, attempt, what);
    const salt = bi(take('salt')(c.saltLen ?? 16));
    if (!fits(want, { salt })) return null;
    const userId = c.user === UUID ? seededUuid(take('uuid')) : c.user;
    const ex = exchange({ poolName, userId, password: c.password, salt, aBytes: take('a')(128), bBytes: take('b')(c.bLen ?? 32), want });
    // SECRET_BLOCK is opaque to the client; lengths 128+i cycle through all base64 paddings.
    return ex && { ...ex, salt, userId, secret: take('secret-block')(128 + index).toString('base64') };
  });
  const ts = pickTimestamp(c.name, c.ts);
  const vector = {
    description: `${c.about}. padHex shapes: ${describeShapes(r)}; b is ${c.bLen ?? 32} bytes; seed attempt ${r.attempt}.`,
    pool_id: c.pool,
    user_id_for_srp: r.userId,
    password: c.password,
    salt: r.salt.toString(16),
    ...exchangeFields(r, ts, poolName, r.userId, true),
  };
  replayThroughCognitoUser(vector, r, ts, false);
  return { vector, r, c, timestamp: ts.text };
}

// ------------------------------------------------------------------ DEVICE_SRP_AUTH cases
// DeviceGroupKey replaces the pool name, DeviceKey the user id, and the library's random
// password the user's password. The verifier comes from generateHashDevice, seeded as above.
const DEVICE_CASES = [
  { name: 'device_salt_pad00', region: 'us-east-1', saltOk: (s) => s[0] >= 0x80, want: { v: 'pad00', u: 'pad00' }, about: 'device salt with top bit set ("00"-prefixed) and a "00"-prefixed verifier' },
  { name: 'device_salt_leading_zero_byte', region: 'eu-west-2', saltOk: (s) => s[0] === 0 && s[1] >= 0x10 && s[1] < 0x80, want: { v: 'plain' }, about: 'the 16 random salt bytes start with 0x00 (then 0x10-0x7f), so the library drops it: salt and Salt are only 15 bytes' },
  { name: 'device_salt_plain', region: 'ap-northeast-1', saltOk: (s) => s[0] >= 0x10 && s[0] < 0x80, want: { S: 'pad00', A: 'plain' }, ts: dayGe10, about: 'device salt needing no padding; two-digit day' },
];

function runDeviceCase(c, index) {
  const r = search(c.name, c.want, (attempt) => {
    const take = (what) => stream(c.name, attempt, what);
    const pwBytes = take('random-password')(40);
    const saltBytes = take('device-salt')(16);
    if (!c.saltOk(saltBytes)) return null; // cheap: decided before any library call
    const deviceGroupKey = seededGroupKey(take('group-key'));
    const deviceKey = `${c.region}_${seededUuid(take('device-key'))}`;
    // CognitoUser gets a sign-in result with NewDeviceMetadata: it runs generateHashDevice on the
    // sign-in helper and sends ConfirmDevice. (That helper's a is unused; seeded all the same.)
    const maker = withSeededWordArray([take('unused-a')(128)], () => new AuthenticationHelper('unused'));
    const tokens = { IdToken: 'x.e30.x', AccessToken: 'x.e30.x', RefreshToken: 'opaque', NewDeviceMetadata: { DeviceKey: deviceKey, DeviceGroupKey: deviceGroupKey } };
    const sent = withSeededWordArray([pwBytes, saltBytes], () => driveCognitoUser(`${c.region}_DevicePool1`, 'typed-username',
      (op) => op === 'ConfirmDevice' && { UserConfirmationNecessary: false },
      (user, callbacks) => user.authenticateUserInternal({ AuthenticationResult: tokens }, maker, callbacks)));
    const config = sent.ConfirmDevice.DeviceSecretVerifierConfig;
    const [randomPassword, saltHex, verifierHex] = [maker.getRandomPassword(), maker.getSaltDevices(), maker.getVerifierDevices()];
    const b64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
    check(config.Salt === b64(saltHex) && config.PasswordVerifier === b64(verifierHex), 'ConfirmDevice config is not base64 of the padded hex');
    check(randomPassword === pwBytes.toString('base64'), 'device random password is not our seeded 40 bytes');
    const [salt, v] = [new BigInteger(saltHex, 16), new BigInteger(verifierHex, 16)];
    check(saltHex === maker.padHex(salt) && verifierHex === maker.padHex(v) && salt.equals(bi(saltBytes)), 'device salt/verifier not as seeded/padded');
    if (!fits(c.want, { v })) return null;
    // At sign-in the server returns SALT as hex and CognitoUser parses it with new BigInteger(SALT, 16).
    const ex = exchange({ poolName: deviceGroupKey, userId: deviceKey, password: randomPassword, salt, aBytes: take('a')(128), bBytes: take('b')(32), verifier: v, want: c.want });
    return ex && { ...ex, deviceGroupKey, deviceKey, randomPassword, salt, saltHex, verifierHex, config, secret: take('secret-block')(96 + index).toString('base64') };
  });
  const ts = pickTimestamp(c.name, c.ts);
  const vector = {
    description: `DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER: ${c.about}. padHex shapes: ${describeShapes(r)}; seed attempt ${r.attempt}.`,
    device_group_key: r.deviceGroupKey,
    device_key: r.deviceKey,
    random_password: r.randomPassword,
    salt: r.saltHex,
    verifier_v: r.verifierHex,
    // Exactly the DeviceSecretVerifierConfig that CognitoUser sent in ConfirmDevice.
    PasswordVerifier: r.config.PasswordVerifier,
    Salt: r.config.Salt,
    ...exchangeFields(r, ts, r.deviceGroupKey, r.deviceKey, false),
  };
  replayThroughCognitoUser(vector, r, ts, true);
  return { vector, r, c, timestamp: ts.text };
}

// ------------------------------------------------------------------ coverage, then write
const srp = SRP_CASES.map(runSrpCase);
const dev = DEVICE_CASES.map(runDeviceCase);

const seen = new Set();
const rows = [...srp, ...dev].map(({ c, r, vector, timestamp }) => {
  const userId = vector.user_id_for_srp ?? vector.device_key;
  const pw = vector.password ?? '';
  const props = [
    ...['A', 'B', 'salt', 'u', 'S', 'v'].map((key) => `${key}:${shape(r[key])}`),
    /[^\x00-\x7f]/.test(userId) && 'user:non-ascii',
    /^[0-9a-f]{8}-[0-9a-f]{4}-4/.test(userId) && 'user:uuid',
    /^ .* $/.test(pw) && /\S \S/.test(pw) && 'password:spaces',
    /[^\x00-\x7f]/.test(pw) && 'password:non-ascii',
    r.salt.toString(16).length <= 4 && 'salt:short',
    vector.Salt !== undefined && Buffer.from(vector.Salt, 'base64').length < 16 && 'device-salt:15-bytes',
    r.b.toString(16).length > 64 && 'b:128-bytes',
    vector.device_key !== undefined && 'device',
    `day:${timestamp.split(' ')[2].length}-digit`,
    `secret-pad:${vector.SECRET_BLOCK.match(/=*$/)[0].length}`,
    `region:${(vector.pool_id ?? vector.device_key).split('_')[0]}`,
  ].filter(Boolean);
  props.forEach((p) => seen.add(p));
  return [c.name, props.join(' ')];
});
const width = Math.max(...rows.map(([n]) => n.length));
for (const [n, p] of rows) console.log(`${n.padEnd(width)}  ${p}`);

const required = [
  ...['A', 'B', 'salt', 'u', 'S'].flatMap((key) => ['pad00', 'plain', 'odd'].map((sh) => `${key}:${sh}`)),
  'v:pad00', 'v:plain', 'salt:short', 'user:non-ascii', 'user:uuid', 'password:spaces', 'password:non-ascii',
  'b:128-bytes', 'day:1-digit', 'day:2-digit', 'secret-pad:0', 'secret-pad:1', 'secret-pad:2', 'device', 'device-salt:15-bytes',
];
const missing = required.filter((p) => !seen.has(p));
check(missing.length === 0, `coverage missing: ${missing.join(', ')}`);
check([...seen].filter((p) => p.startsWith('region:')).length >= 3, 'fewer than 3 regions');

function writeAll(dir, results) {
  mkdirSync(dir, { recursive: true });
  const names = new Set(results.map(({ c }) => `${c.name}.json`));
  // Drop files of cases that no longer exist, so the directory mirrors this script.
  for (const f of readdirSync(dir)) if (f.endsWith('.json') && !names.has(f)) rmSync(join(dir, f));
  for (const { c, vector } of results) {
    const [file, text] = [join(dir, `${c.name}.json`), `${JSON.stringify(vector, null, 2)}\n`];
    // Leave identical files untouched so their mtimes (and cargo's rerun-if-changed) stay quiet.
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
}
// An optional argument writes the two folders under another root (the reproducibility test uses it).
const root = process.argv[2] ?? join(HERE, '..');
writeAll(join(root, 'srp'), srp);
writeAll(join(root, 'srp-device'), dev);
console.log(`\nwrote ${srp.length} srp and ${dev.length} srp-device vectors; all self-checks passed`);
