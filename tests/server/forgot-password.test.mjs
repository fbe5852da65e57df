// ForgotPassword as the pool's AccountRecoverySetting orders it: Cognito's legacy order (SMS before
// email) for a pool created without one, admin_only refusing, and an unknown client, driven with the
// AWS SDK for JavaScript v3.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ForgotPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';

import { createClient, createPool, createUser, rejectsWith, suite, uniq } from './harness.mjs';

suite('ForgotPassword', (s) => {
  const forgot = (ClientId, Username) => s.client.send(new ForgotPasswordCommand({ ClientId, Username }));
  const contact = (name) => ({
    email: `${name}@example.com`, email_verified: 'true', phone_number: '+14155550199', phone_number_verified: 'true',
  });

  test('a pool created without AccountRecoverySetting sends to the verified phone number first', async () => {
    const pool = await createPool(s);
    const client = await createClient(s, pool.Id);
    const name = uniq('legacy');
    await createUser(s, pool.Id, name, contact(name));
    const { CodeDeliveryDetails: sent } = await forgot(client.ClientId, name);
    assert.deepEqual([sent.DeliveryMedium, sent.AttributeName], ['SMS', 'phone_number']);

    // Where the pool orders email first, email it is.
    const ordered = await createPool(s, { AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }, { Name: 'verified_phone_number', Priority: 2 }] } });
    const orderedClient = await createClient(s, ordered.Id);
    await createUser(s, ordered.Id, name, contact(name));
    const { CodeDeliveryDetails: emailed } = await forgot(orderedClient.ClientId, name);
    assert.deepEqual([emailed.DeliveryMedium, emailed.AttributeName], ['EMAIL', 'email']);
  });

  test('admin_only recovery is NotAuthorizedException "Contact administrator to reset password."', async () => {
    const pool = await createPool(s, { AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] } });
    const client = await createClient(s, pool.Id);
    const name = uniq('admin-only');
    await createUser(s, pool.Id, name, contact(name));
    for (const who of [name, uniq('nobody')]) {
      await rejectsWith(forgot(client.ClientId, who), 'NotAuthorizedException', /^Contact administrator to reset password\.$/, who);
    }
  });

  test('an unknown client is ResourceNotFoundException in Cognito\'s wording', async () => {
    await rejectsWith(
      forgot('a'.repeat(26), uniq('anyone')),
      'ResourceNotFoundException',
      /^Username\/client id combination not found\.$/,
    );
  });
});
