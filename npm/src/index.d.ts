/** Where tokens are kept: in memory (default), Web Storage, or any object with these three methods. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface CognateAuthOptions {
  /** The user pool id, `<region>_<id>`. */
  userPoolId: string;
  /** The app client id. */
  clientId: string;
  /** The app client's secret, for clients that have one (browser apps should not). */
  clientSecret?: string;
  /** The server: a Cognate URL such as `http://127.0.0.1:9229/`; default AWS Cognito for the pool's region. */
  endpoint?: string;
  /** Default `"memory"`. */
  storage?: 'memory' | 'localStorage' | 'sessionStorage' | KeyValueStorage;
  /** Where passkeys are made and used; default the browser's `navigator.credentials`. */
  webauthn?: WebAuthnAuthenticator;
}

/**
 * WebAuthn in Cognito's JSON forms: `create` takes PublicKeyCredentialCreationOptionsJSON and gives
 * RegistrationResponseJSON; `get` takes PublicKeyCredentialRequestOptionsJSON and gives
 * AuthenticationResponseJSON (all as JSON text).
 */
export interface WebAuthnAuthenticator {
  create(optionsJson: string): Promise<string>;
  get(optionsJson: string): Promise<string>;
}

export interface Passkey {
  credentialId: string;
  friendlyCredentialName: string;
  relyingPartyId: string;
  authenticatorAttachment: 'platform' | 'cross-platform' | null;
  authenticatorTransports: string[];
  /** Epoch seconds. */
  createdAt: number;
}

export interface CodeDelivery {
  deliveryMedium: 'EMAIL' | 'SMS' | string;
  /** Masked, e.g. `a***@e***`. */
  destination: string;
  attributeName: string;
}

export interface SignUpResult {
  userSub: string;
  userConfirmed: boolean;
  codeDelivery: CodeDelivery | null;
}

/** Decoded (not verified) JWT claims. */
export type TokenClaims = Record<string, string | number | boolean | string[] | undefined>;

export interface Session {
  username: string;
  idToken: string;
  accessToken: string;
  refreshToken: string;
  idTokenClaims: TokenClaims;
  accessTokenClaims: TokenClaims;
}

export type SignInStep =
  | 'DONE'
  | 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED'
  | 'CONFIRM_SIGN_IN_WITH_TOTP_CODE'
  | 'CONFIRM_SIGN_IN_WITH_SMS_CODE'
  | 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE'
  | 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION'
  | 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP'
  | 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION'
  | 'CONFIRM_SIGN_IN_WITH_PASSKEY'
  | 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE';

export interface NextStep {
  signInStep: SignInStep;
  /** For CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: attributes the pool requires. */
  missingAttributes?: string[];
  /** For CONTINUE_SIGN_IN_WITH_TOTP_SETUP: the secret to add to an authenticator app; answer with its code. */
  totpSetupDetails?: { sharedSecret: string };
  /** Cognito's challenge name, for the other steps. */
  challengeName?: string;
  /** For CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION, `AvailableChallenges` is among them (a list). */
  challengeParameters?: Record<string, string | string[]>;
}

export interface SignInResult {
  isSignedIn: boolean;
  nextStep: NextStep;
  /** Present when isSignedIn. */
  session?: Session;
}

export type AuthEventName =
  | 'signedIn'
  | 'tokenRefresh'
  | 'tokenRefreshFailure'
  | 'signedOut'
  /** From cognate-auth/redirect's handleRedirectCallback. */
  | 'signInWithRedirect'
  | 'signInWithRedirectFailure';

export interface AuthEvent {
  event: AuthEventName;
  username?: string;
  /** For tokenRefreshFailure and signInWithRedirectFailure. */
  error?: Error;
  /** For signInWithRedirect: the customState given to signInWithRedirect. */
  customState?: unknown;
  /** True when another tab caused it (localStorage only). */
  fromOtherTab?: boolean;
}

export type MFAPreference = 'ENABLED' | 'DISABLED' | 'PREFERRED' | 'NOT_PREFERRED';

export interface TOTPSetupDetails {
  sharedSecret: string;
  getSetupUri(appName: string, accountName?: string): URL;
}

/**
 * Errors are `Error`s whose `name` is the Cognito exception name (`NotAuthorizedException`,
 * `UserNotConfirmedException`, `CodeMismatchException`, ...), or `NetworkError`.
 */
export class CognateAuth {
  constructor(options: CognateAuthOptions);
  signUp(input: { username: string; password: string; attributes?: Record<string, string> }): Promise<SignUpResult>;
  confirmSignUp(input: { username: string; code: string }): Promise<void>;
  resendSignUpCode(input: { username: string }): Promise<void>;
  /** USER_SRP_AUTH by default: the password never leaves the browser. */
  /**
   * Signs in. `CUSTOM_WITHOUT_SRP` (no password) and `CUSTOM_WITH_SRP` run the pool's custom
   * authentication triggers: each custom challenge comes back as the next step
   * (`CUSTOM_CHALLENGE`, with its public parameters) and is answered with `confirmSignIn`.
   */
  signIn(input: {
    username: string;
    password?: string;
    flow?: 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH' | 'CUSTOM_WITHOUT_SRP' | 'CUSTOM_WITH_SRP';
  }): Promise<SignInResult>;
  /**
   * Passwordless, with a passkey (USER_AUTH, preferring WEB_AUTHN). A user without one here gets
   * CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION; a browser without WebAuthn rejects with
   * `PasskeyNotSupported`; a dismissed prompt with the browser's `NotAllowedError`.
   */
  signIn(input: { username: string; passkey: true }): Promise<SignInResult>;
  /** Answers the next step: the new password, or an MFA code. */
  confirmSignIn(input: { challengeResponse: string; userAttributes?: Record<string, string> }): Promise<SignInResult>;
  forgotPassword(input: { username: string }): Promise<void>;
  confirmForgotPassword(input: { username: string; code: string; newPassword: string }): Promise<void>;
  changePassword(input: { oldPassword: string; newPassword: string }): Promise<void>;
  fetchUserAttributes(): Promise<Record<string, string>>;
  updateUserAttributes(input: { attributes: Record<string, string> }): Promise<CodeDelivery[]>;
  confirmUserAttribute(input: { attributeName: string; code: string }): Promise<void>;
  /** A new authenticator-app secret; getSetupUri gives the otpauth:// URI for a QR code. */
  setUpTOTP(): Promise<TOTPSetupDetails>;
  /** Proves the app was set up, with a code from it. */
  verifyTOTPSetup(input: { code: string; options?: { friendlyDeviceName?: string } }): Promise<void>;
  /** Turns factors on or off. */
  updateMFAPreference(input: { totp?: MFAPreference; sms?: MFAPreference; email?: MFAPreference }): Promise<void>;
  /** Registers a passkey for the signed-in user (the browser prompts them). */
  registerPasskey(): Promise<void>;
  listPasskeys(): Promise<Passkey[]>;
  deletePasskey(input: { credentialId: string }): Promise<void>;
  deleteUser(): Promise<void>;
  signOut(input?: { global?: boolean }): Promise<void>;
  /** The session, refreshed ahead of expiry (one refresh across tabs); null when signed out. */
  getSession(input?: { forceRefresh?: boolean }): Promise<Session | null>;
  onAuthEvent(listener: (event: AuthEvent) => void): () => void;
}

/** An in-memory storage (the default). */
export function memoryStorage(): KeyValueStorage;
/** Loads the wasm ahead of the first call (optional). */
export function ready(): Promise<unknown>;
