//! Cognate's server: Amazon Cognito's user-pool APIs, spoken on Cognito's own wire protocol, over
//! SQLite (the embedded default) or PostgreSQL.
//!
//! In levels, each using only those below it (`ARCHITECTURE.md` draws them, follows a sign-in through
//! them, and says where new operations, challenges and triggers go):
//!
//! - [`http`]: the router and the protocol endpoint (`POST /`, `X-Amz-Target`), SigV4 on admin
//!   calls, limits on work and connections;
//! - [`api`]: the operations, one module per group: read the request, call the engine or the
//!   domain, write the answer;
//! - [`oauth`]: the OAuth 2.0 authorization server and the managed login pages of a pool's domain,
//!   on the same engine as the JSON API;
//! - [`signin`]: the sign-in engine, every flow and challenge behind one API;
//! - [`domain`]: pools, clients, users, attributes, codes and factors, free of requests;
//! - [`triggers`]: Cognito's Lambda triggers, called as signed webhooks;
//! - [`tokens`]: issuing and checking tokens, signing keys; [`messenger`]: delivery of the outbox;
//! - [`services`]: what everything above uses (store, sealer, clock, settings); [`config`]:
//!   settings and first-run setup; [`seal`]: secrets at rest under the master key;
//! - [`store`]: the one [`store::Store`] trait and its SQL implementation.

pub mod api;
pub mod config;
pub mod domain;
pub mod http;
pub mod ids;
pub mod messenger;
pub mod oauth;
pub mod seal;
pub mod services;
pub mod signin;
pub mod sigv4;
pub mod store;
pub mod tokens;
pub mod totp;
pub mod triggers;
