//! Secrets at rest (SRP verifiers, client secrets) sealed with AES-256-GCM under the master key.
//!
//! A sealed value is `version (1) ‖ nonce (12) ‖ ciphertext+tag`. The purpose and the owning record
//! go in as associated data, so a sealed verifier cannot be moved to another user or reused as a
//! client secret.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

/// Bytes in a master key.
pub const KEY_LEN: usize = 32;

/// Seals and opens secrets under one master key.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

/// A sealed value did not open: wrong key, tampering, or a value bound to another record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed secret did not open (wrong master key or tampered data)")]
pub struct Unsealable;

impl Sealer {
    /// A sealer for `key`.
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        Self { cipher: Aes256Gcm::new(key.into()) }
    }

    /// Seals `secret`, bound to `context` (purpose and owner, e.g. `"verifier:us-east-1_x:alice"`).
    pub fn seal(&self, context: &str, secret: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        crate::ids::fill(&mut nonce);
        let payload = Payload { msg: secret, aad: context.as_bytes() };
        // Encryption fails only for messages beyond GCM's 64 GiB limit.
        let sealed = self.cipher.encrypt(Nonce::from_slice(&nonce), payload).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value sealed for `context`.
    ///
    /// # Errors
    /// [`Unsealable`] if the key, the context or the bytes differ from sealing.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, Unsealable> {
        let (&version, rest) = sealed.split_first().ok_or(Unsealable)?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let payload = Payload { msg: ciphertext, aad: context.as_bytes() };
        self.cipher.decrypt(Nonce::from_slice(nonce), payload).map(Zeroizing::new).map_err(|_| Unsealable)
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

/// HMAC-SHA256 under `key` of `parts` one after the other: the one keyed digest of the server
/// (derived secrets, stand-in values for unknown users, webhook signatures).
#[must_use]
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    // HMAC takes keys of any length.
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_its_key_and_context() {
        let sealer = Sealer::new(&[7; KEY_LEN]);
        let sealed = sealer.seal("verifier:p:alice", b"secret");
        assert_eq!(sealer.open("verifier:p:alice", &sealed).unwrap().as_slice(), b"secret");
        assert_ne!(sealer.seal("verifier:p:alice", b"secret"), sealed, "fresh nonce each time");
        assert_eq!(sealer.open("verifier:p:bob", &sealed), Err(Unsealable));
        assert_eq!(Sealer::new(&[8; KEY_LEN]).open("verifier:p:alice", &sealed), Err(Unsealable));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open("verifier:p:alice", &tampered), Err(Unsealable));
        assert_eq!(sealer.open("x", &[]), Err(Unsealable));
        assert_eq!(sealer.open("x", &[1, 2, 3]), Err(Unsealable));
    }
}
