//! The domain: what a user pool is and what may happen to it, below the operations (`crate::api`)
//! and above the store. Nothing here reads a request or writes an answer, and nothing here imports
//! `api`.
//!
//! - [`pools`]: a pool's settings, loaded and saved; [`factors`]: the MFA and passkey settings;
//! - [`schema`]: a pool's attribute schema and the checks a value must pass;
//! - [`attributes`]: the one check every attribute write passes, whoever writes;
//! - [`password`]: a pool's password policy;
//! - [`validate`]: AWS's validation messages.

pub mod attributes;
pub mod factors;
pub mod password;
pub mod pools;
pub mod schema;
pub mod validate;
