// cognate-auth: the typed API over the wasm engine (crates/wasm). The engine does the protocol
// (SRP, challenges, token storage layout, refresh): it says which call to make and reads the
// answer. This file loads it, makes those calls (fetch, WebAuthn), adapts storage, turns its JSON
// answers into objects, keeps one refresh at a time across tabs (Web Locks) and emits events.
import init, { Engine } from './cognate_wasm.js';
import { browserAuthenticator } from './passkey.js';

let loading = null;
/** Loads and instantiates the wasm once (fetching `cognate_wasm_bg.wasm` next to this file). */
export function ready() {
  loading ??= init();
  return loading;
}

/** A storage that lives as long as the page: the default (tokens never touch disk). */
export function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, String(value)); },
    removeItem: (key) => { items.delete(key); },
  };
}

function pickStorage(storage) {
  if (storage === undefined || storage === 'memory') return memoryStorage();
  if (storage === 'localStorage') return globalThis.localStorage;
  if (storage === 'sessionStorage') return globalThis.sessionStorage;
  if (storage && typeof storage.getItem === 'function' && typeof storage.setItem === 'function'
    && typeof storage.removeItem === 'function') return storage;
  const error = new Error('storage must be "memory", "localStorage", "sessionStorage" or an object with getItem, setItem and removeItem');
  error.name = 'InvalidParameterException';
  throw error;
}

/** How long a tab keeps the refresh lock after refreshing: time for the new tokens to reach the
 * other tabs' view of localStorage before any of them may decide to refresh too. */
const LOCK_LINGER_MS = 150;

/**
 * Runs `work` under the Web Lock `name` and resolves with its result as soon as it has one, while
 * the lock itself is held LOCK_LINGER_MS longer. With `ifAvailable`, resolves null when another tab
 * holds the lock.
 */
function holdingLock(locks, name, options, work) {
  return new Promise((resolve, reject) => {
    locks.request(name, options, async (lock) => {
      if (!lock) return resolve(null);
      try {
        resolve(await work());
      } catch (error) {
        reject(error);
      }
      await new Promise((r) => setTimeout(r, LOCK_LINGER_MS));
    }).catch(reject);
  });
}

const parse = (text) => (text === undefined || text === null ? null : JSON.parse(text));

function named(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** One Cognito call as a step asked for it: its status and body, or the error when no answer came. */
async function post({ call, url, body }) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': call },
      body,
      cache: 'no-store',
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: error?.message ?? String(error) };
  }
}

/** A credential from `webauthn` (`create` or `get`, JSON text in and out) as a step asked for it. */
async function authenticate(webauthn, step) {
  const method = step.create !== undefined ? 'create' : 'get';
  if (typeof webauthn?.[method] !== 'function') throw named('PasskeyNotSupported', 'this environment has no WebAuthn');
  const credential = await webauthn[method](step[method]);
  if (typeof credential !== 'string') throw named('PasskeyNotSupported', 'the authenticator gave no credential');
  return { credential };
}

/**
 * Runs an engine task to its end: the engine says what it needs (a call, or a credential), this
 * does it and hands the result back, until the engine has the answer. Throws the engine's errors
 * (named after Cognito's exceptions) and the authenticator's (NotAllowedError, ...).
 */
async function drive(task, webauthn) {
  let input = null;
  for (;;) {
    const step = JSON.parse(task.next(JSON.stringify(input)));
    if ('done' in step) return step.done;
    input = step.call ? await post(step) : await authenticate(webauthn, step);
  }
}

/** An argument as the engine takes it: a string ('' for none). */
const str = (value) => (value === undefined || value === null ? '' : String(value));

/** The engine operation of each sign-in flow (USER_SRP_AUTH by default). */
const FLOWS = { USER_PASSWORD_AUTH: 'signInWithPassword', CUSTOM_WITHOUT_SRP: 'signInCustom', CUSTOM_WITH_SRP: 'signInCustomSrp' };

export class CognateAuth {
  #engine = null;
  #options;
  #storage;
  #listeners = new Set();
  #storageWaiters = new Set();
  #inflight = null;

