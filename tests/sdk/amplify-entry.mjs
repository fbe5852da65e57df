// What tests/sdk/amplify.test.mjs bundles (esbuild) for the browser: Amplify v6's auth calls.
export { Amplify } from 'aws-amplify';
export {
  associateWebAuthnCredential, deleteWebAuthnCredential, fetchAuthSession, listWebAuthnCredentials, signIn, signOut,
} from 'aws-amplify/auth';
