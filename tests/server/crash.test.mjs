// A server killed with SIGKILL in the middle of writes loses nothing it acknowledged and leaves no
// half-written user; a server told SIGTERM finishes what it accepted and exits cleanly. Every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AdminAddUserToGroupCommand, AdminCreateUserCommand, AdminGetUserCommand, AdminListGroupsForUserCommand,
  CreateGroupCommand, CreateUserPoolCommand, ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, cognateBin, createDatabase, dropDatabase, makeClient, sleep } from './harness.mjs';

/** Starts `cognate serve` on `dataDir` (and `dbUrl`); resolves once it listens. */
function serve(dataDir, dbUrl) {
  const args = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...(dbUrl ? ['--database-url', dbUrl] : [])];
  const child = spawn(cognateBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ child, endpoint: m[1], exited });
    });
    child.stderr.resume();
    child.on('exit', (code) => reject(new Error(`cognate exited early (${code})`)));
  });
}

async function client(dataDir, endpoint) {
  const text = await readFile(path.join(dataDir, 'admin-credentials'), 'utf8');
  const value = (k) => text.match(new RegExp(`${k}\\s*=\\s*(\\S+)`))[1];
  return makeClient(endpoint, { accessKeyId: value('aws_access_key_id'), secretAccessKey: value('aws_secret_access_key') });
}

for (const backend of backends()) {
  test(`SIGKILL mid-write loses nothing acknowledged; SIGTERM exits cleanly [${backend}]`, { timeout: 120_000 }, async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cognate-crash-'));
    const db = backend === 'postgres' ? await createDatabase() : null;
    t.after(async () => {
      if (db) await dropDatabase(db);
      await rm(dataDir, { recursive: true, force: true });
    });

    let server = await serve(dataDir, db?.url);
    let sdk = await client(dataDir, server.endpoint);
    const { UserPool } = await sdk.send(new CreateUserPoolCommand({ PoolName: 'crash', AliasAttributes: ['email'] }));
    const poolId = UserPool.Id;
    await sdk.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'crew' }));

    // Writers: create a user (with an email alias and index rows), then put them in the group.
    const created = new Set();
    const joined = new Set();
    let next = 0;
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const name = `u${next++}`;
        try {
          await sdk.send(new AdminCreateUserCommand({
            UserPoolId: poolId, Username: name, MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name: 'email', Value: `${name}@crash.test` }, { Name: 'email_verified', Value: 'true' }],
          }));
          created.add(name);
          await sdk.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: name, GroupName: 'crew' }));
          joined.add(name);
        } catch {
          if (stop) return;
        }
      }
    };
    const writers = Array.from({ length: 12 }, writer);
    while (created.size < 150) await sleep(10);
    server.child.kill('SIGKILL');
    stop = true;
    await server.exited;
    await Promise.allSettled(writers);
    sdk.destroy();

    server = await serve(dataDir, db?.url);
    sdk = await client(dataDir, server.endpoint);
    for (const name of created) {
      const user = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: name }));
      assert.equal(user.UserAttributes.find((a) => a.Name === 'email')?.Value, `${name}@crash.test`, `${name} lost its email`);
    }
    for (const name of joined) {
      const { Groups } = await sdk.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: name }));
      assert.deepEqual(Groups.map((g) => g.GroupName), ['crew'], `${name} lost its membership`);
    }
    // Every user that exists is whole: found by its email through the index and through its alias.
    const all = [];
    let token;
    do {
      const page = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, PaginationToken: token }));
      all.push(...page.Users);
      token = page.PaginationToken;
    } while (token);
    assert.ok(all.length >= created.size, `${all.length} users listed, ${created.size} acknowledged`);
    for (const user of all) {
      const email = user.Attributes.find((a) => a.Name === 'email')?.Value;
      assert.ok(email, `${user.Username} has no email`);
      const found = await sdk.send(new ListUsersCommand({ UserPoolId: poolId, Filter: `email = "${email}"` }));
      assert.deepEqual(found.Users.map((u) => u.Username), [user.Username], `${user.Username} missing from the index`);
      const byAlias = await sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }));
      assert.equal(byAlias.Username, user.Username);
    }

    // SIGTERM while requests are in flight: each one finishes or is refused as a connection, none fails
    // inside the server, and the process exits with status 0.
    const inflight = Array.from({ length: 30 }, (_, i) =>
      sdk.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: `late${i}`, MessageAction: 'SUPPRESS' }))
        .then(() => 'ok', (e) => (e.$metadata?.httpStatusCode >= 500 ? `5xx ${e.name}` : 'refused')));
    await sleep(5);
    server.child.kill('SIGTERM');
    const outcomes = await Promise.all(inflight);
    assert.ok(!outcomes.some((o) => o.startsWith('5xx')), outcomes.join(', '));
    const { code, signal } = await server.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    sdk.destroy();
  });
}