  /**
   * @param {import('./index.d.ts').CognateAuthOptions} options
   */
  constructor(options) {
    if (!options || typeof options.userPoolId !== 'string' || typeof options.clientId !== 'string') {
      const error = new Error('userPoolId and clientId are required');
      error.name = 'InvalidParameterException';
      throw error;
    }
    this.#options = options;
    this.#storage = pickStorage(options.storage);
    if (options.storage === 'localStorage' && typeof addEventListener === 'function') {
      // Another tab refreshed or signed out: tell this tab's listeners.
      const prefix = `CognitoIdentityServiceProvider.${options.clientId}.`;
      addEventListener('storage', (e) => {
        if (!e.key || !e.key.startsWith(prefix)) return;
        if (e.key.endsWith('.accessToken') || e.key.endsWith('.LastAuthUser')) {
          for (const wake of this.#storageWaiters) wake();
          this.#storageWaiters.clear();
        }
        if (e.key.endsWith('.accessToken') && e.newValue) this.#emit('tokenRefresh', { fromOtherTab: true });
        if (e.key.endsWith('.LastAuthUser') && !e.newValue) this.#emit('signedOut', { fromOtherTab: true });
      });
    }
  }

  async #core() {
    if (this.#engine) return this.#engine;
    await ready();
    const o = this.#options;
    this.#engine ??= new Engine(o.userPoolId, o.clientId, o.clientSecret ?? undefined, o.endpoint ?? undefined, this.#storage);
    return this.#engine;
  }

  /** Runs one engine operation with string arguments; resolves with its parsed answer. */
  async #run(op, args = [], webauthn) {
    const task = (await this.#core()).start(op, JSON.stringify(args.map(str)));
    try {
      return await drive(task, webauthn);
    } finally {
      task.free();
    }
  }

  #emit(event, data) {
    for (const listener of this.#listeners) {
      try { listener({ event, ...data }); } catch { /* a listener's error is its own */ }
    }
  }

