// SQLite on a failing disk. The data directory is a small ext4 image, loop-mounted (this needs root,
// which the test machines give), and the disk fails while AdminCreateUser writes run:
//
// 1. It fills up. Writes in the fault answer InternalErrorException (nothing else: no timeout, no
//    reset), reads go on. When space returns the same process takes writes again, and no connection
//    is left holding SQLite's write lock (a second connection can take it). After a kill and a
//    restart every acknowledged user is there.
// 2. It turns read-only (ext4's own error handling with errors=remount-ro, triggered through
//    /sys/fs/ext4/<dev>/trigger_fs_error: a mount point with open files cannot be remounted by hand).
//    Writes answer InternalErrorException, reads go on; after a kill, a check of the image and a
//    restart every acknowledged user is there.
//
// "Acknowledged" means answered 200. A write the server acknowledged and then lost is the defect.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { AdminCreateUserCommand, AdminGetUserCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';

import { backends, createPool, sleep, startServer, strongPassword } from './harness.mjs';

const IMAGE_MB = 24;
const WRITERS = 4;
const RECOVERY_DEADLINE_MS = 20_000;

function sh(cmd, args) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** A fresh ext4 image mounted at a new directory; returns { dir, image, device, unmount, mount }. */
async function makeDisk() {
  const base = await mkdtemp(path.join(os.tmpdir(), 'cognate-disk-'));
  const image = path.join(base, 'disk.img');
  const dir = path.join(base, 'mnt');
  sh('truncate', ['-s', `${IMAGE_MB}M`, image]);
  sh('mkfs.ext4', ['-q', '-F', image]);
  execFileSync('mkdir', ['-p', dir]);
  const disk = {
    base,
    image,
    dir,
    device: null,
    mount() {
      sh('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
      const source = sh('findmnt', ['-n', '-o', 'SOURCE', dir]).trim();
      disk.device = path.basename(source);
    },
    unmount() {
      try {
        sh('umount', [dir]);
      } catch {
        // Already gone, or busy after a failed test: detach it lazily so nothing is left behind.
        try {
          sh('umount', ['-l', dir]);
        } catch {}
      }
    },
    async destroy() {
      disk.unmount();
      await rm(base, { recursive: true, force: true });
    },
  };
  disk.mount();
  return disk;
}

/**
 * Runs WRITERS loops of AdminCreateUser until stop(); every answer is recorded. Returns
 * { stop, acknowledged, refused, others } where `others` lists answers that are neither a 200 nor an
 * InternalErrorException.
 */
function startWriters(server, poolId, prefix) {
  const acknowledged = [];
  const refused = [];
  const others = [];
  let running = true;
  let n = 0;
  const loop = async () => {
    while (running) {
      const username = `${prefix}-${n++}`;
      try {
        await server.client.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username: username,
            TemporaryPassword: strongPassword(),
            MessageAction: 'SUPPRESS',
            UserAttributes: [{ Name: 'name', Value: 'x'.repeat(200) }],
          }),
        );
        acknowledged.push(username);
      } catch (err) {
        if (err.name === 'InternalErrorException' && err.$metadata?.httpStatusCode === 500) refused.push(username);
        else others.push(`${username}: ${err.name}: ${err.message}`);
        await sleep(20);
      }
    }
  };
  const loops = Array.from({ length: WRITERS }, loop);
  return {
    acknowledged,
    refused,
    others,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Fills the file system at `dir` until it refuses more bytes. */
async function fill(dir) {
  const file = path.join(dir, 'filler');
  const handle = await open(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) await handle.write(chunk);
  } catch (err) {
    assert.equal(err.code, 'ENOSPC', `filling the disk failed with ${err.code}`);
  } finally {
    await handle.close().catch(() => {});
  }
  return file;
}

/** Waits until `check()` resolves truthy, or fails with `what`. */
async function eventually(what, check, deadlineMs = RECOVERY_DEADLINE_MS) {
  const start = Date.now();
  let last;
  while (Date.now() - start < deadlineMs) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  assert.fail(`${what} within ${deadlineMs} ms${last ? ` (last error: ${last.name}: ${last.message})` : ''}`);
}

/** True when another connection can take SQLite's write lock on `db` at once. */
function writeLockFree(db) {
  const script =
    'import sqlite3,sys\n' +
    'c=sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)\n' +
    'try:\n c.execute("BEGIN IMMEDIATE"); c.execute("ROLLBACK"); print("free")\n' +
    'except sqlite3.OperationalError as e: print(e)\n';
  return sh('python3', ['-c', script, db]).trim() === 'free';
}

async function assertAllPresent(server, poolId, usernames) {
  const missing = [];
  for (const username of usernames) {
    try {
      await server.client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    } catch (err) {
      missing.push(`${username} (${err.name})`);
    }
  }
  assert.deepEqual(missing, [], `${missing.length} of ${usernames.length} acknowledged users are gone`);
}

