// The Cognate demo app: everything a user does goes through cognate-auth (the package built from
// npm/, served at /cognate-auth/; cognate-auth/redirect for the hosted page); the demo server adds
// /config.json (which pool, which API, which domain), the dev mailbox (/dev/mailbox) and the machine
// client's call (/dev/machine-call), which exist only in demo mode.
import { CognateAuth } from '/cognate-auth/index.js';
import type { SignInResult } from '/cognate-auth/index.js';
import { handleRedirectCallback, signInWithRedirect, signOutWithRedirect } from '/cognate-auth/redirect.js';

interface DemoConfig {
  userPoolId: string;
  clientId: string;
  endpoint: string;
  apiUrl: string;
  /** The pool's domain (its managed login pages), as a URL base. */
  domain: string;
}

/** What /dev/machine-call answers. */
interface MachineCall {
  step: 'token' | 'api';
  status: number;
  error?: { error: string; error_description?: string };
  identity?: Record<string, string>;
  refusal?: { answer: unknown; wwwAuthenticate: string | null };
  token?: { token_type: string; expires_in: number; claims: Record<string, unknown> };
}

interface Mail {
  destination: string;
  subject: string;
  body: string;
  created: number;
}

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
};

const config: DemoConfig = await (await fetch('/config.json')).json();
const auth = new CognateAuth({ userPoolId: config.userPoolId, clientId: config.clientId, endpoint: config.endpoint, storage: 'localStorage' });
/** The hosted page sends the browser back here, after sign-in and after sign-out (both registered on the client). */
const returnUri = `${location.origin}/`;
/** Set while the session came from the hosted page: signing out then also ends the login page's session. */
const HOSTED = 'cognate-demo.hosted';
/** Set just before leaving for the domain's /logout, to say so on return. */
const LEFT_FOR_LOGOUT = 'cognate-demo.logout';

/** What a person should read for each error they can cause. */
function explain(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  switch (e.name) {
    case 'NotAuthorizedException':
      return /passkey/i.test(e.message) ? e.message : /incorrect username or password/i.test(e.message) ? 'Wrong username or password.' : e.message;
    case 'UserNotFoundException':
      return 'There is no account with that username.';
    case 'UsernameExistsException':
      return 'That username is taken: choose another, or sign in.';
    case 'InvalidPasswordException':
      return `That password is too weak: ${e.message}`;
    case 'CodeMismatchException':
    case 'EnableSoftwareTokenMFAException':
      return 'That code is not right. Check the code you were sent, or the one your app shows now.';
    case 'ExpiredCodeException':
      // Cognito answers an authenticator-app code used once already as expired.
      return /already been used/i.test(e.message)
        ? 'That code was already used. Enter the next one your app shows.'
        : 'That code has expired. Send a new one.';
    case 'UserNotConfirmedException':
      return 'Confirm your email first: enter the code we sent.';
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return 'Too many attempts. Wait a moment and try again.';
    case 'NotAllowedError':
      return 'The passkey prompt was dismissed or timed out.';
    case 'InvalidStateError':
      return 'This device already holds a passkey for this account.';
    case 'PasskeyNotSupported':
      return 'This browser cannot use passkeys here.';
    case 'NetworkError':
    case 'TypeError':
      return 'Cannot reach the server. Is `cargo xtask demo` still running?';
    case 'InvalidParameterException':
      return e.message;
    case 'InvalidStateException':
      return 'That sign-in was not started from this tab, or was already finished. Start it again.';
    case 'access_denied':
    case 'login_required':
    case 'invalid_request':
    case 'invalid_scope':
    case 'invalid_grant':
    case 'unauthorized_client':
    case 'server_error':
      return `The hosted page did not sign you in (${e.name}): ${e.message}`;
    default:
      return e.name.startsWith('WebAuthn') ? `The passkey was refused: ${e.message}` : `${e.name}: ${e.message}`;
  }
}

function say(text: string, ok = false): void {
  const box = $('#message');
  box.textContent = text;
  box.className = ok ? 'ok' : '';
  box.hidden = !text;
}

