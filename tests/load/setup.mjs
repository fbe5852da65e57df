// Prepares a pool for the sign-in load benchmark (`cargo xtask bench server`): a pool, an app client
// allowing USER_SRP_AUTH, and N confirmed users with one password. Prints one JSON line.
// usage: node tests/load/setup.mjs <endpoint> <admin-credentials file> <users>
import { readFileSync } from 'node:fs';
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand, AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const [endpoint, credentialsFile, usersArg = '50'] = process.argv.slice(2);
const text = readFileSync(credentialsFile, 'utf8');
const value = (key) => text.match(new RegExp(`${key}\\s*=\\s*(\\S+)`))?.[1];
const client = new CognitoIdentityProviderClient({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: value('aws_access_key_id'), secretAccessKey: value('aws_secret_access_key') },
});
const password = 'Load-Test-Pass-1';
const { UserPool } = await client.send(new CreateUserPoolCommand({ PoolName: `load-${Date.now()}` }));
const { UserPoolClient } = await client.send(new CreateUserPoolClientCommand({
  UserPoolId: UserPool.Id, ClientName: 'load', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
}));
const users = [];
for (let i = 0; i < Number(usersArg); i++) {
  const username = `load-user-${i}`;
  await client.send(new AdminCreateUserCommand({ UserPoolId: UserPool.Id, Username: username, MessageAction: 'SUPPRESS' }));
  await client.send(new AdminSetUserPasswordCommand({ UserPoolId: UserPool.Id, Username: username, Password: password, Permanent: true }));
  users.push(username);
}
client.destroy();
console.log(JSON.stringify({ pool: UserPool.Id, client: UserPoolClient.ClientId, password, users }));
