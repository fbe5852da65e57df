// An app using Amplify v6 (aws-amplify from npm, bundled by esbuild) with the managed login pages:
// `loginWith.oauth` names the pool's domain as Amplify expects it (host and path, no scheme;
// Amplify builds https://${domain}/oauth2/authorize, /oauth2/token and /logout from it). The
// configuration is made on every load, so Amplify completes a redirect sign-in by itself; the auth
// Hub events are kept in `window.app.events` for the test.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, getCurrentUser, signInWithRedirect, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';

const config = await (await fetch('/config.json')).json();
const origin = `${window.location.origin}/`;
const events = [];

Hub.listen('auth', ({ payload }) => {
  const error = payload.data?.error ?? payload.data;
  events.push({ event: payload.event, message: error instanceof Error ? `${error.name}: ${error.message}` : undefined });
});

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.clientId,
      // Amplify's own JSON API calls (the token revocation of signOut) go to the server too.
      userPoolEndpoint: config.userPoolEndpoint,
      loginWith: {
        oauth: {
          domain: config.domain,
          scopes: ['openid', 'email', 'profile'],
          redirectSignIn: [origin],
          redirectSignOut: [origin],
          responseType: 'code',
        },
      },
    },
  },
});

window.app = { events, signInWithRedirect, signOut, fetchAuthSession, getCurrentUser, loaded: true };
