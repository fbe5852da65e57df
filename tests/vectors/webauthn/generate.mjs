// Captures WebAuthn ceremonies from Chromium's own WebAuthn stack (the browser writes clientDataJSON,
// its virtual authenticators make keys, attestations and assertions), for cognate-webauthn's tests.
// Nothing here is Cognate code. Run: node tests/vectors/webauthn/generate.mjs (writes vectors.json
// beside this file). The challenges are fixed; keys and signatures are fresh on every run, so the file
// is not reproducible byte for byte: it is committed once and checked by the Rust tests.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const challenge = (n) => b64url(Buffer.alloc(16, n));

const server = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>vectors</title>'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://localhost:${server.address().port}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.goto(origin);
const cdp = await page.context().newCDPSession(page);
await cdp.send('WebAuthn.enable', { enableUI: false });

async function authenticator(options) {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { automaticPresenceSimulation: true, ...options },
  });
  return authenticatorId;
}

/** navigator.credentials.create with JSON options; the credential's toJSON(). */
function create(options) {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json);
    const cred = await navigator.credentials.create({ publicKey });
    return cred.toJSON();
  }, options);
}

function get(options) {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json);
    const cred = await navigator.credentials.get({ publicKey });
    return cred.toJSON();
  }, options);
}

const user = { id: b64url(Buffer.from('0b7e3c1e-5f1a-4a0e-9d55-6a4c2f1d2b10')), name: 'alice', displayName: 'alice' };
const creation = (n, alg, extra = {}) => ({
  challenge: challenge(n),
  rp: { id: 'localhost', name: 'Cognate vectors' },
  user,
  pubKeyCredParams: [{ type: 'public-key', alg }],
  timeout: 60000,
  authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  attestation: 'none',
  ...extra,
});
const request = (n, id) => ({ challenge: challenge(n), rpId: 'localhost', allowCredentials: [{ type: 'public-key', id }], userVerification: 'preferred', timeout: 60000 });

const cases = [];
const passkey = { protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true };
let n = 1;
for (const [name, alg] of [['es256', -7], ['rs256', -257], ['eddsa', -8]]) {
  const id = await authenticator(passkey);
  const c = n++;
  const registration = await create(creation(c, alg));
  const first = n++;
  const a1 = await get(request(first, registration.id));
  const second = n++;
  const a2 = await get(request(second, registration.id));
  cases.push({ name, alg, registration: { challenge: challenge(c), response: registration }, assertions: [{ challenge: challenge(first), response: a1 }, { challenge: challenge(second), response: a2 }] });
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
}

// Attestation asked for: Chromium's virtual authenticators answer `packed` (ctap2) and `fido-u2f` (u2f).
const attested = [];
{
  const id = await authenticator(passkey);
  const c = n++;
  attested.push({ name: 'packed', challenge: challenge(c), response: await create(creation(c, -7, { attestation: 'direct' })) });
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
}
{
  const id = await authenticator({ protocol: 'u2f', transport: 'usb' });
  const c = n++;
  attested.push({ name: 'fido-u2f', challenge: challenge(c), response: await create(creation(c, -7, { attestation: 'direct', authenticatorSelection: { userVerification: 'discouraged' } })) });
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
}
// A security key that cannot verify the user: UV clear.
let unverified;
{
  const id = await authenticator({ protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: false });
  const c = n++;
  unverified = { challenge: challenge(c), response: await create(creation(c, -7, { authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' } })) };
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
}

const out = {
  generator: `tests/vectors/webauthn/generate.mjs, ${await browser.version()} (Chromium's virtual authenticators through CDP WebAuthn)`,
  origin,
  rpId: 'localhost',
  userHandle: user.id,
  cases,
  attested,
  unverified,
};
writeFileSync(join(here, 'vectors.json'), `${JSON.stringify(out, null, 1)}\n`);
await browser.close();
server.close();
console.log(`wrote ${cases.length} key types, ${attested.length} attested registrations`);
