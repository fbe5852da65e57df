// Users: AdminCreateUser (temporary passwords, MessageAction, DesiredDeliveryMediums → outbox),
// AdminGetUser, AdminDeleteUser, AdminEnableUser, AdminDisableUser, AdminSetUserPassword,
// AdminResetUserPassword, AdminConfirmSignUp, AdminUpdateUserAttributes, AdminDeleteUserAttributes,
// and the attribute / username / alias rules behind them.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import {
  UUID_RE,
  assertOutboxMessage,
  assertRecentDate,
  attrList,
  attrMap,
  createClient,
  createPool,
  createUser,
  rejectsWith,
  strongPassword,
  suite,
  uniq,
  uniqEmail,
} from './harness.mjs';

const UNKNOWN_POOL = 'us-east-1_NoSuchP00';
const POLICY = { MinimumLength: 10, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true };

// One password per rule it breaks, for POLICY, and how the message must name that rule.
const BAD_PASSWORDS = [
  ['Aa1!aaa', /long|length|short|characters? minimum|at least/i, 'too short'],
  ['abcdefgh1!xy', /upper/i, 'no uppercase'],
  ['ABCDEFGH1!XY', /lower/i, 'no lowercase'],
  ['Abcdefghi!xy', /numer|number|digit/i, 'no number'],
  ['Abcdefgh1xyz', /symbol|special/i, 'no symbol'],
];

