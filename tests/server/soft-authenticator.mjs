// A software WebAuthn authenticator on node:crypto (P-256, `none` attestation, a signature counter)
// for the server suites, which run without a browser. The browser's own WebAuthn is tested in
// tests/sdk/passkeys.test.mjs; this one lets the same ceremonies run on every backend.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

const sha256 = (data) => createHash('sha256').update(data).digest();

/** Just enough CBOR (RFC 8949) for a COSE key and an attestation object. */
export function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
    throw new Error('too long for this encoder');
  };
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Map) {
    return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  }
  throw new Error(`cannot encode ${typeof value}`);
}

export class SoftAuthenticator {
  constructor(origin = 'http://localhost:5173') {
    this.origin = origin;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' });
    this.id = sha256(Buffer.from(this.jwk.x)).subarray(0, 16);
    this.counter = 0;
  }

  #clientData(type, challenge) {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  #authData(rpId, flags) {
    this.counter += 1;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }

  /** RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON. */
  create(options) {
    this.userHandle = options.user.id;
    const cose = cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(this.jwk.x, 'base64url')], [-3, Buffer.from(this.jwk.y, 'base64url')]]));
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.id.length);
    const authData = Buffer.concat([this.#authData(options.rp.id, 0x45), Buffer.alloc(16), length, this.id, cose]);
    const object = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: this.id.toString('base64url'), rawId: this.id.toString('base64url'), type: 'public-key', authenticatorAttachment: 'cross-platform',
      response: { clientDataJSON: this.#clientData('webauthn.create', options.challenge).toString('base64url'), attestationObject: object.toString('base64url'), transports: ['usb'] },
      clientExtensionResults: {},
    };
  }

  /** AuthenticationResponseJSON (as JSON text, as CREDENTIAL carries it) for request options. */
  get(options) {
    const authData = this.#authData(options.rpId, 0x05);
    const clientData = this.#clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return JSON.stringify({
      id: this.id.toString('base64url'), rawId: this.id.toString('base64url'), type: 'public-key',
      response: { clientDataJSON: clientData.toString('base64url'), authenticatorData: authData.toString('base64url'), signature: signature.toString('base64url'), userHandle: this.userHandle },
      clientExtensionResults: {},
    });
  }
}
