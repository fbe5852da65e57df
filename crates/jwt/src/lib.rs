//! Verification of Cognito-format JWTs, natively and in wasm32 (browsers, Workers).
//!
//! A token goes [`Unverified::parse`] → [`Verifier::verify`] → [`Verified<Claims>`] → [`Rule::check`].
//! The algorithm comes from the issuer's key, never from the token alone: `alg: none` and HMAC are
//! refused outright, an RSA key verifies RS256 only, and RSA keys under 2048 bits are refused. Keys
//! come from a [`JwksCache`] (per-issuer, TTL, penalty window for unknown kids, merged fetches,
//! timeouts); signatures are checked by a [`Backend`]: the RustCrypto crates ([`RustCrypto`],
//! feature `rustcrypto`) or the host's WebCrypto (`WebCrypto`, feature `webcrypto`, wasm32).
//!
//! Tests: `tests/vectors.rs` checks tokens signed by Node's crypto (natively, and in headless
//! Chromium with both backends); `fuzz/` is a cargo-fuzz target over the parsers and the verifier
//! (`cargo install cargo-fuzz`, then in `crates/jwt`: `RUSTC_BOOTSTRAP=1 cargo fuzz run parse`; the
//! bootstrap flag stands in for a nightly toolchain).

mod backend;
mod cache;
mod claims;
mod error;
mod jwk;
mod token;
mod verifier;

pub use backend::Backend;
#[cfg(feature = "rustcrypto")]
pub use backend::RustCrypto;
#[cfg(all(feature = "webcrypto", target_arch = "wasm32"))]
pub use backend::WebCrypto;
pub use cache::{CacheSettings, Fetcher, JwksCache};
pub use claims::{Claims, TokenUse};
pub use error::Error;
pub use jwk::{Algorithm, Jwks, KeyMaterial, MAX_RSA_BITS, MIN_RSA_BITS, PublicJwk};
pub use token::{Header, MAX_TOKEN_LEN, Unverified};
pub use verifier::{Check, ClientIds, MAX_SKEW, Rule, Verified, Verifier, verify_with_key};

/// Seconds since the Unix epoch, from the host's clock.
#[must_use]
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() / 1000.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
    }
}
