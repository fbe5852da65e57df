// HTTPS from `cognate serve` itself: `--tls-self-signed` (a development certificate kept under the
// data directory) and `--tls-cert`/`--tls-key`. Amplify builds https:// URLs from the OAuth domain,
// so a local Cognate has to speak TLS; these tests check the certificate really verifies (with the
// generated certificate as the only trusted CA), that plain HTTP is not served on the port, that
// issuer and discovery say https, and that a key that does not fit its certificate stops the start.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';

import { backends, startServer } from './harness.mjs';

function get(url, options = {}) {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, options, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

const backend = backends()[0];

test(`--tls-self-signed serves HTTPS that verifies against the generated certificate [${backend}]`, async () => {
  const server = await startServer(backend, { args: ['--tls-self-signed'] });
  try {
    assert.match(server.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(path.join(server.dataDir, 'tls', 'dev-cert.pem'));
    const health = await get(`${server.endpoint}/health`, { ca });
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok');
    // Without the certificate trusted, the handshake fails: it is not silently plain text.
    await assert.rejects(get(`${server.endpoint}/health`), /self[- ]signed|certificate/i);
    await assert.rejects(get(`http://127.0.0.1:${server.port}/health`), 'plain HTTP is not served');

    // The same certificate after a restart (browsers that accepted it once keep working).
    await server.kill('SIGTERM');
    const again = await server.restart();
    try {
      assert.deepEqual(await readFile(path.join(again.dataDir, 'tls', 'dev-cert.pem')), ca);
      assert.equal((await get(`${again.endpoint}/health`, { ca })).status, 200);
    } finally {
      await again.stop();
    }
  } finally {
    await server.stop();
  }
});

test(`--tls-cert with a key that does not fit it stops the start with a message [${backend}]`, async () => {
  const first = await startServer(backend, { args: ['--tls-self-signed'] });
  const dir = first.dataDir;
  const cert = path.join(dir, 'tls', 'dev-cert.pem');
  const other = path.join(dir, 'other-key.pem');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(other, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await first.kill('SIGTERM');
  try {
    await assert.rejects(
      startServer(backend, { dataDir: dir, args: ['--tls-cert', cert, '--tls-key', other] }),
      /exited before it was ready[\s\S]*TLS/,
    );
    const ok = await startServer(backend, {
      dataDir: dir,
      args: ['--tls-cert', cert, '--tls-key', path.join(dir, 'tls', 'dev-key.pem')],
    });
    try {
      assert.equal((await get(`${ok.endpoint}/health`, { ca: await readFile(cert) })).status, 200);
    } finally {
      await ok.stop();
    }
  } finally {
    await first.stop();
  }
});
