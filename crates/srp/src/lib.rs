//! SRP-6a exactly as Amazon Cognito does it.
//!
//! Cognito's variant differs from RFC 5054 in ways that make off-the-shelf SRP crates fail against it:
//! `k = H(padHex(N) ‖ padHex(g))` with Cognito's sign-preserving `padHex`, `x` salted over a hash of
//! `poolName ‖ userId ‖ ":" ‖ password`, a 16-byte HKDF key ("Caldera Derived Key") and a claim signed
//! with HMAC over the pool name, user id, `SECRET_BLOCK` and a timestamp. This crate has both halves:
//!
//! - [`SrpClient`]: the browser's side: `SRP_A`, then `PASSWORD_CLAIM_SIGNATURE` from the
//!   `PASSWORD_VERIFIER` challenge;
//! - [`Verifier`] and [`ServerSession`]: the server's side: a verifier from a password, `SRP_B` from it,
//!   and the constant-time check of the claim;
//! - [`device`]: remembered devices (`DEVICE_SRP_AUTH`), the same math keyed by device group and key;
//! - [`secret_hash`]: `SECRET_HASH` for app clients with a secret.
//!
//! The building blocks (`k`, `u`, `x`, `S`, the HKDF key) are public in [`math`] so they can be checked
//! one by one against an independent implementation's vectors (`tests/vectors/srp/`).
//!
//! Secrets (`a`, `b`, `x`, `S`, keys, passwords) are wiped when dropped. In wasm32 the exponentiations
//! run on the host's `BigInt`; copies made there cannot be wiped (see `arith`).

#![no_std]

extern crate alloc;
// The system clock, natively; the tests and the benchmark's entry points use std everywhere.
#[cfg(any(test, feature = "js", not(target_arch = "wasm32")))]
#[cfg_attr(test, macro_use)]
extern crate std;

mod arith;
mod client;
pub mod device;
mod encoding;
mod error;
mod int;
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub mod js;
pub mod math;
mod random;
pub mod secret_hash;
mod server;
mod timestamp;

pub use client::{PasswordChallenge, PasswordClaim, SrpClient};
pub use encoding::{base64_decode, base64_encode, push_decimal};
pub use error::SrpError;
pub use int::SrpInt;
pub use server::{ServerSession, Verifier};
pub use timestamp::CognitoTimestamp;

// Unit tests also run in headless Chromium (`cargo test --target wasm32-unknown-unknown`).
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The part of a user pool id that the SRP math uses: `us-east-1_AbC123` → `AbC123`.
///
/// # Errors
/// [`SrpError::InvalidPoolId`] when there is no `_` or nothing after it.
pub fn pool_name(pool_id: &str) -> Result<&str, SrpError> {
    match pool_id.split_once('_') {
        Some((region, name)) if !region.is_empty() && !name.is_empty() && !name.contains('_') => Ok(name),
        _ => Err(SrpError::InvalidPoolId),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn pool_name_is_the_part_after_the_underscore() {
        assert_eq!(pool_name("us-east-1_AbC123xyZ"), Ok("AbC123xyZ"));
        for bad in ["", "_", "us-east-1_", "_abc", "nounderscore", "a_b_c"] {
            assert_eq!(pool_name(bad), Err(SrpError::InvalidPoolId), "{bad:?}");
        }
    }
}
