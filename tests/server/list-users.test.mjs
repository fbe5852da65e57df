// ListUsers: Filter (`=` and `^=` on the attributes Cognito allows), Limit, PaginationToken,
// AttributesToGet.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import {
  UUID_RE,
  assertRecentDate,
  attrMap,
  collectPages,
  createPool,
  createUser,
  rejectsWith,
  sorted,
  strongPassword,
  suite,
  uniq,
} from './harness.mjs';

const UNKNOWN_POOL = 'us-east-1_NoSuchP00';

const PEOPLE = {
  'lu-alpha-1': { email: 'alpha1@list.example.com', given_name: 'Ann', family_name: 'Archer', name: 'Ann Archer', phone_number: '+15550000001', preferred_username: 'annie', 'custom:tier': 'gold' },
  'lu-alpha-2': { email: 'alpha2@list.example.com', given_name: 'Andrew', family_name: 'Baker', phone_number: '+15550000002' },
  'lu-beta-1': { email: 'beta1@other.example.org', given_name: 'Bea', family_name: 'O"Neil' },
  'lu-beta-2': { email: 'beta2@other.example.org', given_name: 'Ben' }, // gets a permanent password → CONFIRMED
  'lu-gamma': { email: 'gamma@list.example.com', given_name: 'Gus' }, // disabled
};
const ALL = Object.keys(PEOPLE).sort();

