// A user's own journey with amazon-cognito-identity-js, as an app runs it: sign up, confirm with the
// code from the outbox, sign in (SRP), read and update attributes, change password, forget and reset
// it, refresh the session, sign out everywhere (after which refresh fails). Every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CognitoUserAttribute, CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';
import { backends, startServer, createPool, createClient, uniq, uniqEmail } from './harness.mjs';

/** Turns a node-callback idjs call into a promise. */
const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

function signIn(user, username, password) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
    });
  });
}

const codeIn = (messages) => {
  const match = messages.at(-1)?.body.match(/(\d{6})/);
  assert.ok(match, `no code in ${JSON.stringify(messages.map((m) => m.body))}`);
  return match[1];
};

for (const backend of backends()) {
  test(`self-service journey with amazon-cognito-identity-js [${backend}]`, async (t) => {
    const server = await startServer(backend);
    t.after(() => server.stop());
    const poolInfo = await createPool(server, { AutoVerifiedAttributes: ['email'] });
    const client = await createClient(server, poolInfo.Id, {});
    const pool = new CognitoUserPool({ UserPoolId: poolInfo.Id, ClientId: client.ClientId, endpoint: server.endpoint });
    const username = uniq('self');
    const email = uniqEmail('self');
    let password = 'First-Pass-123';

    const signedUp = await call((cb) => pool.signUp(username, password, [new CognitoUserAttribute({ Name: 'email', Value: email })], null, cb));
    assert.equal(signedUp.userConfirmed, false);
    assert.equal(signedUp.codeDeliveryDetails.DeliveryMedium, 'EMAIL');
    assert.match(signedUp.codeDeliveryDetails.Destination, /^\w\*\*\*@\w\*\*\*$/);
    const duplicate = await call((cb) => pool.signUp(username, password, [], null, cb)).catch((e) => e);
    assert.equal(duplicate.code, 'UsernameExistsException');

    const user = new CognitoUser({ Username: username, Pool: pool });
    const unconfirmed = await signIn(user, username, password).catch((e) => e);
    assert.equal(unconfirmed.code, 'UserNotConfirmedException');
    const code = codeIn(await server.waitForOutbox({ to: email }));
    const wrong = await call((cb) => user.confirmRegistration(code === '000000' ? '111111' : '000000', false, cb)).catch((e) => e);
    assert.equal(wrong.code, 'CodeMismatchException');
    await call((cb) => user.confirmRegistration(code, false, cb));
    const again = await call((cb) => user.confirmRegistration(code, false, cb)).catch((e) => e);
    assert.equal(again.code, 'NotAuthorizedException', 'a confirmed user cannot confirm again');

    let session = await signIn(user, username, password);
    assert.ok(session.isValid());
    const attrs = Object.fromEntries((await call((cb) => user.getUserAttributes(cb))).map((a) => [a.getName(), a.getValue()]));
    assert.equal(attrs.email, email);
    assert.equal(attrs.email_verified, 'true', 'confirming the sign-up code verifies the email it went to');

    await call((cb) => user.updateAttributes([new CognitoUserAttribute({ Name: 'given_name', Value: 'Grace' })], cb));
    const updated = Object.fromEntries((await call((cb) => user.getUserAttributes(cb))).map((a) => [a.getName(), a.getValue()]));
    assert.equal(updated.given_name, 'Grace');

    const badChange = await call((cb) => user.changePassword('Not-The-Pass-1', 'Second-Pass-456', cb)).catch((e) => e);
    assert.equal(badChange.code, 'NotAuthorizedException');
    await call((cb) => user.changePassword(password, 'Second-Pass-456', cb));
    password = 'Second-Pass-456';
    await signIn(new CognitoUser({ Username: username, Pool: pool }), username, password);

    await new Promise((resolve, reject) => user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }));
    const resetMessages = await server.waitForOutbox({ to: email }, (m) => m.some((x) => /reset/i.test(x.body)));
    const resetCode = codeIn(resetMessages.filter((m) => /reset/i.test(m.body)));
    await new Promise((resolve, reject) => user.confirmPassword(resetCode, 'Third-Pass-789', { onSuccess: resolve, onFailure: reject }));
    const reused = await new Promise((resolve, reject) => user.confirmPassword(resetCode, 'Fourth-Pass-000', { onSuccess: resolve, onFailure: reject })).catch((e) => e);
    assert.ok(['ExpiredCodeException', 'CodeMismatchException'].includes(reused.code), `a used code: ${reused.code}`);
    password = 'Third-Pass-789';
    const fresh = new CognitoUser({ Username: username, Pool: pool });
    session = await signIn(fresh, username, password);

    const refreshed = await call((cb) => fresh.refreshSession(session.getRefreshToken(), cb));
    assert.ok(refreshed.getAccessToken().getJwtToken() !== session.getAccessToken().getJwtToken());
    await new Promise((resolve, reject) => fresh.globalSignOut({ onSuccess: resolve, onFailure: reject }));
    const afterSignOut = await call((cb) => fresh.refreshSession(session.getRefreshToken(), cb)).catch((e) => e);
    assert.equal(afterSignOut.code, 'NotAuthorizedException');

    // Unknown users: a client that hides them (the default) answers as if a code went out; a LEGACY
    // client says the user does not exist.
    const ask = (p, name) => new Promise((resolve) => new CognitoUser({ Username: name, Pool: p }).forgotPassword({
      onSuccess: () => resolve('sent'), inputVerificationCode: () => resolve('sent'), onFailure: (e) => resolve(e.code) }));
    assert.equal(await ask(pool, uniq('nobody')), 'sent');
    const legacy = await createClient(server, poolInfo.Id, { PreventUserExistenceErrors: 'LEGACY' });
    const legacyPool = new CognitoUserPool({ UserPoolId: poolInfo.Id, ClientId: legacy.ClientId, endpoint: server.endpoint });
    assert.equal(await ask(legacyPool, uniq('nobody')), 'UserNotFoundException');

    // Codes to one address are limited: five an hour, then LimitExceededException.
    const limits = [];
    for (let i = 0; i < 7; i++) {
      limits.push(await new Promise((resolve) => fresh.forgotPassword({ onSuccess: () => resolve('ok'), inputVerificationCode: () => resolve('ok'), onFailure: (e) => resolve(e.code) })));
    }
    assert.ok(limits.includes('LimitExceededException'), `no limit after ${limits.length} requests: ${limits}`);
    assert.equal(limits[0], 'ok');

    const other = new CognitoUser({ Username: username, Pool: pool });
    await signIn(other, username, password);
    await call((cb) => other.deleteUser(cb));
    const gone = await signIn(new CognitoUser({ Username: username, Pool: pool }), username, password).catch((e) => e);
    assert.equal(gone.code, 'NotAuthorizedException', 'an unknown user reads as a wrong password');
  });
}
