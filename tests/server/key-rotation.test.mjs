// Signing-key rotation: `cognate keys rotate` publishes a new key at once; it starts signing only
// after the overlap window (2 s here), and tokens signed by the old key keep verifying. Every backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, GetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, cognateBin, startServer, createPool, createClient, uniq, sleep } from './harness.mjs';

const run = promisify(execFile);
const kidOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;

for (const backend of backends()) {
  test(`signing keys rotate with an overlap window [${backend}]`, async (t) => {
    process.env.COGNATE_KEY_OVERLAP_SECONDS = '2';
    const server = await startServer(backend).finally(() => delete process.env.COGNATE_KEY_OVERLAP_SECONDS);
    t.after(() => server.stop());
    const send = (cmd) => server.client.send(cmd);
    const pool = await createPool(server);
    const client = await createClient(server, pool.Id, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const username = uniq('rot');
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, MessageAction: 'SUPPRESS' }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: 'Rotate-Pass-1', Permanent: true }));
    const signIn = async () => (await send(new InitiateAuthCommand({ ClientId: client.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Rotate-Pass-1' } }))).AuthenticationResult;
    const jwks = async () => (await (await fetch(`${server.endpoint}/${pool.Id}/.well-known/jwks.json`)).json()).keys.map((k) => k.kid);

    const before = await signIn();
    const oldKid = kidOf(before.AccessToken);
    assert.deepEqual(await jwks(), [oldKid]);

    const dbArgs = server.databaseUrl ? ['--database-url', server.databaseUrl] : [];
    const { stdout } = await run(cognateBin(), ['keys', 'rotate', '--data-dir', server.dataDir, ...dbArgs, '--pool', pool.Id]);
    const newKid = stdout.trim();
    assert.ok(newKid && newKid !== oldKid);
    assert.deepEqual((await jwks()).sort(), [oldKid, newKid].sort(), 'the new key is published at once');
    assert.equal(kidOf((await signIn()).AccessToken), oldKid, 'and does not sign during the overlap');

    await sleep(7_500); // the 2 s overlap, and the servers' 5 s key cache
    const after = await signIn();
    assert.equal(kidOf(after.AccessToken), newKid, 'after the overlap the new key signs');
    assert.equal((await send(new GetUserCommand({ AccessToken: before.AccessToken }))).Username, username, 'old tokens still verify');
    assert.equal((await send(new GetUserCommand({ AccessToken: after.AccessToken }))).Username, username);
    const { stderr } = await run(cognateBin(), ['keys', 'rotate', '--data-dir', server.dataDir, ...dbArgs, '--pool', 'us-east-1_nosuchpol']).catch((e) => e);
    assert.match(stderr, /does not exist/);
  });
}
