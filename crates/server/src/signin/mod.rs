//! The sign-in engine: every way a user signs in, as one API that the JSON operations
//! (`api::auth`) call and, next, the managed login pages will.
//!
//! - [`context`] loads the pool and app client a sign-in runs under;
//! - [`initiate`] starts a flow (`USER_SRP_AUTH`, `USER_PASSWORD_AUTH`, `ADMIN_USER_PASSWORD_AUTH`,
//!   `USER_AUTH`, `REFRESH_TOKEN_AUTH`) and answers tokens or the first challenge;
//! - [`respond`] answers a challenge (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, SELECT_CHALLENGE,
//!   WEB_AUTHN, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SMS_OTP, SELECT_MFA_TYPE, MFA_SETUP) and
//!   answers tokens or the next one;
//! - [`associate_in_setup`] and [`verify_in_setup`]: the authenticator-app setup inside MFA_SETUP.
//!
//! Which challenge follows which: a password check (`engine`) goes on by the user's status
//! (NEW_PASSWORD_REQUIRED, or refusals) to the second factor (`mfa`: MFA_SETUP when the pool requires
//! MFA and the user has none, else the user's factor, SELECT_MFA_TYPE when there are several) and
//! then to tokens. USER_AUTH (`user_auth`) chooses a first factor: a password one joins the path
//! above, a passkey or a code ends the sign-in. Refresh (`refresh`) issues tokens from a refresh token.
//! A challenge's state travels sealed in its Session (`challenge`'s `Challenge`), so any server
//! process can take the answer, and each challenge can be answered once.
//!
//! Cognito's Lambda triggers run at the points `crate::triggers` lists.

mod challenge;
mod context;
mod custom;
mod engine;
mod mfa;
mod migration;
mod password;
mod refresh;
mod user_auth;

use context::succeeded;
pub use context::{Context, context, group_names, signed_in};
pub use engine::{initiate, respond, unsupported_flow};
pub use mfa::{associate_in_setup, verify_in_setup};
pub use migration::migrate;
pub use refresh::{Proof, refresh};

#[cfg(test)]
mod tests;
