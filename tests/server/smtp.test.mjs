// Email leaves the outbox over SMTP when the server is given an SMTP URL: delivered to a real SMTP
// listener (a minimal sink written here), marked delivered in the outbox, and retried when the mail
// server is down at first. Storage is not what this tests, so it runs on SQLite only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { startServer, createPool, uniq, uniqEmail, sleep } from './harness.mjs';

/** An SMTP sink on `port` (0: any) that keeps every message it is given. */
function smtpSink(port = 0) {
  const received = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let mail = { from: null, to: [], data: '' };
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 sink.test ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(mail);
          mail = { from: null, to: [], data: '' };
          reply('250 2.0.0 queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 sink.test');
        else if (verb === 'MAIL') { mail.from = line; reply('250 2.1.0 ok'); }
        else if (verb === 'RCPT') { mail.to.push(line); reply('250 2.1.5 ok'); }
        else if (verb === 'DATA') { inData = true; reply('354 go ahead'); }
        else if (verb === 'QUIT') { reply('221 bye'); socket.end(); return; }
        else if (verb === 'RSET' || verb === 'NOOP') reply('250 ok');
        else reply('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ port: server.address().port, received, close: () => new Promise((r) => server.close(r)) }));
  });
}

/** A port nobody listens on (yet). */
async function freePort() {
  const probe = await smtpSink();
  await probe.close();
  return probe.port;
}

const cleanup = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function serverWithSmtp(port) {
  process.env.COGNATE_SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.COGNATE_SMTP_FROM = 'Cognate Test <no-reply@cognate.test>';
  try {
    const server = await startServer('sqlite');
    cleanup.push(() => server.stop());
    return server;
  } finally {
    delete process.env.COGNATE_SMTP_URL;
    delete process.env.COGNATE_SMTP_FROM;
  }
}

async function invite(server, email) {
  const pool = await createPool(server);
  const { User } = await server.client.send(new AdminCreateUserCommand({
    UserPoolId: pool.Id,
    Username: uniq('mail'),
    DesiredDeliveryMediums: ['EMAIL'],
    UserAttributes: [{ Name: 'email', Value: email }],
  }));
  return { pool, user: User };
}

async function until(what, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('an invitation is delivered over SMTP and marked delivered in the outbox', async () => {
  const sink = await smtpSink();
  cleanup.push(sink.close);
  const server = await serverWithSmtp(sink.port);
  const email = uniqEmail('smtp');
  const { user } = await invite(server, email);

  await until('the SMTP sink to receive the invitation', () => sink.received.length > 0, 10_000);
  const [mail] = sink.received;
  assert.ok(mail.to.some((rcpt) => rcpt.includes(email)), `RCPT TO ${mail.to} is not ${email}`);
  assert.match(mail.from, /no-reply@cognate\.test/);
  const [queued] = await server.outbox({ to: email });
  assert.ok(queued.body.includes(user.Username), 'the outbox body names the user');
  assert.ok(mail.data.includes(user.Username), 'the mail carries the invitation text');
  assert.match(mail.data, /^Subject: /m);
  await until('the outbox to mark it delivered', async () => (await server.outbox({ to: email }))[0]?.delivered !== undefined, 5_000);
});

test('mail waits in the outbox while the SMTP server is down, and goes out when it is back', async () => {
  const port = await freePort();
  const server = await serverWithSmtp(port);
  const email = uniqEmail('later');
  await invite(server, email);
  await sleep(1_500);
  const [waiting] = await server.outbox({ to: email });
  assert.ok(waiting, 'the message is in the outbox');
  assert.equal(waiting.delivered, undefined, 'nothing could have been delivered yet');

  const sink = await smtpSink(port);
  cleanup.push(sink.close);
  await until('the retry to reach the SMTP server', () => sink.received.length > 0, 20_000);
  assert.ok(sink.received[0].to.some((rcpt) => rcpt.includes(email)));
});