/** Runs a user action with its button disabled and its errors explained. */
function action(button: HTMLButtonElement, work: () => Promise<void>): void {
  button.addEventListener('click', async (event) => {
    event.preventDefault();
    const form = button.closest('form');
    if (button.type === 'submit' && form && !form.reportValidity()) return;
    button.disabled = true;
    say('');
    try {
      await work();
    } catch (error) {
      say(explain(error));
    } finally {
      button.disabled = false;
    }
  });
}

const field = (form: string, name: string): HTMLInputElement => $<HTMLFormElement>(form).elements.namedItem(name) as HTMLInputElement;
const submit = (form: string): HTMLButtonElement => $(`${form} button[type=submit]`);
const show = (selector: string, visible: boolean): void => { $(selector).hidden = !visible; };

let pendingUser = '';

async function after(result: SignInResult): Promise<void> {
  if (result.isSignedIn) {
    localStorage.removeItem(HOSTED);
    await render();
    say(`Welcome, ${result.session?.username}.`, true);
    return;
  }
  const step = result.nextStep;
  if (step.signInStep === 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION') {
    say('This account has no passkey yet: sign in with your password, then add one.');
    return;
  }
  show('#next-step', true);
  const text: Record<string, string> = {
    CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: 'Choose a new password.',
    CONFIRM_SIGN_IN_WITH_TOTP_CODE: 'Enter the code from your authenticator app.',
    CONFIRM_SIGN_IN_WITH_EMAIL_CODE: 'Enter the code we emailed you (see the dev mailbox).',
    CONFIRM_SIGN_IN_WITH_SMS_CODE: 'Enter the code we texted you.',
  };
  $('#next-step-text').textContent = text[step.signInStep] ?? `Answer ${step.challengeName ?? step.signInStep}.`;
  $('#next-step-label').textContent = step.signInStep === 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED' ? 'New password' : 'Code';
}

async function render(): Promise<void> {
  const session = await auth.getSession().catch(() => null);
  show('#signed-out', !session);
  show('#signed-in', !!session);
  $('#who').textContent = session ? `Signed in as ${session.username}` : 'Signed out';
  if (!session) return;
  show('#next-step', false);
  show('#totp-verify', false);
  const attributes = await auth.fetchUserAttributes();
  const list = $('#attributes');
  list.replaceChildren();
  for (const [name, value] of Object.entries(attributes)) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.attribute = name;
    list.append(dt, dd);
  }
  field('#edit-profile', 'name').value = attributes.name ?? '';
  // The claims the pool's pre-token generation trigger (demo.mjs's webhook) put in the ID token.
  const claims = $('#token-claims');
  claims.replaceChildren();
  for (const [name, value] of Object.entries(session.idTokenClaims).filter(([k]) => k.startsWith('demo:'))) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dd.dataset.claim = name;
    claims.append(dt, dd);
  }
  await renderPasskeys();
}

async function renderPasskeys(): Promise<void> {
  const list = $('#passkey-list');
  list.replaceChildren();
  const passkeys = await auth.listPasskeys();
  if (passkeys.length === 0) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'No passkeys yet.';
    list.append(li);
  }
  for (const p of passkeys) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = `${p.friendlyCredentialName} · added ${new Date(p.createdAt * 1000).toLocaleString()}`;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary';
    remove.textContent = 'Delete';
    action(remove, async () => {
      await auth.deletePasskey({ credentialId: p.credentialId });
      await renderPasskeys();
      say('Passkey deleted.', true);
    });
    li.append(name, remove);
    list.append(li);
  }
}

async function refreshMailbox(): Promise<void> {
  const to = field('#sign-up', 'email').value;
  const response = await fetch(`/dev/mailbox${to ? `?to=${encodeURIComponent(to)}` : ''}`).catch(() => null);
  if (!response?.ok) return;
  const mail: Mail[] = await response.json();
  const list = $('#mail');
  list.replaceChildren();
  if (mail.length === 0) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'Nothing sent yet.';
    list.append(li);
  }
  for (const m of mail.slice(-5).reverse()) {
    const li = document.createElement('li');
    const code = m.body.match(/\b(\d{6})\b/)?.[1];
    const head = document.createElement('div');
    head.className = 'hint';
    head.textContent = `To ${m.destination} · ${m.subject}`;
    li.append(head);
    if (code) {
      const c = document.createElement('code');
      c.textContent = code;
      c.dataset.code = code;
      li.append(c);
    } else {
      li.append(m.body);
    }
    list.append(li);
  }
}

