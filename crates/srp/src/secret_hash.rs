//! `SECRET_HASH`: how a client with a secret proves it on user operations.
//!
//! `SECRET_HASH = base64(HMAC-SHA256(key = client secret, message = username ‖ client id))`.

use alloc::string::String;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::encoding::{base64_decode, base64_encode};

fn mac(client_secret: &str, username: &str, client_id: &str) -> [u8; 32] {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(client_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!());
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The `SECRET_HASH` (or `SecretHash`) a client sends for `username`.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    base64_encode(&mac(client_secret, username, client_id))
}

/// True if `given` is the right `SECRET_HASH` for `username`; compared in constant time.
pub fn verify(given: &str, client_secret: &str, username: &str, client_id: &str) -> bool {
    let expected = mac(client_secret, username, client_id);
    let given = base64_decode(given).unwrap_or_default();
    given.len() == expected.len() && bool::from(given.as_slice().ct_eq(&expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn matches_an_independent_hmac() {
        // `printf 'alice1example' | openssl dgst -sha256 -hmac 'topsecret' -binary | base64`
        assert_eq!(
            secret_hash("topsecret", "alice", "1example"),
            "WobK9FhchemPIXVrvBhJczxLhb139zWZMn8g6YQTCtQ="
        );
    }

    #[test]
    fn verify_accepts_only_the_right_hash() {
        let good = secret_hash("s3cret", "bob", "client123");
        assert!(verify(&good, "s3cret", "bob", "client123"));
        assert!(!verify(&good, "s3cret", "bob2", "client123"));
        assert!(!verify(&good, "other", "bob", "client123"));
        assert!(!verify("", "s3cret", "bob", "client123"));
        assert!(!verify("not base64 !", "s3cret", "bob", "client123"));
    }
}
