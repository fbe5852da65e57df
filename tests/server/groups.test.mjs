// Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, AdminAddUserToGroup,
// AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
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
  suite,
  uniq,
  uniqEmail,
} from './harness.mjs';

const UNKNOWN_POOL = 'us-east-1_NoSuchP00';
const ROLE = 'arn:aws:iam::123456789012:role/CognateAdmins';
const ROLE2 = 'arn:aws:iam::123456789012:role/CognateReaders';

suite('groups', (s) => {
  const send = (cmd) => s.client.send(cmd);
  const getGroup = async (poolId, name) => (await send(new GetGroupCommand({ UserPoolId: poolId, GroupName: name }))).Group;
  const groupsOf = async (poolId, username) =>
    sorted((await send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: username }))).Groups.map((g) => g.GroupName));
  const membersOf = async (poolId, group) =>
    sorted((await send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: group }))).Users.map((u) => u.Username));
  const add = (poolId, username, group) => send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }));
  const remove = (poolId, username, group) => send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }));

  test('CreateGroup returns the group with Precedence, RoleArn, Description and dates; GetGroup agrees', async () => {
    const pool = await createPool(s);
    const name = uniq('admins');
    const { Group } = await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: name, Description: 'The admins', RoleArn: ROLE, Precedence: 1 }));
    assert.equal(Group.GroupName, name);
    assert.equal(Group.UserPoolId, pool.Id);
    assert.equal(Group.Description, 'The admins');
    assert.equal(Group.RoleArn, ROLE);
    assert.equal(Group.Precedence, 1);
    assertRecentDate(Group.CreationDate, 'CreationDate');
    assertRecentDate(Group.LastModifiedDate, 'LastModifiedDate');

    const got = await getGroup(pool.Id, name);
    assert.deepEqual(
      { ...got, CreationDate: got.CreationDate.getTime(), LastModifiedDate: got.LastModifiedDate.getTime() },
      { ...Group, CreationDate: Group.CreationDate.getTime(), LastModifiedDate: Group.LastModifiedDate.getTime() },
    );

    // Only GroupName is required; Precedence is then null (documented default).
    const bare = await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: uniq('bare') }));
    assert.equal(bare.Group.Precedence, undefined);
    assert.equal(bare.Group.RoleArn, undefined);
  });

  test('CreateGroup: a taken name is GroupExistsException, even per pool only', async () => {
    const pool = await createPool(s);
    const name = uniq('dup');
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: name }));
    await rejectsWith(send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: name, Description: 'again' })), 'GroupExistsException');
    assert.equal((await getGroup(pool.Id, name)).Description, undefined, 'the failed create changed the group');
    // Group names are unique per pool, not globally.
    const other = await createPool(s);
    const { Group } = await send(new CreateGroupCommand({ UserPoolId: other.Id, GroupName: name }));
    assert.equal(Group.UserPoolId, other.Id);
  });

  test('CreateGroup rejects bad input and unknown pools', async () => {
    const pool = await createPool(s);
    // documented ArnType / Precedence (non-negative, at most 2^31-1)
    await rejectsWith(send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: uniq('g'), RoleArn: 'not-an-arn' })), 'InvalidParameterException');
    await rejectsWith(send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: uniq('g'), Precedence: -1 })), 'InvalidParameterException');
    await rejectsWith(send(new CreateGroupCommand({ UserPoolId: pool.Id })), 'InvalidParameterException');
    await rejectsWith(send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: 'g'.repeat(129) })), 'InvalidParameterException');
    await rejectsWith(send(new CreateGroupCommand({ UserPoolId: UNKNOWN_POOL, GroupName: 'g' })), 'ResourceNotFoundException');
    const { Groups } = await send(new ListGroupsCommand({ UserPoolId: pool.Id }));
    assert.equal(Groups.length, 0, 'a rejected group was created');
  });

  test('GetGroup of an unknown group or pool is ResourceNotFoundException', async () => {
    const pool = await createPool(s);
    await rejectsWith(getGroup(pool.Id, uniq('nothing')), 'ResourceNotFoundException');
    await rejectsWith(getGroup(UNKNOWN_POOL, 'x'), 'ResourceNotFoundException');
  });

  test('UpdateGroup changes Description, Precedence and RoleArn and keeps the creation date', async () => {
    const pool = await createPool(s);
    const name = uniq('upd');
    const { Group: created } = await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: name, Description: 'old', RoleArn: ROLE, Precedence: 5 }));
    const { Group: updated } = await send(
      new UpdateGroupCommand({ UserPoolId: pool.Id, GroupName: name, Description: 'new', RoleArn: ROLE2, Precedence: 2 }),
    );
    assert.equal(updated.Description, 'new');
    assert.equal(updated.Precedence, 2);
    assert.equal(updated.RoleArn, ROLE2);
    const got = await getGroup(pool.Id, name);
    assert.equal(got.Description, 'new');
    assert.equal(got.Precedence, 2);
    assert.equal(got.RoleArn, ROLE2);
    assert.equal(got.CreationDate.getTime(), created.CreationDate.getTime());
    assert.ok(got.LastModifiedDate.getTime() >= created.LastModifiedDate.getTime());

    await rejectsWith(send(new UpdateGroupCommand({ UserPoolId: pool.Id, GroupName: uniq('nothing'), Description: 'x' })), 'ResourceNotFoundException');
    await rejectsWith(send(new UpdateGroupCommand({ UserPoolId: pool.Id, GroupName: name, RoleArn: 'nope' })), 'InvalidParameterException');
    assert.equal((await getGroup(pool.Id, name)).RoleArn, ROLE2, 'a rejected update changed the group');
  });

  test('ListGroups pages with Limit and NextToken', async () => {
    const pool = await createPool(s);
    const created = [];
    for (let i = 0; i < 5; i++) {
      const name = uniq('lg');
      created.push(name);
      await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: name, Precedence: i }));
    }
    const pages = await collectPages(async (token) => {
      const out = await send(new ListGroupsCommand({ UserPoolId: pool.Id, Limit: 2, NextToken: token }));
      return { items: out.Groups, next: out.NextToken };
    });
    for (const page of pages) assert.ok(page.length <= 2, `page of ${page.length} with Limit 2`);
    assert.ok(pages.length >= 3, `5 groups in pages of 2 need 3 pages, got ${pages.length}`);
    const listed = pages.flat();
    assert.deepEqual(sorted(listed.map((g) => g.GroupName)), sorted(created));
    for (const g of listed) {
      assert.equal(g.UserPoolId, pool.Id);
      assert.equal(g.Precedence, created.indexOf(g.GroupName));
    }
    // documented: Limit is at most 60
    await rejectsWith(send(new ListGroupsCommand({ UserPoolId: pool.Id, Limit: 61 })), 'InvalidParameterException');
    await rejectsWith(send(new ListGroupsCommand({ UserPoolId: UNKNOWN_POOL })), 'ResourceNotFoundException');
  });

  test('membership: add, list both ways, add again is harmless, remove', async () => {
    const pool = await createPool(s);
    const username = uniq('member');
    const user = await createUser(s, pool.Id, username, { email: uniqEmail('member') });
    const bystander = uniq('bystander');
    await createUser(s, pool.Id, bystander);
    const g1 = uniq('g1');
    const g2 = uniq('g2');
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: g1, Precedence: 3, RoleArn: ROLE }));
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: g2 }));

    assert.deepEqual(await groupsOf(pool.Id, username), []);
    await add(pool.Id, username, g1);
    await add(pool.Id, username, g2);
    // cognito: adding a member again succeeds and changes nothing
    await add(pool.Id, username, g1);

    const { Groups } = await send(new AdminListGroupsForUserCommand({ UserPoolId: pool.Id, Username: username }));
    assert.deepEqual(sorted(Groups.map((g) => g.GroupName)), sorted([g1, g2]));
    const one = Groups.find((g) => g.GroupName === g1);
    assert.equal(one.Precedence, 3);
    assert.equal(one.RoleArn, ROLE);
    assert.equal(one.UserPoolId, pool.Id);

    const { Users } = await send(new ListUsersInGroupCommand({ UserPoolId: pool.Id, GroupName: g1 }));
    assert.deepEqual(Users.map((u) => u.Username), [username]);
    assert.equal(Users[0].Enabled, true);
    assert.equal(Users[0].UserStatus, 'FORCE_CHANGE_PASSWORD');
    const a = attrMap(Users[0].Attributes);
    assert.match(a.sub, UUID_RE);
    assert.equal(a.sub, attrMap(user.Attributes).sub);
    assertRecentDate(Users[0].UserCreateDate, 'UserCreateDate');
    assert.deepEqual(await groupsOf(pool.Id, bystander), []);

    await remove(pool.Id, username, g1);
    assert.deepEqual(await groupsOf(pool.Id, username), [g2]);
    assert.deepEqual(await membersOf(pool.Id, g1), []);
    assert.deepEqual(await membersOf(pool.Id, g2), [username]);
  });

  test('membership calls: unknown user is UserNotFoundException, unknown group ResourceNotFoundException', async () => {
    const pool = await createPool(s);
    const username = uniq('m');
    await createUser(s, pool.Id, username);
    const group = uniq('g');
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: group }));

    await rejectsWith(add(pool.Id, uniq('nobody'), group), 'UserNotFoundException');
    await rejectsWith(add(pool.Id, username, uniq('nogroup')), 'ResourceNotFoundException');
    await rejectsWith(add(UNKNOWN_POOL, username, group), 'ResourceNotFoundException');
    await rejectsWith(remove(pool.Id, uniq('nobody'), group), 'UserNotFoundException');
    await rejectsWith(remove(pool.Id, username, uniq('nogroup')), 'ResourceNotFoundException');
    await rejectsWith(send(new AdminListGroupsForUserCommand({ UserPoolId: pool.Id, Username: uniq('nobody') })), 'UserNotFoundException');
    await rejectsWith(send(new ListUsersInGroupCommand({ UserPoolId: pool.Id, GroupName: uniq('nogroup') })), 'ResourceNotFoundException');
    await rejectsWith(send(new ListUsersInGroupCommand({ UserPoolId: UNKNOWN_POOL, GroupName: group })), 'ResourceNotFoundException');
  });

  test('DeleteGroup removes the group and its memberships', async () => {
    const pool = await createPool(s);
    const username = uniq('m');
    await createUser(s, pool.Id, username);
    const doomed = uniq('doomed');
    const kept = uniq('kept');
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: doomed }));
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: kept }));
    await add(pool.Id, username, doomed);
    await add(pool.Id, username, kept);

    await send(new DeleteGroupCommand({ UserPoolId: pool.Id, GroupName: doomed }));
    await rejectsWith(getGroup(pool.Id, doomed), 'ResourceNotFoundException');
    await rejectsWith(send(new DeleteGroupCommand({ UserPoolId: pool.Id, GroupName: doomed })), 'ResourceNotFoundException');
    assert.deepEqual(await groupsOf(pool.Id, username), [kept]);
    assert.deepEqual(sorted((await send(new ListGroupsCommand({ UserPoolId: pool.Id }))).Groups.map((g) => g.GroupName)), [kept]);

    // A new group with the old name starts empty.
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: doomed }));
    assert.deepEqual(await membersOf(pool.Id, doomed), []);
  });

  test('deleting a user drops them from their groups', async () => {
    const pool = await createPool(s);
    const group = uniq('g');
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: group }));
    const stays = uniq('stays');
    const leaves = uniq('leaves');
    await createUser(s, pool.Id, stays);
    await createUser(s, pool.Id, leaves);
    await add(pool.Id, stays, group);
    await add(pool.Id, leaves, group);
    await send(new AdminDeleteUserCommand({ UserPoolId: pool.Id, Username: leaves }));
    assert.deepEqual(await membersOf(pool.Id, group), [stays]);
  });

  test('ListUsersInGroup and AdminListGroupsForUser page with Limit and NextToken', async () => {
    const pool = await createPool(s);
    const group = uniq('big');
    await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: group }));
    const members = [];
    for (let i = 0; i < 5; i++) {
      const u = uniq('pm');
      members.push(u);
      await createUser(s, pool.Id, u);
      await add(pool.Id, u, group);
    }
    const userPages = await collectPages(async (token) => {
      const out = await send(new ListUsersInGroupCommand({ UserPoolId: pool.Id, GroupName: group, Limit: 2, NextToken: token }));
      return { items: out.Users, next: out.NextToken };
    });
    for (const page of userPages) assert.ok(page.length <= 2);
    assert.ok(userPages.length >= 3, `5 members in pages of 2 need 3 pages, got ${userPages.length}`);
    assert.deepEqual(sorted(userPages.flat().map((u) => u.Username)), sorted(members));

    const groups = [group];
    for (let i = 0; i < 2; i++) {
      const g = uniq('pg');
      groups.push(g);
      await send(new CreateGroupCommand({ UserPoolId: pool.Id, GroupName: g }));
      await add(pool.Id, members[0], g);
    }
    const groupPages = await collectPages(async (token) => {
      const out = await send(new AdminListGroupsForUserCommand({ UserPoolId: pool.Id, Username: members[0], Limit: 2, NextToken: token }));
      return { items: out.Groups, next: out.NextToken };
    });
    for (const page of groupPages) assert.ok(page.length <= 2);
    assert.ok(groupPages.length >= 2, `3 groups in pages of 2 need 2 pages, got ${groupPages.length}`);
    assert.deepEqual(sorted(groupPages.flat().map((g) => g.GroupName)), sorted(groups));
  });
});