const sqlite = backends().includes('sqlite');

describe('SQLite on a failing disk', { skip: !sqlite && 'SQLite is not among COGNATE_TEST_BACKENDS', timeout: 300_000 }, () => {
  const disks = [];
  const servers = [];
  after(async () => {
    for (const s of servers) await s.kill().catch(() => {});
    for (const d of disks) await d.destroy();
  });

  test('a full disk: refused writes, reads go on, recovery without a restart, nothing acknowledged is lost', async (t) => {
    const disk = await makeDisk();
    disks.push(disk);
    let server = await startServer('sqlite', { dataDir: disk.dir });
    servers.push(server);
    const pool = await createPool(server);
    const db = path.join(disk.dir, 'cognate.db');

    const before = startWriters(server, pool.Id, 'before');
    await sleep(500);
    const filler = await fill(disk.dir);
    // Keep writing into the full disk: SQLite may still find room in pages it already has, so some
    // writes succeed; the rest must be refused cleanly.
    await eventually('a write refused on the full disk', () => before.refused.length >= 5);
    await sleep(1000);
    await before.stop();
    assert.deepEqual(before.others, [], 'answers other than 200 or InternalErrorException');
    // Reads go on during the fault.
    const listed = await server.client.send(new ListUsersCommand({ UserPoolId: pool.Id, Limit: 5 }));
    assert.ok(Array.isArray(listed.Users));

    await rm(filler);
    // The same process takes writes again, promptly (not after waiting out a busy timeout).
    const afterFault = startWriters(server, pool.Id, 'after');
    await eventually('writes acknowledged again after space returned', () => afterFault.acknowledged.length >= 20);
    await afterFault.stop();
    assert.deepEqual(afterFault.others, [], 'answers other than 200 or InternalErrorException after the fault');
    // The idle server holds no write lock.
    await eventually('the idle server releasing SQLite\'s write lock', () => writeLockFree(db));

    const acknowledged = [...before.acknowledged, ...afterFault.acknowledged];
    await assertAllPresent(server, pool.Id, acknowledged);
    await server.kill('SIGKILL');
    server = await server.restart();
    servers.push(server);
    await assertAllPresent(server, pool.Id, acknowledged);
    t.diagnostic(
      `full disk: ${before.acknowledged.length} acknowledged and ${before.refused.length} refused around the fault, ` +
        `${afterFault.acknowledged.length} acknowledged after it; all ${acknowledged.length} acknowledged present after a restart`,
    );
    // Refused writes are not half there either: each is absent or whole.
    for (const username of before.refused.slice(0, 20)) {
      try {
        const user = await server.client.send(new AdminGetUserCommand({ UserPoolId: pool.Id, Username: username }));
        assert.equal(user.UserAttributes.find((a) => a.Name === 'name')?.Value, 'x'.repeat(200));
      } catch (err) {
        assert.equal(err.name, 'UserNotFoundException');
      }
    }
  });

  test('a disk turned read-only: refused writes, reads go on, nothing acknowledged is lost', async (t) => {
    const disk = await makeDisk();
    disks.push(disk);
    let server = await startServer('sqlite', { dataDir: disk.dir });
    servers.push(server);
    const pool = await createPool(server);

    const writers = startWriters(server, pool.Id, 'ro');
    await eventually('writes acknowledged before the fault', () => writers.acknowledged.length >= 20);
    await writeFile(`/sys/fs/ext4/${disk.device}/trigger_fs_error`, 'cognate disk-fault test\n');
    const refusedAtFault = writers.refused.length;
    await eventually('writes refused on the read-only disk', () => writers.refused.length >= refusedAtFault + 5);
    const listed = await server.client.send(new ListUsersCommand({ UserPoolId: pool.Id, Limit: 5 }));
    assert.ok(listed.Users.length > 0, 'reads go on while the disk is read-only');
    await writers.stop();
    assert.deepEqual(writers.others, [], 'answers other than 200 or InternalErrorException');

    await server.kill('SIGKILL');
    disk.unmount();
    // ext4 marked the image as having errors; check it as an operator would before mounting it again.
    try {
      sh('e2fsck', ['-f', '-y', disk.image]);
    } catch (err) {
      // e2fsck exits 1 when it fixed something; only 4 and above are failures.
      assert.ok(err.status < 4, `e2fsck failed: ${err.stdout}${err.stderr}`);
    }
    disk.mount();
    assert.ok((await readdir(disk.dir)).includes('cognate.db'));
    server = await server.restart();
    servers.push(server);
    await assertAllPresent(server, pool.Id, writers.acknowledged);
    t.diagnostic(
      `read-only disk: ${writers.acknowledged.length} acknowledged, ${writers.refused.length} refused; ` +
        `all acknowledged present after the check and a restart`,
    );
  });
});
