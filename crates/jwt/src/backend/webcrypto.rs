//! Signatures checked by the host's WebCrypto (`crypto.subtle`), in browsers and in Workers. Each
//! JWK is imported once (`importKey("jwk", ...)`) and the `CryptoKey` kept: importing on every call
//! roughly doubles the cost.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use super::Backend;
use crate::{Algorithm, Error, PublicJwk};

/// The WebCrypto backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebCrypto;

/// A `CryptoKey` with the parameters `verify` needs for it.
#[derive(Debug, Clone)]
pub struct WebKey {
    key: CryptoKey,
    params: Object,
}

thread_local! {
    static SUBTLE: Option<SubtleCrypto> = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .filter(|c| !c.is_undefined())
        .map(|c| c.unchecked_into::<web_sys::Crypto>().subtle());
}

fn subtle() -> Result<SubtleCrypto, Error> {
    SUBTLE.with(Clone::clone).ok_or_else(|| Error::InvalidKey("this host has no crypto.subtle".to_owned()))
}

fn object(pairs: &[(&str, &str)]) -> Object {
    let obj = Object::new();
    for (k, v) in pairs {
        // Setting a plain property on a fresh object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    obj
}

fn import_params(alg: Algorithm) -> Object {
    match alg {
        Algorithm::Rs256 => object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")]),
        Algorithm::Es256 => object(&[("name", "ECDSA"), ("namedCurve", "P-256")]),
        Algorithm::EdDsa => object(&[("name", "Ed25519")]),
    }
}

fn verify_params(alg: Algorithm) -> Object {
    match alg {
        Algorithm::Rs256 => object(&[("name", "RSASSA-PKCS1-v1_5")]),
        Algorithm::Es256 => object(&[("name", "ECDSA"), ("hash", "SHA-256")]),
        Algorithm::EdDsa => object(&[("name", "Ed25519")]),
    }
}

async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(promise?).await
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
}

impl Backend for WebCrypto {
    type Key = WebKey;

    async fn import(&self, jwk: &PublicJwk) -> Result<WebKey, Error> {
        let subtle = subtle()?;
        let json = jwk.to_import_json().to_string();
        let key_data: Object =
            js_sys::JSON::parse(&json).map_err(|e| Error::InvalidKey(describe(&e)))?.unchecked_into();
        let usages = Array::of1(&JsValue::from_str("verify"));
        let promise =
            subtle.import_key_with_object("jwk", &key_data, &import_params(jwk.algorithm), false, &usages);
        let key = settle(promise).await.map_err(|e| Error::InvalidKey(describe(&e)))?;
        Ok(WebKey { key: key.unchecked_into(), params: verify_params(jwk.algorithm) })
    }

    async fn verify(&self, key: &WebKey, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let subtle = subtle()?;
        let promise =
            subtle.verify_with_object_and_u8_array_and_u8_array(&key.params, &key.key, signature, message);
        // WebCrypto rejects rather than answering false for some malformed signatures (a wrong
        // length); both are a bad signature.
        match settle(promise).await {
            Ok(v) if v.as_bool() == Some(true) => Ok(()),
            _ => Err(Error::BadSignature),
        }
    }
}
