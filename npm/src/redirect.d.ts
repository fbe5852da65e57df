// cognate-auth/redirect: sign-in and sign-out through a user pool domain's managed login pages.
import type { CognateAuth, Session } from './index.js';

export interface SignInWithRedirectInput {
  /**
   * The pool's domain: a host (`auth.example.com`, `my-app.auth.us-east-1.amazoncognito.com`: https)
   * or a URL base (`http://127.0.0.1:9229/domains/my-app` for a Cognate server without DNS).
   */
  domain: string;
  /** Where the login pages send the browser back: one of the app client's CallbackURLs, exactly. */
  redirectUri: string;
  /** Default `['openid', 'email', 'profile']`; `openid` is needed (the session has an ID token). */
  scopes?: string[];
  /** `identity_provider`; default `'COGNITO'` (the pool's own users). */
  provider?: string;
  /** The login pages' language (`lang`), e.g. `'fr'`. */
  lang?: string;
  /** `prompt`: `'login'` asks for credentials even with a live login session; `'none'` never does. */
  prompt?: 'login' | 'none' | string;
  /** Any JSON value, kept in this tab while the browser is away and given back by handleRedirectCallback. */
  customState?: unknown;
}

export interface RedirectCallbackResult {
  session: Session;
  customState?: unknown;
}

export interface SignOutWithRedirectInput {
  /** One of the app client's LogoutURLs: where /logout sends the browser. */
  logoutUri: string;
  /** The domain to sign out of when the session did not come from signInWithRedirect (see its `domain`). */
  domain?: string;
  /** Also end every other session of the user (GlobalSignOut) rather than revoke this one's refresh token. */
  global?: boolean;
}

/**
 * Sends the browser to the domain's `/oauth2/authorize` (authorization code, PKCE S256, fresh state
 * and nonce kept in sessionStorage). Resolves once the navigation has started.
 */
export function signInWithRedirect(auth: CognateAuth, input: SignInWithRedirectInput): Promise<void>;

/**
 * On the redirect URI: checks the state, exchanges the code at `/oauth2/token`, checks the ID token's
 * nonce and audience, stores the session where `signIn` stores one (so `getSession()`, refresh and
 * `signOut()` work as usual) and emits `signedIn` and `signInWithRedirect`. Without `url`, reads the
 * page's address and removes the query from it.
 *
 * Rejects with `InvalidStateException` (no sign-in in progress in this tab, or another state), the
 * OAuth error the server sent back as the error's `name` (`access_denied`, `login_required`,
 * `invalid_grant`, ...; `error_description` is the message), `InvalidResponseException` or
 * `NetworkError`; `signInWithRedirectFailure` is emitted with it.
 */
export function handleRedirectCallback(auth: CognateAuth, url?: string | URL): Promise<RedirectCallbackResult>;

/**
 * `auth.signOut()`, then the domain's `/logout` (which ends the managed login session and sends the
 * browser to `logoutUri`) when the session came from signInWithRedirect or `domain` is given;
 * otherwise resolves without navigating.
 */
export function signOutWithRedirect(auth: CognateAuth, input: SignOutWithRedirectInput): Promise<void>;

/** The URL base of a domain as `signInWithRedirect` takes it (a bare host means https). */
export function domainBase(domain: string): string;