suite('users', (s) => {
  const send = (cmd) => s.client.send(cmd);
  const getUser = (poolId, username) => send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));

  /** The pool most user tests use: a strict policy, constrained custom attributes, case-insensitive names. */
  const stdPool = (extra = {}) =>
    createPool(s, {
      Policies: { PasswordPolicy: POLICY },
      Schema: [
        { Name: 'tier', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '2', MaxLength: '8' } },
        { Name: 'level', AttributeDataType: 'Number', Mutable: true, NumberAttributeConstraints: { MinValue: '1', MaxValue: '10' } },
        { Name: 'badge', AttributeDataType: 'String', Mutable: false },
      ],
      AutoVerifiedAttributes: ['email'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      UsernameConfiguration: { CaseSensitive: false },
      ...extra,
    });

  /** A pool whose invitation uses a template we can parse the temporary password out of. */
  const templatePool = (extra = {}) =>
    createPool(s, {
      Policies: { PasswordPolicy: { ...POLICY, MinimumLength: 14 } },
      // documented: custom invitation email text needs EmailSendingAccount DEVELOPER
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/noreply@example.com',
        From: 'noreply@example.com',
      },
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/CognitoSms', ExternalId: 'cognate-test' },
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: true,
        InviteMessageTemplate: {
          EmailSubject: 'Welcome to the Cognate tests',
          EmailMessage: 'Hello {username}, your temporary password is PW[{####}] - sign in soon.',
          SMSMessage: 'User {username} PW[{####}] end',
        },
      },
      ...extra,
    });
  const parseInvite = (body) => {
    const m = /Hello (\S+), your temporary password is PW\[(.+)\] - sign in soon\.\s*$/s.exec(body);
    assert.ok(m, `invitation does not follow the pool's InviteMessageTemplate: ${JSON.stringify(body)}`);
    return { username: m[1], password: m[2] };
  };

  // ---------------------------------------------------------------------------------------------
  // AdminCreateUser / AdminGetUser

  test('AdminCreateUser creates an enabled FORCE_CHANGE_PASSWORD user with a UUID sub; AdminGetUser agrees', async () => {
    const pool = await stdPool();
    const username = uniq('alice');
    const email = uniqEmail('alice');
    const { User } = await send(
      new AdminCreateUserCommand({
        UserPoolId: pool.Id,
        Username: username,
        TemporaryPassword: strongPassword(),
        MessageAction: 'SUPPRESS',
        UserAttributes: attrList({ email, email_verified: 'true', given_name: 'Alice', 'custom:tier': 'gold', 'custom:level': '3', 'custom:badge': 'b1' }),
      }),
    );
    assert.equal(User.Username, username);
    assert.equal(User.Enabled, true);
    assert.equal(User.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assertRecentDate(User.UserCreateDate, 'UserCreateDate');
    assertRecentDate(User.UserLastModifiedDate, 'UserLastModifiedDate');
    const attrs = attrMap(User.Attributes);
    assert.match(attrs.sub ?? '', UUID_RE, `sub is not a UUID: ${attrs.sub}`);
    assert.equal(attrs.email, email);
    assert.equal(attrs.email_verified, 'true');
    assert.equal(attrs.given_name, 'Alice');
    assert.equal(attrs['custom:tier'], 'gold');
    assert.equal(attrs['custom:level'], '3');
    assert.equal(attrs['custom:badge'], 'b1');

    const got = await getUser(pool.Id, username);
    assert.equal(got.Username, username);
    assert.equal(got.Enabled, true);
    assert.equal(got.UserStatus, 'FORCE_CHANGE_PASSWORD');
    assert.equal(got.UserCreateDate.getTime(), User.UserCreateDate.getTime());
    assert.deepEqual(attrMap(got.UserAttributes), attrs);

    const second = await createUser(s, pool.Id, uniq('bob'));
    assert.notEqual(attrMap(second.Attributes).sub, attrs.sub, 'two users share a sub');
  });

  test('AdminGetUser also accepts the user\'s sub in place of the username', async () => {
    const pool = await stdPool();
    const username = uniq('bysub');
    const user = await createUser(s, pool.Id, username);
    const { sub } = attrMap(user.Attributes);
    // documented (AdminGetUser Username): "If username isn't an alias attribute in your user pool, this
    // value must be the sub of a local user or the username of a user from a third-party IdP."
    const got = await getUser(pool.Id, sub);
    assert.equal(got.Username, username);
    assert.equal(attrMap(got.UserAttributes).sub, sub);
  });

  test('AdminCreateUser: a taken username is UsernameExistsException', async () => {
    const pool = await stdPool();
    const username = uniq('dup');
    await createUser(s, pool.Id, username);
    await rejectsWith(createUser(s, pool.Id, username), 'UsernameExistsException');
    // The pool is case-insensitive (CaseSensitive false), so a case variant is the same user.
    await rejectsWith(createUser(s, pool.Id, username.toUpperCase()), 'UsernameExistsException');
  });

  test('UsernameConfiguration: case-insensitive pools match any case, case-sensitive pools keep variants apart', async () => {
    const name = uniq('Mixed');
    const ci = await createPool(s, { UsernameConfiguration: { CaseSensitive: false } });
    await createUser(s, ci.Id, name);
    const found = await getUser(ci.Id, name.toUpperCase());
    assert.equal(found.Username.toLowerCase(), name.toLowerCase());
    assert.equal((await getUser(ci.Id, name.toLowerCase())).Username, found.Username);

    const cs = await createPool(s, { UsernameConfiguration: { CaseSensitive: true } });
    const a = await createUser(s, cs.Id, name);
    const b = await createUser(s, cs.Id, name.toLowerCase());
    assert.notEqual(attrMap(a.Attributes).sub, attrMap(b.Attributes).sub);
    assert.equal((await getUser(cs.Id, name)).Username, name);
    assert.equal((await getUser(cs.Id, name.toLowerCase())).Username, name.toLowerCase());
    await rejectsWith(getUser(cs.Id, name.toUpperCase()), 'UserNotFoundException');
  });

  test('AdminCreateUser checks TemporaryPassword against the pool policy and names the broken rule', async () => {
    const pool = await stdPool();
    for (const [password, rule, why] of BAD_PASSWORDS) {
      const username = uniq('weak');
      await rejectsWith(
        send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, TemporaryPassword: password, MessageAction: 'SUPPRESS' })),
        'InvalidPasswordException',
        rule,
        why,
      );
      await rejectsWith(getUser(pool.Id, username), 'UserNotFoundException');
    }
    // A pool with a lax policy accepts what the strict one refused.
    const lax = await createPool(s, { Policies: { PasswordPolicy: { MinimumLength: 6, RequireUppercase: false, RequireLowercase: false, RequireNumbers: false, RequireSymbols: false } } });
    const ok = await createUser(s, lax.Id, uniq('lax'), {}, { TemporaryPassword: 'abcdef' });
    assert.equal(ok.UserStatus, 'FORCE_CHANGE_PASSWORD');
  });

  test('DesiredDeliveryMediums EMAIL puts the invitation with the temporary password in the outbox; SUPPRESS sends nothing', async () => {
    const pool = await stdPool();
    const email = uniqEmail('invitee');
    const username = uniq('invitee');
    const password = strongPassword();
    await send(
      new AdminCreateUserCommand({
        UserPoolId: pool.Id,
        Username: username,
        TemporaryPassword: password,
        DesiredDeliveryMediums: ['EMAIL'],
        UserAttributes: attrList({ email }),
      }),
    );
    const messages = await s.waitForOutbox({ to: email });
    assert.equal(messages.length, 1, `expected one invitation, got ${messages.length}`);
    const [msg] = messages;
    assertOutboxMessage(msg, { poolId: pool.Id, channel: 'EMAIL', destination: email });
    assert.ok(msg.body.includes(password), `invitation lacks the temporary password: ${msg.body}`);
    assert.ok(msg.body.includes(username), `invitation lacks the username: ${msg.body}`);

    const byPool = await s.outbox({ pool: pool.Id });
    assert.ok(byPool.some((m) => m.id === msg.id), '--pool filter lost the message');
    assert.ok(byPool.every((m) => m.pool_id === pool.Id), '--pool filter let other pools through');

    const quiet = uniqEmail('quiet');
    await createUser(s, pool.Id, uniq('quiet'), { email: quiet }, { MessageAction: 'SUPPRESS', DesiredDeliveryMediums: ['EMAIL'] });
    assert.deepEqual(await s.outbox({ to: quiet }), [], 'MessageAction SUPPRESS still sent a message');
  });

  test('a generated temporary password follows the policy and the pool invitation template', async () => {
    const pool = await templatePool();
    const described = (await send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool;
    assert.equal(described.AdminCreateUserConfig?.InviteMessageTemplate?.EmailSubject, 'Welcome to the Cognate tests');

    const email = uniqEmail('gen');
    const username = uniq('gen');
    const { User } = await send(
      new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, DesiredDeliveryMediums: ['EMAIL'], UserAttributes: attrList({ email }) }),
    );
    assert.equal(User.UserStatus, 'FORCE_CHANGE_PASSWORD');
    const [msg] = await s.waitForOutbox({ to: email });
    assert.ok(msg, 'no invitation in the outbox');
    assertOutboxMessage(msg, { poolId: pool.Id, channel: 'EMAIL', destination: email });
    assert.equal(msg.subject, 'Welcome to the Cognate tests');
    const invite = parseInvite(msg.body);
    assert.equal(invite.username, username);
    const pw = invite.password;
    assert.ok(pw.length >= 14, `generated password shorter than the policy's 14: ${pw.length}`);
    assert.match(pw, /[A-Z]/, 'generated password lacks an uppercase letter');
    assert.match(pw, /[a-z]/, 'generated password lacks a lowercase letter');
    assert.match(pw, /[0-9]/, 'generated password lacks a number');
    assert.match(pw, /[^A-Za-z0-9]/, 'generated password lacks a symbol');
    assert.doesNotMatch(pw, /\s/, 'generated password contains whitespace');
  });

  test('MessageAction RESEND sends a fresh temporary password to an existing user; unknown users are UserNotFoundException', async () => {
    const pool = await templatePool();
    const email = uniqEmail('resend');
    const username = uniq('resend');
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, DesiredDeliveryMediums: ['EMAIL'], UserAttributes: attrList({ email }) }));
    const first = await s.waitForOutbox({ to: email });
    assert.equal(first.length, 1);

    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: username, MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] }));
    const both = await s.waitForOutbox({ to: email }, (m) => m.length >= 2);
    assert.equal(both.length, 2, 'RESEND did not send a second invitation');
    const passwords = both.map((m) => parseInvite(m.body).password);
    assert.notEqual(passwords[0], passwords[1], 'RESEND reused the old temporary password');
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'FORCE_CHANGE_PASSWORD');

    await rejectsWith(
      send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: uniq('ghost'), MessageAction: 'RESEND', DesiredDeliveryMediums: ['EMAIL'] })),
      'UserNotFoundException',
    );
  });

  test('DesiredDeliveryMediums SMS (and both) deliver to the phone number', async () => {
    const pool = await templatePool();
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const email = uniqEmail('both');
    const username = uniq('sms');
    await send(
      new AdminCreateUserCommand({
        UserPoolId: pool.Id,
        Username: username,
        DesiredDeliveryMediums: ['SMS', 'EMAIL'],
        UserAttributes: attrList({ phone_number: phone, email }),
      }),
    );
    const sms = await s.waitForOutbox({ pool: pool.Id, to: phone });
    assert.equal(sms.length, 1, `expected one SMS, got ${sms.length}`);
    assertOutboxMessage(sms[0], { poolId: pool.Id, channel: 'SMS', destination: phone });
    assert.match(sms[0].body, new RegExp(`^User ${username} PW\\[\\S+\\] end\\s*$`));
    const mail = await s.waitForOutbox({ pool: pool.Id, to: email });
    assert.equal(mail.length, 1, 'DesiredDeliveryMediums with both values must also email');
    assert.equal(mail[0].channel, 'EMAIL');
  });

  test('DesiredDeliveryMediums without the matching attribute is InvalidParameterException', async () => {
    const pool = await templatePool();
    // documented: EMAIL needs an email attribute, SMS a phone_number
    await rejectsWith(
      send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: uniq('noemail'), DesiredDeliveryMediums: ['EMAIL'] })),
      'InvalidParameterException',
    );
    await rejectsWith(
      send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: uniq('nophone'), DesiredDeliveryMediums: ['SMS'], UserAttributes: attrList({ email: uniqEmail('x') }) })),
      'InvalidParameterException',
    );
  });

  test('AdminCreateUser enforces attribute names, formats, types and constraints', async () => {
    const pool = await stdPool();
    const bad = {
      'malformed email': { email: 'not-an-email' },
      'phone number without +country code': { phone_number: '555-1234' },
      'phone number with letters': { phone_number: '+1555abc1234' },
      'unknown custom attribute': { 'custom:nope': 'x' },
      'unknown standard attribute': { favourite_colour: 'blue' },
      'custom attribute without its prefix': { tier: 'gold' },
      'string shorter than MinLength': { 'custom:tier': 'a' },
      'string longer than MaxLength': { 'custom:tier': 'platinum+' },
      'number below MinValue': { 'custom:level': '0' },
      'number above MaxValue': { 'custom:level': '11' },
      'number that is not a number': { 'custom:level': 'ten' },
      // cognito: Boolean attributes take "true" / "false"
      'boolean that is not a boolean': { email: uniqEmail('b'), email_verified: 'maybe' },
      'email_verified true without an email': { email_verified: 'true' },
    };
    for (const [why, attrs] of Object.entries(bad)) {
      await rejectsWith(createUser(s, pool.Id, uniq('bad'), attrs), 'InvalidParameterException', undefined, why);
    }
    // documented Username shape: [\p{L}\p{M}\p{S}\p{N}\p{P}]+, at most 128 characters
    await rejectsWith(createUser(s, pool.Id, 'has space'), 'InvalidParameterException');
    await rejectsWith(createUser(s, pool.Id, 'u'.repeat(129)), 'InvalidParameterException');
    assert.equal((await send(new ListUsersCommand({ UserPoolId: pool.Id }))).Users.length, 0, 'a rejected user was created');

    const required = await createPool(s, { Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }] });
    await rejectsWith(createUser(s, required.Id, uniq('noemail'), { given_name: 'X' }), 'InvalidParameterException');
    const ok = await createUser(s, required.Id, uniq('withemail'), { email: uniqEmail('req') });
    assert.equal(ok.UserStatus, 'FORCE_CHANGE_PASSWORD');

    // cognito: Boolean values are read without regard to case ("True"), and kept as true / false.
    const cased = await createUser(s, pool.Id, uniq('cased'), { email: uniqEmail('cased'), email_verified: 'True' });
    assert.equal(attrMap(cased.Attributes).email_verified, 'true');
    await send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.Id, Username: cased.Username, UserAttributes: attrList({ email_verified: 'FALSE' }) }));
    assert.equal(attrMap((await getUser(pool.Id, cased.Username)).UserAttributes).email_verified, 'false');
  });

  test('UsernameAttributes email: the email signs in, Cognito generates the username, emails are unique', async () => {
    const pool = await createPool(s, { UsernameAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false } });
    const email = uniqEmail('dana');
    const { User } = await send(
      new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: email, MessageAction: 'SUPPRESS', TemporaryPassword: strongPassword(), UserAttributes: attrList({ email }) }),
    );
    // documented: "If your user pool only supports phone numbers or email addresses as sign-in
    // attributes, Amazon Cognito automatically generates a username value" (a UUID, as in Cognito)
    assert.match(User.Username, UUID_RE);
    assert.equal(attrMap(User.Attributes).email, email);
    assert.equal((await getUser(pool.Id, email)).Username, User.Username);
    assert.equal((await getUser(pool.Id, email.toUpperCase())).Username, User.Username, 'email lookup must ignore case here');

    await rejectsWith(
      send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: email, MessageAction: 'SUPPRESS', UserAttributes: attrList({ email }) })),
      'UsernameExistsException',
    );
    await rejectsWith(
      send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: 'not-an-email', MessageAction: 'SUPPRESS' })),
      'InvalidParameterException',
    );
    // Taking another user's email by an update is AliasExistsException (creating one is UsernameExists).
    const other = uniqEmail('erin');
    await send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: other, MessageAction: 'SUPPRESS', UserAttributes: attrList({ email: other }) }));
    await rejectsWith(
      send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.Id, Username: other, UserAttributes: attrList({ email }) })),
      'AliasExistsException',
      /^An account with the given email already exists\.$/,
    );

    const phones = await createPool(s, { UsernameAttributes: ['phone_number'] });
    const { User: p } = await send(
      new AdminCreateUserCommand({ UserPoolId: phones.Id, Username: '+15555550100', MessageAction: 'SUPPRESS', UserAttributes: attrList({ phone_number: '+15555550100' }) }),
    );
    assert.match(p.Username, UUID_RE);
    assert.equal((await getUser(phones.Id, '+15555550100')).Username, p.Username);
    await rejectsWith(
      send(new AdminCreateUserCommand({ UserPoolId: phones.Id, Username: 'bob', MessageAction: 'SUPPRESS' })),
      'InvalidParameterException',
    );
  });

  test('AliasAttributes: verified email and preferred_username are unique per pool and find the user', async () => {
    const pool = await createPool(s, { AliasAttributes: ['email', 'preferred_username'], UsernameConfiguration: { CaseSensitive: false } });
    const email = uniqEmail('alias');
    const handle = uniq('neo');
    const a = await createUser(s, pool.Id, uniq('a'), { email, email_verified: 'true', preferred_username: handle });
    assert.equal((await getUser(pool.Id, email)).Username, a.Username);
    assert.equal((await getUser(pool.Id, email.toUpperCase())).Username, a.Username);
    assert.equal((await getUser(pool.Id, handle)).Username, a.Username);

    // documented (ForceAliasCreation false, the default): AliasExistsException
    await rejectsWith(createUser(s, pool.Id, uniq('b'), { email, email_verified: 'true' }), 'AliasExistsException');
    await rejectsWith(createUser(s, pool.Id, uniq('c'), { preferred_username: handle }), 'AliasExistsException');
    // An unverified copy of the address is no alias, so it is allowed.
    const b = await createUser(s, pool.Id, uniq('b'), { email });
    await rejectsWith(
      send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.Id, Username: b.Username, UserAttributes: attrList({ email, email_verified: 'true' }) })),
      'AliasExistsException',
    );
    assert.equal((await getUser(pool.Id, email)).Username, a.Username);

    // documented: ForceAliasCreation true moves the alias to the new user
    const c = await createUser(s, pool.Id, uniq('c'), { email, email_verified: 'true' }, { ForceAliasCreation: true });
    assert.equal((await getUser(pool.Id, email)).Username, c.Username);

    // cognito: with email as an alias, a username may not itself look like an email address
    await rejectsWith(createUser(s, pool.Id, uniqEmail('looks')), 'InvalidParameterException');
  });

  test('AdminGetUser: unknown user is UserNotFoundException, unknown pool ResourceNotFoundException', async () => {
    const pool = await stdPool();
    await rejectsWith(getUser(pool.Id, uniq('nobody')), 'UserNotFoundException');
    await rejectsWith(getUser(UNKNOWN_POOL, 'anyone'), 'ResourceNotFoundException');
  });

  // ---------------------------------------------------------------------------------------------
  // AdminDeleteUser / AdminDisableUser / AdminEnableUser

  test('AdminDeleteUser deletes; the name can be reused and gets a new sub', async () => {
    const pool = await stdPool();
    const username = uniq('gone');
    const first = await createUser(s, pool.Id, username);
    await send(new AdminDeleteUserCommand({ UserPoolId: pool.Id, Username: username }));
    await rejectsWith(getUser(pool.Id, username), 'UserNotFoundException');
    await rejectsWith(send(new AdminDeleteUserCommand({ UserPoolId: pool.Id, Username: username })), 'UserNotFoundException');
    await rejectsWith(send(new AdminDeleteUserCommand({ UserPoolId: UNKNOWN_POOL, Username: username })), 'ResourceNotFoundException');

    const again = await createUser(s, pool.Id, username);
    assert.notEqual(attrMap(again.Attributes).sub, attrMap(first.Attributes).sub);
  });

  test('AdminDisableUser / AdminEnableUser flip Enabled; a disabled user is still listed', async () => {
    const pool = await stdPool();
    const username = uniq('dis');
    await createUser(s, pool.Id, username);
    await send(new AdminDisableUserCommand({ UserPoolId: pool.Id, Username: username }));
    const disabled = await getUser(pool.Id, username);
    assert.equal(disabled.Enabled, false);
    assert.equal(disabled.UserStatus, 'FORCE_CHANGE_PASSWORD', 'disabling must not change the status');
    // documented: "A deactivated user can't sign in, but still appears in the responses to ListUsers"
    const { Users } = await send(new ListUsersCommand({ UserPoolId: pool.Id, Filter: `username = "${username}"` }));
    assert.equal(Users.length, 1);
    assert.equal(Users[0].Enabled, false);

    await send(new AdminDisableUserCommand({ UserPoolId: pool.Id, Username: username })); // idempotent
    await send(new AdminEnableUserCommand({ UserPoolId: pool.Id, Username: username }));
    assert.equal((await getUser(pool.Id, username)).Enabled, true);

    await rejectsWith(send(new AdminDisableUserCommand({ UserPoolId: pool.Id, Username: uniq('nobody') })), 'UserNotFoundException');
    await rejectsWith(send(new AdminEnableUserCommand({ UserPoolId: pool.Id, Username: uniq('nobody') })), 'UserNotFoundException');
    await rejectsWith(send(new AdminDisableUserCommand({ UserPoolId: UNKNOWN_POOL, Username: username })), 'ResourceNotFoundException');
  });

  test('a disabled user cannot sign in (NotAuthorizedException "User is disabled")', { todo: 'sign-in (AdminInitiateAuth) belongs to the auth issue' }, async () => {
    const pool = await stdPool();
    const client = await createClient(s, pool.Id, { ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    const username = uniq('locked');
    const password = strongPassword();
    await createUser(s, pool.Id, username);
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: password, Permanent: true }));
    await send(new AdminDisableUserCommand({ UserPoolId: pool.Id, Username: username }));
    await rejectsWith(
      send(new AdminInitiateAuthCommand({ UserPoolId: pool.Id, ClientId: client.ClientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } })),
      'NotAuthorizedException',
      /disabled/i,
    );
  });

  // ---------------------------------------------------------------------------------------------
  // passwords

  test('AdminSetUserPassword: Permanent true → CONFIRMED, false or omitted → FORCE_CHANGE_PASSWORD', async () => {
    const pool = await stdPool();
    const username = uniq('pw');
    await createUser(s, pool.Id, username);
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: strongPassword(), Permanent: true }));
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'CONFIRMED');
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: strongPassword(), Permanent: false }));
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'FORCE_CHANGE_PASSWORD');
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: strongPassword(), Permanent: true }));
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: strongPassword() }));
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'FORCE_CHANGE_PASSWORD', 'Permanent defaults to false');
  });

  test('AdminSetUserPassword checks the policy (InvalidPasswordException naming the rule) and the user', async () => {
    const pool = await stdPool();
    const username = uniq('pw');
    await createUser(s, pool.Id, username);
    for (const [password, rule, why] of BAD_PASSWORDS) {
      await rejectsWith(
        send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: password, Permanent: true })),
        'InvalidPasswordException',
        rule,
        why,
      );
    }
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'FORCE_CHANGE_PASSWORD', 'a rejected password changed the status');
    await rejectsWith(
      send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: uniq('nobody'), Password: strongPassword(), Permanent: true })),
      'UserNotFoundException',
    );
    await rejectsWith(
      send(new AdminSetUserPasswordCommand({ UserPoolId: UNKNOWN_POOL, Username: username, Password: strongPassword(), Permanent: true })),
      'ResourceNotFoundException',
    );
  });

  test('AdminResetUserPassword → RESET_REQUIRED and a reset code in the outbox', async () => {
    const pool = await stdPool();
    const username = uniq('reset');
    const email = uniqEmail('reset');
    await createUser(s, pool.Id, username, { email, email_verified: 'true' });
    await send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: username, Password: strongPassword(), Permanent: true }));
    assert.deepEqual(await s.outbox({ to: email }), [], 'nothing should have been sent yet');

    await send(new AdminResetUserPasswordCommand({ UserPoolId: pool.Id, Username: username }));
    const got = await getUser(pool.Id, username);
    assert.equal(got.UserStatus, 'RESET_REQUIRED');
    assert.equal(got.Enabled, true);
    const messages = await s.waitForOutbox({ to: email });
    assert.ok(messages.length >= 1, 'no reset message in the outbox');
    for (const m of messages) assertOutboxMessage(m, { poolId: pool.Id, channel: 'EMAIL', destination: email });
    // cognito: confirmation / reset codes are 6 digits
    assert.ok(messages.some((m) => /(^|\D)\d{6}(\D|$)/.test(m.body)), `no 6-digit code in ${JSON.stringify(messages.map((m) => m.body))}`);

    await rejectsWith(send(new AdminResetUserPasswordCommand({ UserPoolId: pool.Id, Username: uniq('nobody') })), 'UserNotFoundException');
    await rejectsWith(send(new AdminResetUserPasswordCommand({ UserPoolId: UNKNOWN_POOL, Username: username })), 'ResourceNotFoundException');
  });

  // ---------------------------------------------------------------------------------------------
  // AdminConfirmSignUp

  test('AdminConfirmSignUp: unknown users, and users that are not UNCONFIRMED', async () => {
    const pool = await stdPool();
    await rejectsWith(send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: uniq('nobody') })), 'UserNotFoundException');
    await rejectsWith(send(new AdminConfirmSignUpCommand({ UserPoolId: UNKNOWN_POOL, Username: 'x' })), 'ResourceNotFoundException');
    const username = uniq('fcp');
    await createUser(s, pool.Id, username);
    // cognito: "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD" (NotAuthorizedException)
    await rejectsWith(send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: username })), 'NotAuthorizedException');
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'FORCE_CHANGE_PASSWORD');
  });

  test('AdminConfirmSignUp confirms a self-registered UNCONFIRMED user', async (t) => {
    const pool = await stdPool();
    const client = await createClient(s, pool.Id);
    const username = uniq('signup');
    try {
      // SignUp is unsigned (a user operation); it is the only way to get an UNCONFIRMED user.
      await send(
        new SignUpCommand({ ClientId: client.ClientId, Username: username, Password: strongPassword(), UserAttributes: attrList({ email: uniqEmail('signup') }) }),
      );
    } catch (err) {
      if (err.name === 'UnknownOperationException' || err.name === 'UnsupportedOperationException') {
        t.skip('SignUp is not implemented yet');
        return;
      }
      throw err;
    }
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'UNCONFIRMED');
    await send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: username }));
    assert.equal((await getUser(pool.Id, username)).UserStatus, 'CONFIRMED');
    // cognito: "User cannot be confirmed. Current status is CONFIRMED" (NotAuthorizedException)
    await rejectsWith(send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: username })), 'NotAuthorizedException');
  });

  // ---------------------------------------------------------------------------------------------
  // attributes

  test('AdminUpdateUserAttributes changes values, keeps sub, bumps the modified date; a blank value deletes', async () => {
    const pool = await stdPool();
    const username = uniq('upd');
    const created = await createUser(s, pool.Id, username, { email: uniqEmail('old'), email_verified: 'true', given_name: 'Before', family_name: 'Gone', 'custom:tier': 'silver', 'custom:badge': 'b1' });
    const before = await getUser(pool.Id, username);
    const newEmail = uniqEmail('new');
    await send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.Id,
        Username: username,
        UserAttributes: attrList({ given_name: 'After', 'custom:tier': 'gold', 'custom:level': '5', email: newEmail, email_verified: 'true', phone_number: '+15555550199' }),
      }),
    );
    const after = await getUser(pool.Id, username);
    const a = attrMap(after.UserAttributes);
    assert.equal(a.given_name, 'After');
    assert.equal(a['custom:tier'], 'gold');
    assert.equal(a['custom:level'], '5');
    assert.equal(a.email, newEmail);
    assert.equal(a.email_verified, 'true');
    assert.equal(a.phone_number, '+15555550199');
    assert.equal(a.family_name, 'Gone', 'attributes not named must stay');
    assert.equal(a['custom:badge'], 'b1');
    assert.equal(a.sub, attrMap(created.Attributes).sub);
    assert.equal(after.UserCreateDate.getTime(), before.UserCreateDate.getTime());
    assert.ok(after.UserLastModifiedDate.getTime() >= before.UserLastModifiedDate.getTime());

    // documented: "To delete an attribute from your user, submit the attribute ... with a blank value"
    await send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.Id, Username: username, UserAttributes: [{ Name: 'family_name', Value: '' }] }));
    assert.ok(!('family_name' in attrMap((await getUser(pool.Id, username)).UserAttributes)), 'blank value did not delete family_name');
  });

  test('AdminUpdateUserAttributes enforces formats, constraints, mutability and the schema', async () => {
    const pool = await stdPool();
    const username = uniq('upd');
    await createUser(s, pool.Id, username, { given_name: 'Keep', 'custom:badge': 'b1', email: uniqEmail('k') });
    const bad = {
      'malformed email': { email: 'nope' },
      'malformed phone number': { phone_number: 'call me' },
      'number above MaxValue': { 'custom:level': '99' },
      'string shorter than MinLength': { 'custom:tier': 'x' },
      'unknown custom attribute': { 'custom:nope': 'x' },
      'unknown standard attribute': { favourite_colour: 'blue' },
      // documented (Mutable false): "the attribute value can only be set up on sign-up or administrator creation"
      'immutable custom attribute': { 'custom:badge': 'b2' },
      // sub is immutable and Cognito's own
      sub: { sub: '00000000-0000-4000-8000-000000000000' },
    };
    for (const [why, attrs] of Object.entries(bad)) {
      await rejectsWith(
        send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.Id, Username: username, UserAttributes: attrList(attrs) })),
        'InvalidParameterException',
        undefined,
        why,
      );
    }
    const a = attrMap((await getUser(pool.Id, username)).UserAttributes);
    assert.equal(a.given_name, 'Keep');
    assert.equal(a['custom:badge'], 'b1');

    await rejectsWith(
      send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool.Id, Username: uniq('nobody'), UserAttributes: attrList({ given_name: 'x' }) })),
      'UserNotFoundException',
    );
    await rejectsWith(
      send(new AdminUpdateUserAttributesCommand({ UserPoolId: UNKNOWN_POOL, Username: username, UserAttributes: attrList({ given_name: 'x' }) })),
      'ResourceNotFoundException',
    );
  });

  test('AdminDeleteUserAttributes removes the named attributes only; required ones and sub stay', async () => {
    const pool = await createPool(s, {
      Schema: [
        { Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true },
        { Name: 'tier', AttributeDataType: 'String', Mutable: true },
      ],
    });
    const username = uniq('del');
    const email = uniqEmail('del');
    await createUser(s, pool.Id, username, { email, given_name: 'G', family_name: 'F', 'custom:tier': 'gold' });
    await send(new AdminDeleteUserAttributesCommand({ UserPoolId: pool.Id, Username: username, UserAttributeNames: ['given_name', 'custom:tier'] }));
    const a = attrMap((await getUser(pool.Id, username)).UserAttributes);
    assert.ok(!('given_name' in a), 'given_name still there');
    assert.ok(!('custom:tier' in a), 'custom:tier still there');
    assert.equal(a.family_name, 'F');
    assert.equal(a.email, email);

    await rejectsWith(
      send(new AdminDeleteUserAttributesCommand({ UserPoolId: pool.Id, Username: username, UserAttributeNames: ['email'] })),
      'InvalidParameterException',
    );
    await rejectsWith(
      send(new AdminDeleteUserAttributesCommand({ UserPoolId: pool.Id, Username: username, UserAttributeNames: ['sub'] })),
      'InvalidParameterException',
    );
    // cognito's wording names every unknown attribute, one line each.
    await rejectsWith(
      send(new AdminDeleteUserAttributesCommand({ UserPoolId: pool.Id, Username: username, UserAttributeNames: ['family_name', 'custom:foo', 'custom:bar'] })),
      'InvalidParameterException',
      /^Invalid user attributes: user\.custom:foo: Attribute does not exist in the schema\.\nuser\.custom:bar: Attribute does not exist in the schema\.\n$/,
    );
    const still = attrMap((await getUser(pool.Id, username)).UserAttributes);
    assert.equal(still.email, email);
    assert.equal(still.family_name, 'F', 'a refused request deletes nothing');
    assert.match(still.sub, UUID_RE);

    await rejectsWith(
      send(new AdminDeleteUserAttributesCommand({ UserPoolId: pool.Id, Username: uniq('nobody'), UserAttributeNames: ['family_name'] })),
      'UserNotFoundException',
    );
  });
});