suite('ListUsers', (s) => {
  // One pool with five users, shared by the tests below. A failure to build it fails each test
  // (through poolId()) instead of cancelling them.
  const fx = { pool: null, subs: {}, error: null };
  before(async () => {
    try {
      fx.pool = await createPool(s, { Schema: [{ Name: 'tier', AttributeDataType: 'String', Mutable: true }] });
      for (const [username, attrs] of Object.entries(PEOPLE)) {
        const user = await createUser(s, fx.pool.Id, username, attrs);
        fx.subs[username] = attrMap(user.Attributes).sub;
      }
      await s.client.send(new AdminSetUserPasswordCommand({ UserPoolId: fx.pool.Id, Username: 'lu-beta-2', Password: strongPassword(), Permanent: true }));
      await s.client.send(new AdminDisableUserCommand({ UserPoolId: fx.pool.Id, Username: 'lu-gamma' }));
    } catch (err) {
      fx.error = err;
    }
  });
  const poolId = () => {
    if (fx.error) throw new Error(`ListUsers fixture could not be built: ${fx.error.name}: ${fx.error.message}`);
    return fx.pool.Id;
  };

  const list = (input = {}) => s.client.send(new ListUsersCommand({ UserPoolId: poolId(), ...input }));
  const names = (users) => sorted(users.map((u) => u.Username));

  test('without a filter every user is listed with its status, flags, dates and attributes', async () => {
    const { Users, PaginationToken } = await list();
    assert.deepEqual(names(Users), ALL);
    assert.equal(PaginationToken, undefined, 'five users fit in one default page');
    const byName = Object.fromEntries(Users.map((u) => [u.Username, u]));
    for (const u of Users) {
      assertRecentDate(u.UserCreateDate, `${u.Username}.UserCreateDate`);
      assertRecentDate(u.UserLastModifiedDate, `${u.Username}.UserLastModifiedDate`);
      const a = attrMap(u.Attributes);
      assert.match(a.sub ?? '', UUID_RE);
      assert.equal(a.sub, fx.subs[u.Username]);
      assert.equal(a.email, PEOPLE[u.Username].email);
    }
    assert.equal(byName['lu-beta-2'].UserStatus, 'CONFIRMED');
    assert.equal(byName['lu-alpha-1'].UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(byName['lu-gamma'].Enabled, false);
    assert.equal(byName['lu-alpha-1'].Enabled, true);
    assert.equal(attrMap(byName['lu-alpha-1'].Attributes)['custom:tier'], 'gold');
  });

  test('an empty filter string lists every user', async () => {
    // documented: "If the filter string is empty, ListUsers returns all users in the user pool."
    assert.deepEqual(names((await list({ Filter: '' })).Users), ALL);
  });

  const cases = () => [
    ['username = "lu-alpha-1"', ['lu-alpha-1']],
    ['username ^= "lu-alpha"', ['lu-alpha-1', 'lu-alpha-2']],
    ['username ^= "lu-"', ALL],
    ['email = "beta1@other.example.org"', ['lu-beta-1']],
    ['email="beta1@other.example.org"', ['lu-beta-1']],
    ['email ^= "alpha"', ['lu-alpha-1', 'lu-alpha-2']],
    ['email ^= "gamma"', ['lu-gamma']],
    ['email = "nobody@nowhere.example"', []],
    ['phone_number = "+15550000002"', ['lu-alpha-2']],
    ['phone_number ^= "+1555000000"', ['lu-alpha-1', 'lu-alpha-2']],
    ['given_name ^= "An"', ['lu-alpha-1', 'lu-alpha-2']],
    ['given_name = "An"', []],
    ['family_name = "Baker"', ['lu-alpha-2']],
    ['family_name = "O\\"Neil"', ['lu-beta-1']],
    ['name = "Ann Archer"', ['lu-alpha-1']],
    ['preferred_username = "annie"', ['lu-alpha-1']],
    [`sub = "${fx.subs['lu-beta-1']}"`, ['lu-beta-1']],
    ['cognito:user_status = "CONFIRMED"', ['lu-beta-2']],
    // documented: cognito:user_status is matched case-insensitively
    ['cognito:user_status = "force_change_password"', ['lu-alpha-1', 'lu-alpha-2', 'lu-beta-1', 'lu-gamma']],
    ['status = "Disabled"', ['lu-gamma']],
    ['status = "Enabled"', ['lu-alpha-1', 'lu-alpha-2', 'lu-beta-1', 'lu-beta-2']],
  ];

  test('Filter with = and ^= on each searchable attribute returns exactly the matching users', async () => {
    for (const [filter, expected] of cases()) {
      const { Users } = await list({ Filter: filter });
      assert.deepEqual(names(Users), sorted(expected), `Filter ${filter}`);
    }
  });

  test('Filter rejects what Cognito cannot search with InvalidParameterException', async () => {
    const bad = [
      'custom:tier = "gold"', // documented: custom attributes aren't searchable
      'locale = "en"', // not in the documented list of searchable attributes
      'email != "alpha1@list.example.com"',
      'email = alpha1@list.example.com',
      'email',
      'email = "alpha1@list.example.com" and name = "Ann Archer"', // documented: one attribute at a time
    ];
    for (const filter of bad) {
      await rejectsWith(list({ Filter: filter }), 'InvalidParameterException', undefined, `Filter ${filter}`);
    }
    // cognito's wording: one sentence for a malformed filter, another for an unsearchable attribute.
    for (const filter of ['username = foo', 'username=']) {
      await rejectsWith(list({ Filter: filter }), 'InvalidParameterException', /^Error while parsing filter$/, `Filter ${filter}`);
    }
    await rejectsWith(list({ Filter: 'custom:foo = "bar"' }), 'InvalidParameterException', /^Invalid search attribute: custom:foo$/);
  });

  test('Limit and PaginationToken page through every user exactly once', async () => {
    const pages = await collectPages(async (token) => {
      const out = await list({ Limit: 2, PaginationToken: token });
      return { items: out.Users, next: out.PaginationToken };
    });
    for (const page of pages) assert.ok(page.length <= 2, `page of ${page.length} with Limit 2`);
    assert.ok(pages.length >= 3, `5 users in pages of 2 need 3+ pages, got ${pages.length}`);
    const all = pages.flat().map((u) => u.Username);
    assert.equal(new Set(all).size, all.length, 'a user appeared on two pages');
    assert.deepEqual(sorted(all), ALL);
  });

  test('pagination works together with a filter', async () => {
    const pages = await collectPages(async (token) => {
      const out = await list({ Limit: 1, Filter: 'email ^= "alpha"', PaginationToken: token });
      return { items: out.Users, next: out.PaginationToken };
    });
    for (const page of pages) assert.ok(page.length <= 1);
    assert.deepEqual(names(pages.flat()), ['lu-alpha-1', 'lu-alpha-2']);
  });

  test('Limit above 60 is InvalidParameterException', async () => {
    // documented: Limit is at most 60
    await rejectsWith(list({ Limit: 61 }), 'InvalidParameterException');
  });

  test('AttributesToGet returns only the attributes asked for', async () => {
    const { Users } = await list({ AttributesToGet: ['email'] });
    assert.deepEqual(names(Users), ALL);
    for (const u of Users) {
      assert.deepEqual(Object.keys(attrMap(u.Attributes)), ['email'], `${u.Username} has ${JSON.stringify(u.Attributes)}`);
      assert.equal(attrMap(u.Attributes).email, PEOPLE[u.Username].email);
      assert.ok(u.UserStatus && typeof u.Enabled === 'boolean', 'the user fields stay');
    }
    const { Users: two } = await list({ AttributesToGet: ['sub', 'email'], Filter: 'username = "lu-alpha-1"' });
    assert.equal(two.length, 1);
    assert.deepEqual(sorted(Object.keys(attrMap(two[0].Attributes))), ['email', 'sub']);
    assert.equal(attrMap(two[0].Attributes).sub, fx.subs['lu-alpha-1']);
  });

  test('AttributesToGet naming an attribute outside the schema is InvalidParameterException', async () => {
    // cognito: attribute names are checked against the pool schema
    await rejectsWith(list({ AttributesToGet: ['custom:nope'] }), 'InvalidParameterException');
  });

  test('deleted users are no longer listed', async () => {
    const pool = await createPool(s);
    const listIn = (filter) => s.client.send(new ListUsersCommand({ UserPoolId: pool.Id, Filter: filter }));
    const username = uniq('lu-temp');
    await createUser(s, pool.Id, username, { email: `${username}@list.example.com` });
    await createUser(s, pool.Id, uniq('lu-stays'));
    assert.equal((await listIn(`username = "${username}"`)).Users.length, 1);
    await s.client.send(new AdminDeleteUserCommand({ UserPoolId: pool.Id, Username: username }));
    assert.equal((await listIn(`username = "${username}"`)).Users.length, 0);
    assert.equal((await listIn(`email = "${username}@list.example.com"`)).Users.length, 0);
    assert.equal((await listIn('')).Users.length, 1);
  });

  test('ListUsers of an unknown pool is ResourceNotFoundException', async () => {
    await rejectsWith(s.client.send(new ListUsersCommand({ UserPoolId: UNKNOWN_POOL })), 'ResourceNotFoundException');
  });

  test('users of other pools are never listed', async () => {
    const other = await createPool(s);
    poolId();
    await createUser(s, other.Id, 'lu-alpha-1', { email: 'alpha1@list.example.com' });
    const { Users } = await s.client.send(new ListUsersCommand({ UserPoolId: other.Id }));
    assert.deepEqual(names(Users), ['lu-alpha-1']);
    assert.notEqual(attrMap(Users[0].Attributes).sub, fx.subs['lu-alpha-1']);
    assert.deepEqual(names((await list()).Users), ALL);
  });
});
