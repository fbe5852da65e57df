// The same basic flow with amazon-cognito-identity-js: SRP sign-in (authenticateUser), the session
// and its refresh, sign-out. Bundled by esbuild for `cargo xtask bench sdk`.
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';

globalThis.idjsBasicFlow = (options, username, password) => new Promise((resolve, reject) => {
  const pool = new CognitoUserPool({ UserPoolId: options.userPoolId, ClientId: options.clientId, endpoint: options.endpoint });
  const user = new CognitoUser({ Username: username, Pool: pool });
  const started = performance.now();
  user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
    onFailure: reject,
    onSuccess: (session) => {
      const ms = performance.now() - started;
      user.refreshSession(session.getRefreshToken(), (err) => {
        if (err) return reject(err);
        user.getSession((e) => {
          if (e) return reject(e);
          user.signOut(() => resolve(ms));
        });
      });
    },
  });
});
