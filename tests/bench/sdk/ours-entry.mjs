// The basic flow an app ships with cognate-auth: sign in, read the session (refreshing it), sign out.
// Bundled by esbuild for `cargo xtask bench sdk`; the wasm it loads is counted beside it.
import { CognateAuth } from '../../../npm/dist/index.js';

globalThis.oursBasicFlow = async (options, username, password) => {
  const auth = new CognateAuth(options);
  const started = performance.now();
  const result = await auth.signIn({ username, password });
  const ms = performance.now() - started;
  if (!result.isSignedIn) throw new Error('not signed in');
  await auth.getSession({ forceRefresh: true });
  await auth.signOut();
  return ms;
};
