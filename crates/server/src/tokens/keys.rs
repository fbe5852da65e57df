//! Per-pool RSA signing keys: made on first use, sealed in the store, cached in memory.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognate_jwt::Backend as _;
use cognate_proto::CognitoError;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::cache::{KeyCache, PublicKey, Signing};
use crate::services::{Services, internal, now_ms};
use crate::store::{KeyRecord, StoreError};

/// Bits of a signing key (Cognito's keys are RSA-2048).
const KEY_BITS: usize = 2048;

fn signing_pair(der: &[u8]) -> Result<RsaKeyPair, CognitoError> {
    RsaKeyPair::from_pkcs8(der).map_err(key_error)
}

/// How long a looked-up signing key is used before the store is asked again.
const CACHE_MS: i64 = 5_000;

/// Makes, seals and stores a new key for the pool.
async fn make_key(svc: &Services, pool_id: &str) -> Result<(String, RsaKeyPair), CognitoError> {
    // Key generation takes a while: off the async threads.
    let key = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand_core::OsRng, KEY_BITS))
        .await
        .map_err(key_error)?
        .map_err(key_error)?;
    let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(key.n().to_bytes_be())[..16]);
    let der = key.to_pkcs8_der().map_err(key_error)?;
    let record = KeyRecord {
        pool_id: pool_id.to_owned(),
        kid: kid.clone(),
        private_key: svc.sealer.seal(&context(pool_id, &kid), der.as_bytes()),
        public_jwk: jwk(&kid, &key.to_public_key()),
        created_ms: now_ms(),
    };
    svc.store.insert_signing_key(&record).await.map_err(internal)?;
    Ok((kid, signing_pair(der.as_bytes())?))
}

/// Adds a new signing key to the pool; it signs once the overlap window has passed. Returns its kid.
///
/// # Errors
/// `InternalErrorException` if the key cannot be made or stored.
pub async fn rotate(svc: &Services, pool_id: &str) -> Result<String, CognitoError> {
    make_key(svc, pool_id).await.map(|(kid, _)| kid)
}

fn context(pool_id: &str, kid: &str) -> String {
    format!("signing-key:{pool_id}:{kid}")
}

fn key_error(e: impl std::fmt::Display) -> CognitoError {
    internal(StoreError::Backend(format!("signing key: {e}")))
}

/// The public half as a JWK.
pub(super) fn jwk(kid: &str, key: &RsaPublicKey) -> Value {
    json!({
        "alg": "RS256", "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()), "kid": kid, "kty": "RSA",
        "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()), "use": "sig",
    })
}

/// `header.payload.signature` with RS256.
pub(super) fn sign_jwt(kid: &str, key: &RsaKeyPair, claims: &Value) -> String {
    sign_with_header(&json!({ "kid": kid, "alg": "RS256" }), key, claims)
}

/// `header.payload.signature`, signed RS256 whatever `header` says (tests make odd headers with it).
pub(super) fn sign_with_header(header: &Value, key: &RsaKeyPair, claims: &Value) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; key.public().modulus_len()];
    // Signing fails only for a signature buffer of the wrong size, which this one is not.
    if key
        .sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut signature)
        .is_err()
    {
        signature.clear();
    }
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

impl KeyCache {
    /// The pool's current signing key, made (and stored) if the pool has none.
    ///
    /// A new key (from [`rotate`]) is published in the JWKS at once but signs only after
    /// `overlap_ms`, so verifiers holding a cached JWKS learn it before they meet it. Looked-up keys
    /// are cached for a few seconds, so every server process switches soon after.
    ///
    /// # Errors
    /// `InternalErrorException` if the key cannot be made, stored or opened.
    pub async fn current(&self, svc: &Services, pool_id: &str) -> Result<Signing, CognitoError> {
        let now = now_ms();
        if let Some((loaded, found)) = self.signing.lock().ok().and_then(|m| m.get(pool_id).cloned())
            && now - loaded < CACHE_MS
        {
            return Ok(found);
        }
        let stored = svc.store.signing_keys(pool_id).await.map_err(internal)?;
        // Newest first: the newest key past its overlap, else the oldest (a pool's first key signs at once).
        let active =
            stored.iter().find(|k| k.created_ms + svc.key_overlap_ms <= now).or_else(|| stored.last());
        let signing = match active {
            Some(record) => {
                let der = svc
                    .sealer
                    .open(&context(pool_id, &record.kid), &record.private_key)
                    .map_err(key_error)?;
                Arc::new((record.kid.clone(), signing_pair(&der)?))
            }
            None => {
                let (kid, key) = make_key(svc, pool_id).await?;
                Arc::new((kid, key))
            }
        };
        if let Ok(mut map) = self.signing.lock() {
            map.insert(pool_id.to_owned(), (now, signing.clone()));
        }
        Ok(signing)
    }

    /// The pool's public key `kid`, imported for cognate-jwt from the JWK the pool publishes (so the
    /// server checks its tokens exactly as the edge does); `None` when the pool has no such key.
    ///
    /// # Errors
    /// `InternalErrorException` if the store fails or a stored JWK does not import.
    pub async fn public_key(
        &self,
        svc: &Services,
        pool_id: &str,
        kid: &str,
    ) -> Result<Option<PublicKey>, CognitoError> {
        let cache_key = (pool_id.to_owned(), kid.to_owned());
        if let Some(found) = self.public.lock().ok().and_then(|m| m.get(&cache_key).cloned()) {
            return Ok(Some(found));
        }
        let records = svc.store.signing_keys(pool_id).await.map_err(internal)?;
        let Some(record) = records.into_iter().find(|r| r.kid == kid) else { return Ok(None) };
        let jwk =
            cognate_jwt::PublicJwk::parse(record.public_jwk.to_string().as_bytes()).map_err(key_error)?;
        let imported = cognate_jwt::RustCrypto.import(&jwk).await.map_err(key_error)?;
        let found = (jwk.algorithm, imported);
        if let Ok(mut map) = self.public.lock() {
            map.insert(cache_key, found.clone());
        }
        Ok(Some(found))
    }
}

/// The pool's JWKS document.
///
/// # Errors
/// `InternalErrorException` if the store fails.
pub async fn jwks(svc: &Services, pool_id: &str) -> Result<Value, CognitoError> {
    let keys = svc.store.signing_keys(pool_id).await.map_err(internal)?;
    Ok(json!({ "keys": keys.into_iter().map(|k| k.public_jwk).collect::<Vec<_>>() }))
}
