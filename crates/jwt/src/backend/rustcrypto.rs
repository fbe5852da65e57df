//! Signatures checked by the RustCrypto crates: `rsa` (PKCS#1 v1.5, SHA-256), `p256` (ECDSA) and
//! `ed25519-dalek` (strict verification: no small-order keys, no malleable signatures).

use std::future::{Future, ready};
use std::sync::Arc;

use rsa::signature::Verifier as _;

use super::Backend;
use crate::{Error, KeyMaterial, PublicJwk};

/// The pure-Rust backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

/// A key imported by [`RustCrypto`].
#[derive(Debug, Clone)]
pub struct RustKey(Arc<Imported>);

#[derive(Debug)]
enum Imported {
    Rsa(rsa::pkcs1v15::VerifyingKey<rsa::sha2::Sha256>),
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl Backend for RustCrypto {
    type Key = RustKey;

    fn import(&self, jwk: &PublicJwk) -> impl Future<Output = Result<RustKey, Error>> {
        ready(import(jwk).map(|k| RustKey(Arc::new(k))))
    }

    fn verify(
        &self,
        key: &RustKey,
        message: &[u8],
        signature: &[u8],
    ) -> impl Future<Output = Result<(), Error>> {
        ready(verify(&key.0, message, signature))
    }
}

fn import(jwk: &PublicJwk) -> Result<Imported, Error> {
    let bad = |e: &dyn std::fmt::Display| Error::InvalidKey(e.to_string());
    Ok(match &jwk.material {
        KeyMaterial::Rsa { n, e } => {
            let key = rsa::RsaPublicKey::new_with_max_size(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
                crate::jwk::MAX_RSA_BITS,
            )
            .map_err(|e| bad(&e))?;
            Imported::Rsa(rsa::pkcs1v15::VerifyingKey::new(key))
        }
        KeyMaterial::P256 { x, y } => {
            let point = p256::EncodedPoint::from_affine_coordinates(x.into(), y.into(), false);
            Imported::P256(p256::ecdsa::VerifyingKey::from_encoded_point(&point).map_err(|e| bad(&e))?)
        }
        KeyMaterial::Ed25519 { x } => {
            let key = ed25519_dalek::VerifyingKey::from_bytes(x).map_err(|e| bad(&e))?;
            if key.is_weak() {
                return Err(Error::InvalidKey("a small-order Ed25519 key".to_owned()));
            }
            Imported::Ed25519(key)
        }
    })
}

fn verify(key: &Imported, message: &[u8], signature: &[u8]) -> Result<(), Error> {
    let ok = match key {
        Imported::Rsa(key) => {
            rsa::pkcs1v15::Signature::try_from(signature).is_ok_and(|sig| key.verify(message, &sig).is_ok())
        }
        Imported::P256(key) => p256::ecdsa::Signature::from_slice(signature)
            .is_ok_and(|sig| p256::ecdsa::signature::Verifier::verify(key, message, &sig).is_ok()),
        Imported::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| key.verify_strict(message, &sig).is_ok()),
    };
    if ok { Ok(()) } else { Err(Error::BadSignature) }
}