action(submit('#sign-up'), async () => {
  const username = field('#sign-up', 'username').value.trim();
  const email = field('#sign-up', 'email').value.trim();
  const result = await auth.signUp({ username, password: field('#sign-up', 'password').value, attributes: { email } });
  pendingUser = username;
  field('#sign-in', 'username').value = username;
  $('#confirm-to').textContent = result.codeDelivery?.destination ?? email;
  show('#confirm', true);
  say('Account created. Enter the code from the dev mailbox to confirm it.', true);
  await refreshMailbox();
});

action(submit('#confirm'), async () => {
  await auth.confirmSignUp({ username: pendingUser, code: field('#confirm', 'code').value.trim() });
  show('#confirm', false);
  say('Email confirmed. Sign in with your password.', true);
  field('#sign-in', 'password').focus();
});

action($<HTMLButtonElement>('#resend'), async () => {
  await auth.resendSignUpCode({ username: pendingUser });
  say('A new code is on its way (see the dev mailbox).', true);
  await refreshMailbox();
});

action(submit('#sign-in'), async () => {
  const password = field('#sign-in', 'password').value;
  if (!password) {
    say('Enter your password, or sign in with a passkey.');
    return;
  }
  const username = field('#sign-in', 'username').value.trim();
  try {
    await after(await auth.signIn({ username, password }));
  } catch (error) {
    if (error instanceof Error && error.name === 'UserNotConfirmedException') {
      pendingUser = username;
      show('#confirm', true);
    }
    throw error;
  }
});

action($<HTMLButtonElement>('#passkey-sign-in'), async () => {
  const username = field('#sign-in', 'username').value.trim();
  if (!username) {
    say('Enter your username first.');
    return;
  }
  await after(await auth.signIn({ username, passkey: true }));
});

action(submit('#next-step'), async () => {
  const answer = field('#next-step', 'answer');
  try {
    await after(await auth.confirmSignIn({ challengeResponse: answer.value.trim() }));
  } catch (error) {
    // A sign-in step answers once: after a wrong answer, the sign-in starts over.
    show('#next-step', false);
    say(`${explain(error)} Sign in again.`);
  } finally {
    answer.value = '';
  }
});

action(submit('#edit-profile'), async () => {
  await auth.updateUserAttributes({ attributes: { name: field('#edit-profile', 'name').value.trim() } });
  await render();
  say('Profile saved.', true);
});

action($<HTMLButtonElement>('#add-passkey'), async () => {
  await auth.registerPasskey();
  await renderPasskeys();
  say('Passkey added. Next time, sign in with it: no password needed.', true);
});

action($<HTMLButtonElement>('#totp-start'), async () => {
  const setup = await auth.setUpTOTP();
  $('#totp-secret').textContent = setup.sharedSecret;
  $('#totp-secret').dataset.secret = setup.sharedSecret;
  $('#totp-uri').textContent = setup.getSetupUri('Cognate demo').href;
  show('#totp-verify', true);
});

action(submit('#totp-verify'), async () => {
  await auth.verifyTOTPSetup({ code: field('#totp-verify', 'code').value.trim() });
  await auth.updateMFAPreference({ totp: 'PREFERRED' });
  $<HTMLFormElement>('#totp-verify').reset();
  show('#totp-verify', false);
  say('Two-step sign-in is on: after your password, we will ask for the app\'s code.', true);
});

action(submit('#change-password'), async () => {
  await auth.changePassword({ oldPassword: field('#change-password', 'old').value, newPassword: field('#change-password', 'new').value });
  $<HTMLFormElement>('#change-password').reset();
  say('Password changed.', true);
});

/** Calls the echo API through the edge verifier and shows what came back. */
async function callApi(withToken: boolean): Promise<void> {
  const headers: Record<string, string> = {};
  if (withToken) {
    const session = await auth.getSession();
    if (session) headers.authorization = `Bearer ${session.accessToken}`;
  }
  const response = await fetch(`${config.apiUrl}/api/echo`, { headers });
  const body = await response.text();
  const box = $('#api-result');
  box.replaceChildren();
  const result = document.createElement('div');
  result.className = 'result';
  result.dataset.status = String(response.status);
  const status = document.createElement('div');
  status.className = `status ${response.ok ? 'allowed' : 'refused'}`;
  status.textContent = response.ok
    ? `${response.status}: let through. The API received this identity:`
    : `${response.status}: refused at the edge (${response.headers.get('www-authenticate') ?? 'no token'})`;
  const pre = document.createElement('pre');
  try {
    const json = JSON.parse(body);
    pre.textContent = JSON.stringify(response.ok ? json.identity : json, null, 2);
  } catch {
    pre.textContent = body;
  }
  result.append(status, pre);
  box.append(result);
}

