//! Arbitrary bytes through the token parser, the JWK/JWKS parser and a verifier holding a fixed key:
//! nothing may panic, and nothing but a valid signature over a payload may verify.
#![no_main]

use std::time::Duration;

use cognate_jwt::{CacheSettings, ClientIds, Fetcher, Jwks, JwksCache, RustCrypto, Unverified, Verifier};
use libfuzzer_sys::fuzz_target;

struct NoFetch;
impl Fetcher for NoFetch {
    async fn fetch(&self, _url: &str, _timeout: Duration) -> Result<Vec<u8>, String> {
        Err("no network".to_owned())
    }
}

const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"ec1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

fuzz_target!(|data: &[u8]| {
    let _ = Jwks::parse(data);
    let _ = cognate_jwt::PublicJwk::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Unverified::parse(text);
        let cache = JwksCache::new(RustCrypto, NoFetch, CacheSettings::default(), [("iss".to_owned(), String::new())]);
        let verifier = Verifier::new(cache, ClientIds::Any, Duration::ZERO);
        futures_executor::block_on(async {
            let _ = verifier.cache().preload("iss", JWKS.as_bytes(), 0.0).await;
            // No input can carry a valid ES256 signature by this key's owner.
            assert!(verifier.verify(text, 0.0).await.is_err());
        });
    }
});
