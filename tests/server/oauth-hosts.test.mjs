// A pool's domain found by Host: prefix domains under COGNATE_DOMAIN_BASE_HOST (`{prefix}.{base}`) and
// custom domains. Discovery advertises the host form then; requests go to 127.0.0.1 with the Host
// header a browser would send (Chromium resolves *.localhost itself; node and curl need DNS for it).

import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

import {
  CreateUserPoolClientCommand, CreateUserPoolCommand, CreateUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { backends, startServer, uniq } from './harness.mjs';

function get(port, path, host) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

for (const backend of backends()) {
  test(`domains by Host: {prefix}.{base host} and custom domains [${backend}]`, async () => {
    const server = await startServer(backend, { env: { COGNATE_DOMAIN_BASE_HOST: 'auth.localhost' } });
    try {
      const send = (c) => server.client.send(c);
      const pool = (await send(new CreateUserPoolCommand({ PoolName: uniq('hosts') }))).UserPool;
      const prefix = uniq('pfx').toLowerCase().replace(/[^a-z0-9-]/g, '');
      const created = await send(new CreateUserPoolDomainCommand({ UserPoolId: pool.Id, Domain: prefix }));
      assert.equal(created.CloudFrontDomain, `${prefix}.auth.localhost:${server.port}`);
      const client = (await send(new CreateUserPoolClientCommand({
        UserPoolId: pool.Id, ClientName: 'web', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'], CallbackURLs: ['http://localhost:3000/cb'],
      }))).UserPoolClient;

      const discovery = JSON.parse((await get(server.port, `/${pool.Id}/.well-known/openid-configuration`, `127.0.0.1:${server.port}`)).body);
      const base = `http://${prefix}.auth.localhost:${server.port}`;
      assert.equal(discovery.authorization_endpoint, `${base}/oauth2/authorize`);
      assert.equal(discovery.end_session_endpoint, `${base}/logout`);
      assert.equal(discovery.issuer, `${server.endpoint}/${pool.Id}`, 'the issuer does not move to the domain');

      const query = new URLSearchParams({ response_type: 'code', client_id: client.ClientId, redirect_uri: 'http://localhost:3000/cb', state: 'xyz' });
      const viaHost = await get(server.port, `/oauth2/authorize?${query}`, `${prefix}.auth.localhost:${server.port}`);
      assert.equal(viaHost.status, 302, viaHost.body);
      assert.match(viaHost.headers.location, /^\/login\?/);
      const page = await get(server.port, viaHost.headers.location, `${prefix}.auth.localhost:${server.port}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /name="password"/);
      assert.match(page.headers['set-cookie'].join('\n'), /XSRF-TOKEN=[^;]+; Path=\/;/);

      // The bare prefix, another base, and the server's own host serve no domain at the root.
      for (const host of [prefix, `${prefix}.auth.example`, `127.0.0.1:${server.port}`]) {
        const res = await get(server.port, `/oauth2/authorize?${query}`, host);
        assert.equal(res.status, 404, host);
      }

      // A custom domain: served by its own Host only.
      const other = (await send(new CreateUserPoolCommand({ PoolName: uniq('custom') }))).UserPool;
      const custom = `${prefix}.example.com`;
      await send(new CreateUserPoolDomainCommand({
        UserPoolId: other.Id, Domain: custom,
        CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/test' },
      }));
      const otherClient = (await send(new CreateUserPoolClientCommand({
        UserPoolId: other.Id, ClientName: 'web', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'], CallbackURLs: ['https://app.example.com/cb'],
      }))).UserPoolClient;
      const q2 = new URLSearchParams({ response_type: 'code', client_id: otherClient.ClientId, redirect_uri: 'https://app.example.com/cb' });
      assert.equal((await get(server.port, `/oauth2/authorize?${q2}`, custom)).status, 302);
      // The first pool's client is not the custom domain's pool's: our error page, no redirect.
      const wrongPool = await get(server.port, `/oauth2/authorize?${query}`, custom);
      assert.equal(wrongPool.status, 400);
      assert.equal(wrongPool.headers.location, undefined);
      const otherDiscovery = JSON.parse((await get(server.port, `/${other.Id}/.well-known/openid-configuration`, `127.0.0.1:${server.port}`)).body);
      assert.equal(otherDiscovery.token_endpoint, `https://${custom}/oauth2/token`);
    } finally {
      await server.stop();
    }
  });
}
