//! `cognate-edge`: the edge verifier. A Worker-style `fetch` handler checks each request's bearer
//! token against the route rules before it reaches the origin, and forwards verified requests with
//! the caller's identity in `x-cognate-*` headers, so the origin has nothing to re-check.
//!
//! - [`config`]: the Worker variables (`ISSUERS`, `CLIENT_IDS`, `RULES`, `ORIGIN`, ...);
//! - [`path`]: request paths in normal form, or refused when an origin could read them otherwise;
//! - [`routes`]: route rules and path matching;
//! - [`gate`]: the decision for one request (pure Rust, tested natively);
//! - `js` (wasm32 only): the wasm-bindgen surface `src/index.js` calls, with WebCrypto signatures
//!   and `fetch` for JWKS.

pub mod config;
pub mod gate;
pub mod path;
pub mod routes;

#[cfg(target_arch = "wasm32")]
pub mod js;
