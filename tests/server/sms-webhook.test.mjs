// SMS through the webhook messenger: with COGNATE_SMS_WEBHOOK_URL set, SMS messages (here an SMS_MFA
// code) are POSTed to it as JSON, signed with HMAC-SHA256 when a secret is set, and retried while
// the receiver fails. Every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import {
  AdminCreateUserCommand, AdminSetUserMFAPreferenceCommand, AdminSetUserPasswordCommand, InitiateAuthCommand,
  RespondToAuthChallengeCommand, SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, createClient, createPool, sleep, startServer, uniq } from './harness.mjs';

const PASSWORD = 'Webhook-Pass-9';
const SECRET = 'webhook-signing-secret';

for (const backend of backends()) {
  test(`SMS codes reach the webhook [${backend}]`, async (t) => {
    const received = [];
    let refuseFirst = true;
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        // The first delivery is refused: the messenger must retry it.
        if (refuseFirst) {
          refuseFirst = false;
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    t.after(() => new Promise((r) => { receiver.closeAllConnections(); receiver.close(r); }));
    process.env.COGNATE_SMS_WEBHOOK_URL = `http://127.0.0.1:${receiver.address().port}/sms`;
    process.env.COGNATE_SMS_WEBHOOK_SECRET = SECRET;
    const server = await startServer(backend).finally(() => {
      delete process.env.COGNATE_SMS_WEBHOOK_URL;
      delete process.env.COGNATE_SMS_WEBHOOK_SECRET;
    });
    t.after(() => server.stop());
    const send = (cmd) => server.client.send(cmd);
    const pool = await createPool(server);
    await send(new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.Id, MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: { SmsAuthenticationMessage: 'Cognate code {####}', SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/CognitoSms' } },
    }));
    const client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const username = uniq('hook');
    const phone = '+14155550142';
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'phone_number', Value: phone }] }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: PASSWORD, Permanent: true }));
    await send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: pool.Id, Username: username, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
    const started = await send(new InitiateAuthCommand({
      ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD },
    }));
    assert.equal(started.ChallengeName, 'SMS_MFA');
    // The first attempt was refused; the retry comes after the messenger's 5 s pause.
    const deadline = Date.now() + 20_000;
    while (received.length === 0 && Date.now() < deadline) await sleep(200);
    assert.equal(received.length, 1, 'the message was delivered once, after a retry');
    const { headers, body } = received[0];
    assert.equal(headers['x-cognate-signature'], `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const sms = JSON.parse(body);
    assert.equal(sms.to, phone);
    assert.equal(sms.pool_id, pool.Id);
    const code = sms.message.match(/^Cognate code (\d{6})$/)?.[1];
    assert.ok(code, sms.message);
    const done = await send(new RespondToAuthChallengeCommand({
      ClientId: client.ClientId, ChallengeName: 'SMS_MFA', Session: started.Session, ChallengeResponses: { USERNAME: username, SMS_MFA_CODE: code },
    }));
    assert.ok(done.AuthenticationResult.AccessToken);
    const outbox = await server.waitForOutbox({ to: phone });
    assert.ok(outbox.at(-1).delivered, 'the outbox records the delivery');
  });
}