  /** For cognate-auth/redirect (not API): the options, the storage and the event emitter. */
  _redirect() {
    return [this.#options, this.#storage, (event, data) => this.#emit(event, data)];
  }

  /** Listens for signedIn, tokenRefresh, tokenRefreshFailure and signedOut; returns an unsubscribe function. */
  onAuthEvent(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async signUp({ username, password, attributes = {} }) {
    return this.#run('signUp', [username, password, JSON.stringify(attributes)]);
  }

  async confirmSignUp({ username, code }) {
    await this.#run('confirmSignUp', [username, code]);
  }

  async resendSignUpCode({ username }) {
    await this.#run('resendSignUpCode', [username]);
  }

  async signIn({ username, password, flow = 'USER_SRP_AUTH', passkey = false }) {
    const result = passkey
      ? await this.#run('signInWithPasskey', [username], this.#options.webauthn ?? browserAuthenticator)
      : await this.#run(FLOWS[flow] ?? 'signIn', [username, password]);
    if (result.isSignedIn) this.#emit('signedIn', { username: result.session.username });
    return result;
  }

  async confirmSignIn({ challengeResponse, userAttributes = {} }) {
    const result = await this.#run('confirmSignIn', [challengeResponse, JSON.stringify(userAttributes)]);
    if (result.isSignedIn) this.#emit('signedIn', { username: result.session.username });
    return result;
  }

  async forgotPassword({ username }) {
    await this.#run('forgotPassword', [username]);
  }

  async confirmForgotPassword({ username, code, newPassword }) {
    await this.#run('confirmForgotPassword', [username, code, newPassword]);
  }

  async changePassword({ oldPassword, newPassword }) {
    await this.getSession();
    await this.#run('changePassword', [oldPassword, newPassword]);
  }

  async fetchUserAttributes() {
    await this.getSession();
    return this.#run('fetchUserAttributes');
  }

  async updateUserAttributes({ attributes }) {
    await this.getSession();
    return this.#run('updateUserAttributes', [JSON.stringify(attributes)]);
  }

  async confirmUserAttribute({ attributeName, code }) {
    await this.getSession();
    await this.#run('confirmUserAttribute', [attributeName, code]);
  }

  /** A new authenticator-app secret; `getSetupUri(appName)` gives the otpauth:// URI for a QR code. */
  async setUpTOTP() {
    await this.getSession();
    const { sharedSecret } = await this.#run('setUpTotp');
    const username = (await this.getSession())?.username ?? '';
    return {
      sharedSecret,
      getSetupUri: (appName, accountName = username) => {
        const [issuer, account] = [encodeURIComponent(appName), encodeURIComponent(accountName)];
        return new URL(`otpauth://totp/${issuer}:${account}?secret=${sharedSecret}&issuer=${issuer}`);
      },
    };
  }

  /** Proves the authenticator app was set up, with a code from it. */
  async verifyTOTPSetup({ code, options = {} }) {
    await this.getSession();
    await this.#run('verifyTotpSetup', [code, options.friendlyDeviceName]);
  }

  /** Turns factors on or off: each of 'ENABLED', 'DISABLED', 'PREFERRED', 'NOT_PREFERRED'. */
  async updateMFAPreference({ totp, sms, email } = {}) {
    await this.getSession();
    await this.#run('updateMfaPreference', [totp, sms, email]);
  }

  /**
   * Registers a passkey for the signed-in user (the browser asks them to create one). Needs the
   * pool's WebAuthnConfiguration and WEB_AUTHN among its first factors.
   */
  async registerPasskey() {
    await this.getSession();
    await this.#run('registerPasskey', [], this.#options.webauthn ?? browserAuthenticator);
  }

  /** The signed-in user's passkeys. */
  async listPasskeys() {
    await this.getSession();
    return this.#run('listPasskeys');
  }

  /** Deletes one of the signed-in user's passkeys by its credentialId. */
  async deletePasskey({ credentialId }) {
    await this.getSession();
    await this.#run('deletePasskey', [credentialId]);
  }

  async deleteUser() {
    await this.getSession();
    await this.#run('deleteUser');
    this.#emit('signedOut', {});
  }

  /** Signs out; `global` also ends every other session of the user. */
  async signOut({ global = false } = {}) {
    try {
      await this.#run('signOut', [global ? 'global' : 'local']);
    } finally {
      this.#emit('signedOut', {});
    }
  }

  /**
   * The current session, refreshed first when it is about to expire (or when `forceRefresh`).
   * Across tabs sharing storage, one refresh runs at a time and the others use its tokens.
   * Returns null when nobody is signed in.
   */
  async getSession({ forceRefresh = false } = {}) {
    const engine = await this.#core();
    const stored = parse(engine.storedSession());
    if (!stored) return null;
    if (!stored.needsRefresh && !forceRefresh) {
      delete stored.needsRefresh;
      return stored;
    }
    // Calls in this tab share one refresh; other tabs are kept out by the lock below.
    this.#inflight ??= this.#refresh(forceRefresh).finally(() => { this.#inflight = null; });
    return this.#inflight;
  }

  async #refresh(forceRefresh) {
    const refresh = () => this.#run('refresh', [forceRefresh ? 'force' : '']);
    const lockName = `cognate-refresh:${this.#options.clientId}`;
    const locks = globalThis.navigator?.locks;
    try {
      let session = locks ? await holdingLock(locks, lockName, { ifAvailable: true }, refresh) : await refresh();
      if (session === null) {
        // Another tab is refreshing. Its tokens reach this tab's localStorage a moment after it
        // writes them (storage is synchronised between tabs asynchronously), so wait for them, for a
        // second at most, before deciding whether a refresh is still needed.
        const arrived = this.#options.storage === 'localStorage'
          ? new Promise((resolve) => { this.#storageWaiters.add(resolve); setTimeout(resolve, 1000); })
          : Promise.resolve();
        session = await holdingLock(locks, lockName, {}, async () => { await arrived; return refresh(); });
      }
      if (session.refreshed) this.#emit('tokenRefresh', { username: session.username });
      delete session.refreshed;
      return session;
    } catch (error) {
      this.#emit('tokenRefreshFailure', { error });
      throw error;
    }
  }
}
