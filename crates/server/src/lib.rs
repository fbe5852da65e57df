//! Cognate's server: Amazon Cognito's user-pool APIs, spoken on Cognito's own wire protocol, over
//! SQLite (the embedded default) or PostgreSQL.
//!
//! - [`http`]: the router and the protocol endpoint (`POST /`, `X-Amz-Target`), SigV4 on admin calls;
//! - [`api`]: the operations, one module per resource, free of HTTP;
//! - [`store`]: the one [`store::Store`] trait and its SQL implementation;
//! - [`seal`]: secrets at rest under the master key; [`config`]: settings and first-run setup;
//! - [`messenger`]: delivery of the outbox (email over SMTP).

pub mod api;
pub mod config;
pub mod domain;
pub mod http;
pub mod ids;
pub mod messenger;
pub mod seal;
pub mod services;
pub mod signin;
pub mod sigv4;
pub mod store;
pub mod tokens;
pub mod totp;
