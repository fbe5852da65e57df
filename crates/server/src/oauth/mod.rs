//! The OAuth 2.0 / OpenID Connect authorization server of a pool's domain and its managed login
//! pages. Nothing here speaks HTTP (`crate::http::hosted` does); the pages sign users in through the
//! same engine as the JSON API (`crate::signin`, in its hosted mode), so lockout, MFA, passkeys and
//! the user's status rules are the same on both paths.
//!
//! - [`authorize`]: `/oauth2/authorize`'s parameters, checked; where refusals go;
//! - [`grant`]: sealed, single-use authorization codes and the managed login session;
//! - [`token`]: `/oauth2/token`, `/oauth2/revoke`, `/oauth2/userInfo`;
//! - [`flow`]: the pages' steps (sign-in, challenges, sign-up, confirmation, password reset);
//! - [`pages`]: their HTML, in English and Spanish.

pub mod authorize;
pub mod flow;
pub mod grant;
pub mod pages;
pub mod token;

#[cfg(test)]
mod tests;
