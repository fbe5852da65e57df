// WebAuthn for cognate-auth: Cognito's API carries options and credentials as JSON (base64url for
// bytes); navigator.credentials takes and gives ArrayBuffers. This converts both ways (with the
// browser's own parse*/toJSON where it has them) and names the errors.

const fromB64url = (text) => {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
};

const toB64url = (buffer) => {
  let text = '';
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const descriptors = (list = []) => list.map((d) => ({ ...d, id: fromB64url(d.id) }));

/** PublicKeyCredentialCreationOptionsJSON → the options navigator.credentials.create takes. */
export function creationOptions(json) {
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

/** PublicKeyCredentialRequestOptionsJSON → the options navigator.credentials.get takes. */
export function requestOptions(json) {
  return { ...json, challenge: fromB64url(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
}

/** A PublicKeyCredential → RegistrationResponseJSON / AuthenticationResponseJSON. */
export function credentialJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults?.() ?? {},
    response,
  };
}

function named(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

function supported() {
  if (typeof globalThis.PublicKeyCredential !== 'function' || !globalThis.navigator?.credentials?.create) {
    throw named('PasskeyNotSupported', 'This browser has no WebAuthn (passkeys need a secure context: https or localhost).');
  }
}

/** The authenticator the engine calls: JSON text in, JSON text out. */
export const browserAuthenticator = {
  async create(optionsJson) {
    supported();
    const json = JSON.parse(optionsJson);
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON?.(json) ?? creationOptions(json);
    return JSON.stringify(credentialJSON(await navigator.credentials.create({ publicKey })));
  },
  async get(optionsJson) {
    supported();
    const json = JSON.parse(optionsJson);
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON?.(json) ?? requestOptions(json);
    return JSON.stringify(credentialJSON(await navigator.credentials.get({ publicKey })));
  },
};
