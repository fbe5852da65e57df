// Overload and idle connections, on SQLite (the limits live in the HTTP layer, above the store):
// work beyond COGNATE_MAX_IN_FLIGHT is shed at once with TooManyRequestsException while the rest is
// served; a connection that sends no complete request head within COGNATE_IDLE_TIMEOUT_SECONDS (new,
// slow, or idle between keep-alive requests) is closed by the server.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { JSON_CONTENT_TYPE, TARGET_PREFIX, createClient, createPool, startServer } from './harness.mjs';

const IN_FLIGHT = 2;
const IDLE_SECONDS = 2;

/** One InitiateAuth (USER_SRP_AUTH, an unknown user: the server still does the SRP work) on a connection of its own. */
function srpStart(port, clientId) {
  const body = JSON.stringify({
    ClientId: clientId,
    AuthFlow: 'USER_SRP_AUTH',
    AuthParameters: { USERNAME: `nobody-${Math.random()}`, SRP_A: 'ab'.repeat(384) },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: false,
        headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}.InitiateAuth`, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a socket, writes `text`, and resolves with the ms until the server closed it (or rejects after `limitMs`). */
function closedAfter(port, text, limitMs, afterConnect) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', async () => {
      if (afterConnect) await afterConnect(socket);
      if (text) socket.write(text);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${limitMs} ms`));
    }, limitMs);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('limits [sqlite]', { timeout: 120_000 }, () => {
  let server;
  let clientId;
  before(async () => {
    process.env.COGNATE_MAX_IN_FLIGHT = String(IN_FLIGHT);
    process.env.COGNATE_IDLE_TIMEOUT_SECONDS = String(IDLE_SECONDS);
    try {
      server = await startServer('sqlite');
    } finally {
      delete process.env.COGNATE_MAX_IN_FLIGHT;
      delete process.env.COGNATE_IDLE_TIMEOUT_SECONDS;
    }
    const pool = await createPool(server);
    clientId = (await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })).ClientId;
  });
  after(() => server?.stop());

  test('work beyond the in-flight bound is shed at once; the rest is served', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => srpStart(server.port, clientId)));
    const served = answers.filter((a) => a.status === 200);
    const shed = answers.filter((a) => a.json?.__type === 'TooManyRequestsException');
    const other = answers.filter((a) => a.status !== 200 && a.json?.__type !== 'TooManyRequestsException');
    assert.deepEqual(other, [], 'every answer is a challenge or TooManyRequestsException');
    assert.ok(shed.length > 0, `40 concurrent sign-ins with ${IN_FLIGHT} in flight: none was shed`);
    assert.ok(served.length >= IN_FLIGHT, `only ${served.length} served`);
    assert.equal(shed[0].status, 429);
    // Once the burst is over, requests are served again.
    assert.equal((await srpStart(server.port, clientId)).status, 200);
  });

  test('a connection that sends nothing is closed', async () => {
    const ms = await closedAfter(server.port, '', 15_000);
    assert.ok(ms >= (IDLE_SECONDS - 1) * 1000, `closed after ${ms} ms, before the idle timeout`);
  });

  test('a slow sender that never finishes its request head is closed', async () => {
    await closedAfter(server.port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 15_000, async (socket) => {
      // A byte every 500 ms keeps it busy without ever finishing the head.
      const drip = setInterval(() => socket.writable && socket.write('a'), 500);
      socket.on('close', () => clearInterval(drip));
    });
  });

  test('an idle keep-alive connection is closed after its last answer', async () => {
    const request = `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`;
    const ms = await closedAfter(server.port, request, 15_000);
    assert.ok(ms >= (IDLE_SECONDS - 1) * 1000, `closed after ${ms} ms`);
  });
});
