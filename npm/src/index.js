// cognate-auth: the typed API over the wasm engine (crates/wasm). The engine does the protocol
// (SRP, challenges, token storage layout, refresh); this file loads it, adapts storage, turns its
// JSON answers into objects, keeps one refresh at a time across tabs (Web Locks) and emits events.
import init, { Engine } from './cognate_wasm.js';

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

const parse = (text) => (text === undefined || text === null ? null : JSON.parse(text));

export class CognateAuth {
  #engine = null;
  #options;
  #storage;
  #listeners = new Set();

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

  #emit(event, data) {
    for (const listener of this.#listeners) {
      try { listener({ event, ...data }); } catch { /* a listener's error is its own */ }
    }
  }

  /** Listens for signedIn, tokenRefresh, tokenRefreshFailure and signedOut; returns an unsubscribe function. */
  onAuthEvent(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async signUp({ username, password, attributes = {} }) {
    return parse(await (await this.#core()).signUp(username, password, JSON.stringify(attributes)));
  }

  async confirmSignUp({ username, code }) {
    await (await this.#core()).confirmSignUp(username, code);
  }

  async resendSignUpCode({ username }) {
    await (await this.#core()).resendSignUpCode(username);
  }

  async signIn({ username, password, flow = 'USER_SRP_AUTH' }) {
    const result = parse(await (await this.#core()).signIn(username, password, flow === 'USER_PASSWORD_AUTH'));
    if (result.isSignedIn) this.#emit('signedIn', { username: result.session.username });
    return result;
  }

  async confirmSignIn({ challengeResponse, userAttributes = {} }) {
    const result = parse(await (await this.#core()).confirmSignIn(challengeResponse, JSON.stringify(userAttributes)));
    if (result.isSignedIn) this.#emit('signedIn', { username: result.session.username });
    return result;
  }

  async forgotPassword({ username }) {
    await (await this.#core()).forgotPassword(username);
  }

  async confirmForgotPassword({ username, code, newPassword }) {
    await (await this.#core()).confirmForgotPassword(username, code, newPassword);
  }

  async changePassword({ oldPassword, newPassword }) {
    await this.getSession();
    await (await this.#core()).changePassword(oldPassword, newPassword);
  }

  async fetchUserAttributes() {
    await this.getSession();
    return parse(await (await this.#core()).fetchUserAttributes());
  }

  async updateUserAttributes({ attributes }) {
    await this.getSession();
    return parse(await (await this.#core()).updateUserAttributes(JSON.stringify(attributes)));
  }

  async confirmUserAttribute({ attributeName, code }) {
    await this.getSession();
    await (await this.#core()).confirmUserAttribute(attributeName, code);
  }

  async deleteUser() {
    await this.getSession();
    await (await this.#core()).deleteUser();
    this.#emit('signedOut', {});
  }

  /** Signs out; `global` also ends every other session of the user. */
  async signOut({ global = false } = {}) {
    try {
      await (await this.#core()).signOut(global);
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
    const refresh = () => engine.refresh(forceRefresh);
    const lockName = `cognate-refresh:${this.#options.clientId}`;
    try {
      const text = globalThis.navigator?.locks
        ? await navigator.locks.request(lockName, refresh)
        : await refresh();
      const session = parse(text);
      if (session.refreshed) this.#emit('tokenRefresh', { username: session.username });
      delete session.refreshed;
      return session;
    } catch (error) {
      this.#emit('tokenRefreshFailure', { error });
      throw error;
    }
  }
}