action($<HTMLButtonElement>('#call-api'), () => callApi(true));
action($<HTMLButtonElement>('#call-api-anonymous'), () => callApi(false));

action($<HTMLButtonElement>('#hosted-sign-in'), async () => {
  // The access token needs aws.cognito.signin.user.admin for the user's own APIs (profile, passkeys, ...).
  await signInWithRedirect(auth, { domain: config.domain, redirectUri: returnUri, scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'] });
});

action($<HTMLButtonElement>('#sign-out'), async () => {
  $('#api-result').replaceChildren();
  if (localStorage.getItem(HOSTED)) {
    // Out of the app, then through the domain's /logout, which ends the login page's session too and
    // sends the browser back here.
    localStorage.removeItem(HOSTED);
    sessionStorage.setItem(LEFT_FOR_LOGOUT, '1');
    await signOutWithRedirect(auth, { logoutUri: returnUri });
    return;
  }
  await auth.signOut();
  await render();
  say('Signed out.', true);
});

/** Asks the demo server to call the API as the machine client, and shows what the API saw. */
action($<HTMLButtonElement>('#machine-call'), async () => {
  const response = await fetch('/dev/machine-call', { method: 'POST' });
  if (!response.ok) throw new Error(await response.text());
  const call: MachineCall = await response.json();
  const box = $('#machine-result');
  box.replaceChildren();
  const result = document.createElement('div');
  result.className = 'result';
  result.dataset.status = String(call.status);
  const status = document.createElement('div');
  const allowed = call.step === 'api' && call.status === 200;
  status.className = `status ${allowed ? 'allowed' : 'refused'}`;
  const pre = (id: string, value: unknown): HTMLPreElement => {
    const p = document.createElement('pre');
    p.id = id;
    p.textContent = JSON.stringify(value, null, 2);
    return p;
  };
  if (call.step === 'token') {
    status.textContent = `${call.status}: the token endpoint refused the machine client.`;
    result.append(status, pre('machine-error', call.error));
  } else {
    status.textContent = allowed
      ? `${call.status}: let through. The API received this identity:`
      : `${call.status}: refused at the edge (${call.refusal?.wwwAuthenticate ?? 'no reason given'})`;
    const tokenHead = document.createElement('div');
    tokenHead.className = 'hint';
    tokenHead.textContent = `The access token's claims (${call.token?.token_type}, ${call.token?.expires_in} s):`;
    result.append(status, pre('machine-identity', allowed ? call.identity : call.refusal), tokenHead, pre('machine-claims', call.token?.claims));
  }
  box.append(result);
});

auth.onAuthEvent(({ event }) => {
  if (event === 'signedOut' || event === 'tokenRefreshFailure') void render();
});

/** Back from the hosted page: the answer is in the query (code and state, or error and state). */
async function fromHostedPage(): Promise<void> {
  const query = new URLSearchParams(location.search);
  if (sessionStorage.getItem(LEFT_FOR_LOGOUT)) {
    sessionStorage.removeItem(LEFT_FOR_LOGOUT);
    say('Signed out, of this app and of the hosted page.', true);
  }
  if (!query.has('state') || !(query.has('code') || query.has('error'))) return;
  try {
    const { session } = await handleRedirectCallback(auth);
    localStorage.setItem(HOSTED, session.username);
    say(`Welcome, ${session.username}. You signed in on the hosted page.`, true);
  } catch (error) {
    say(explain(error));
  }
}

// Each look at the mailbox runs the server's outbox command: only while a code is awaited.
setInterval(() => { if (!$('#confirm').hidden) void refreshMailbox(); }, 2000);
field('#sign-up', 'email').addEventListener('change', () => void refreshMailbox());
await fromHostedPage();
await render();
await refreshMailbox();
document.body.dataset.ready = 'true';
