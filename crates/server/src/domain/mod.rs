//! The domain: what a user pool is and what may happen to it, below the operations (`crate::api`)
//! and above the store. Nothing here reads a request or writes an answer, and nothing here imports
//! `api`.
//!
//! - [`pools`]: a pool's settings, loaded and saved; [`factors`]: the MFA and passkey settings;
//! - [`clients`]: an app client's settings and secret; [`users`]: finding users, their verifiers;
//! - [`mfa`]: a user's second factors; [`passkeys`]: the pool's relying party and ceremony pieces;
//! - [`codes`]: one-time codes and the messages that carry them;
//! - [`schema`]: a pool's attribute schema and the checks a value must pass;
//! - [`attributes`]: the one check every attribute write passes, whoever writes;
//! - [`password`]: a pool's password policy;
//! - [`domains`]: the pool's domain and where it is served; [`resource_servers`]: custom scopes;
//! - [`validate`]: AWS's validation messages.

pub mod attributes;
pub mod clients;
pub mod codes;
pub mod domains;
pub mod factors;
pub mod mfa;
pub mod passkeys;
pub mod password;
pub mod pools;
pub mod resource_servers;
pub mod schema;
pub mod users;
pub mod validate;

#[cfg(test)]
mod tests;
