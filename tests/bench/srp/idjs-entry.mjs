// The client step of amazon-cognito-identity-js, as CognitoUser.authenticateUserDefaultAuth runs it:
// A from a, the password key from (salt, B), then the HMAC claim signature. Bundled by esbuild for the
// browser benchmark (`cargo xtask bench srp`).
import { AuthenticationHelper, DateHelper } from 'amazon-cognito-identity-js';
import BigInteger from 'amazon-cognito-identity-js/es/BigInteger.js';
import { Sha256 } from '@aws-crypto/sha256-js';
import { Buffer } from 'buffer';

function done(err, value) {
  if (err) throw err;
  return value;
}

// The helper's constructor draws a and computes A = g^a at once; for identical inputs it draws ours.
function helperWithA(poolName, a) {
  const draw = AuthenticationHelper.prototype.generateRandomSmallA;
  AuthenticationHelper.prototype.generateRandomSmallA = () => new BigInteger(a, 16);
  try {
    return new AuthenticationHelper(poolName);
  } finally {
    AuthenticationHelper.prototype.generateRandomSmallA = draw;
  }
}

globalThis.idjsClientStep = (a, poolName, userId, password, salt, srpB, secretBlock, timestamp) => {
  const helper = helperWithA(poolName, a);
  let srpA;
  helper.getLargeAValue((err, A) => { srpA = done(err, A).toString(16); });
  let key;
  helper.getPasswordAuthenticationKey(userId, password, new BigInteger(srpB, 16), new BigInteger(salt, 16),
    (err, hkdf) => { key = done(err, hkdf); });
  const stamp = timestamp ?? new DateHelper().getNowString();
  const message = Buffer.concat([
    Buffer.from(poolName, 'utf8'),
    Buffer.from(userId, 'utf8'),
    Buffer.from(secretBlock, 'base64'),
    Buffer.from(stamp, 'utf8'),
  ]);
  const mac = new Sha256(key);
  mac.update(message);
  return [srpA, Buffer.from(mac.digestSync()).toString('base64'), stamp];
};
