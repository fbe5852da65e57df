//! Tokens signed by Node's crypto (OpenSSL), verified here: natively with the RustCrypto backend, in
//! headless Chromium with both the WebCrypto and the RustCrypto backends. Every case must end in its
//! expected outcome, and no other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use cognate_jwt::{Backend, CacheSettings, ClientIds, Error, Fetcher, JwksCache, Verifier};
use serde::Deserialize;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const VECTORS: &str = include_str!("../../../tests/vectors/jwt/tokens.json");

#[derive(Deserialize)]
struct Vectors {
    now: f64,
    issuer: String,
    client_id: String,
    jwks: serde_json::Value,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    token: String,
    expect: String,
}

/// No network here: the JWKS is preloaded, so a fetch is a test failure.
struct NoFetch;
impl Fetcher for NoFetch {
    async fn fetch(&self, url: &str, _timeout: Duration) -> Result<Vec<u8>, String> {
        Err(format!("unexpected fetch of {url}"))
    }
}

fn variant(e: &Error) -> String {
    format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}

async fn run<B: Backend>(backend: B) -> usize {
    let v: Vectors = serde_json::from_str(VECTORS).unwrap();
    let cache =
        JwksCache::new(backend, NoFetch, CacheSettings::default(), [(v.issuer.clone(), String::new())]);
    cache.preload(&v.issuer, v.jwks.to_string().as_bytes(), v.now).await.unwrap();
    let verifier = Verifier::new(cache, ClientIds::OneOf(vec![v.client_id.clone()]), Duration::ZERO);
    let mut failures = Vec::new();
    for case in &v.cases {
        let outcome = match verifier.verify(&case.token, v.now).await {
            Ok(claims) => {
                assert_eq!(claims.sub.as_deref(), Some("7d8ca528-4931-4254-9273-ea5ee853f271"));
                assert_eq!(claims.user_name(), Some("alice"));
                "ok".to_owned()
            }
            Err(e) => variant(&e),
        };
        if outcome != case.expect {
            failures.push(format!("{}: expected {}, got {outcome}", case.name, case.expect));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    v.cases.len()
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn vectors_verify_with_rustcrypto() {
    assert!(futures_executor::block_on(run(cognate_jwt::RustCrypto)) >= 30);
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn vectors_verify_with_rustcrypto_in_the_browser() {
    assert!(run(cognate_jwt::RustCrypto).await >= 30);
}

#[cfg(all(target_arch = "wasm32", feature = "webcrypto"))]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn vectors_verify_with_webcrypto_in_the_browser() {
    assert!(run(cognate_jwt::WebCrypto).await >= 30);
}

/// Every single-character change to a valid token is refused: in the header or payload the
/// signature no longer matches, in the signature it no longer verifies, and base64url decoding
/// is canonical so no change slips through as the same bytes.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_one_character_mutation_is_refused() {
    let v: Vectors = serde_json::from_str(VECTORS).unwrap();
    let cache = JwksCache::new(
        cognate_jwt::RustCrypto,
        NoFetch,
        CacheSettings::default(),
        [(v.issuer.clone(), String::new())],
    );
    futures_executor::block_on(cache.preload(&v.issuer, v.jwks.to_string().as_bytes(), v.now)).unwrap();
    let verifier = Verifier::new(cache, ClientIds::Any, Duration::ZERO);
    let mut checked = 0;
    for case in v.cases.iter().filter(|c| c.expect == "ok" && !c.name.contains("rs256 id")) {
        let token = case.token.as_bytes();
        for i in 0..token.len() {
            for replacement in [b'A', b'_', b'.', b'0'] {
                if token[i] == replacement {
                    continue;
                }
                let mut mutated = token.to_vec();
                mutated[i] = replacement;
                let mutated = String::from_utf8(mutated).unwrap();
                let outcome = futures_executor::block_on(verifier.verify(&mutated, v.now));
                assert!(outcome.is_err(), "{}: byte {i} -> {} was accepted", case.name, replacement as char);
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}
