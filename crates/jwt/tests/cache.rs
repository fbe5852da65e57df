//! The JWKS cache and the rules, natively, with tokens from the Node-signed vectors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#![cfg(not(target_arch = "wasm32"))]

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use cognate_jwt::{
    CacheSettings, ClientIds, Error, Fetcher, JwksCache, Rule, RustCrypto, TokenUse, Verified, Verifier,
};
use serde_json::Value;

const VECTORS: &str = include_str!("../../../tests/vectors/jwt/tokens.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn token(v: &Value, name: &str) -> String {
    let case = v["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    case["token"].as_str().unwrap().to_owned()
}

/// Serves whatever document it holds, counting fetches; yields once mid-fetch so concurrent
/// callers really overlap.
struct Served {
    body: RefCell<Result<String, String>>,
    fetches: Cell<usize>,
    timeouts: RefCell<Vec<Duration>>,
}

impl Served {
    fn new(body: Result<String, String>) -> Self {
        Self { body: RefCell::new(body), fetches: Cell::new(0), timeouts: RefCell::new(Vec::new()) }
    }
}

struct YieldOnce(bool);
impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

impl Fetcher for &Served {
    async fn fetch(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
        assert_eq!(url, "https://issuer.example/jwks.json");
        self.fetches.set(self.fetches.get() + 1);
        self.timeouts.borrow_mut().push(timeout);
        YieldOnce(false).await;
        self.body.borrow().clone().map(String::into_bytes)
    }
}

fn settings() -> CacheSettings {
    CacheSettings {
        ttl: Duration::from_secs(600),
        penalty: Duration::from_secs(10),
        timeout: Duration::from_millis(1500),
    }
}

fn verifier<'a>(v: &Value, served: &'a Served) -> Verifier<RustCrypto, &'a Served> {
    let iss = v["issuer"].as_str().unwrap().to_owned();
    let cache = JwksCache::new(
        RustCrypto,
        served,
        settings(),
        [(iss, "https://issuer.example/jwks.json".to_owned())],
    );
    Verifier::new(cache, ClientIds::OneOf(vec![v["client_id"].as_str().unwrap().to_owned()]), Duration::ZERO)
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    futures_executor::block_on(f)
}

#[test]
fn keys_are_fetched_once_and_kept_until_the_ttl() {
    let v = vectors();
    let now = v["now"].as_f64().unwrap();
    let served = Served::new(Ok(v["jwks"].to_string()));
    let verifier = verifier(&v, &served);
    let tok = token(&v, "rs256 access token");
    for dt in [0.0, 1.0, 599.0] {
        block_on(verifier.verify(&tok, now + dt)).unwrap();
    }
    assert_eq!(served.fetches.get(), 1);
    assert_eq!(*served.timeouts.borrow(), vec![Duration::from_millis(1500)]);
    // Past the TTL the set is fetched again (the token itself is still valid then).
    block_on(verifier.verify(&tok, now + 601.0)).unwrap();
    assert_eq!(served.fetches.get(), 2);
}

#[test]
fn unknown_kids_refetch_at_most_once_per_penalty_window() {
    let v = vectors();
    let now = v["now"].as_f64().unwrap();
    let served = Served::new(Ok(v["jwks"].to_string()));
    let verifier = verifier(&v, &served);
    block_on(verifier.verify(&token(&v, "rs256 access token"), now)).unwrap();
    let unknown = token(&v, "unknown kid");
    for dt in [0.0, 1.0, 5.0, 9.9] {
        let err = block_on(verifier.verify(&unknown, now + dt)).unwrap_err();
        assert!(matches!(err, Error::UnknownKey(Some(ref k)) if k == "rsa9"), "{err:?}");
    }
    assert_eq!(served.fetches.get(), 1, "inside the first penalty window nothing is refetched");
    block_on(verifier.verify(&unknown, now + 10.0)).unwrap_err();
    assert_eq!(served.fetches.get(), 2, "after the window one refetch");
    block_on(verifier.verify(&unknown, now + 11.0)).unwrap_err();
    assert_eq!(served.fetches.get(), 2);
}

#[test]
fn concurrent_misses_share_one_fetch() {
    let v = vectors();
    let now = v["now"].as_f64().unwrap();
    let served = Served::new(Ok(v["jwks"].to_string()));
    let verifier = verifier(&v, &served);
    let (a, b, c) =
        (token(&v, "rs256 access token"), token(&v, "rs256 id token"), token(&v, "es256 access token"));
    let (ra, rb, rc) = block_on(async {
        futures_util::join!(verifier.verify(&a, now), verifier.verify(&b, now), verifier.verify(&c, now))
    });
    ra.unwrap();
    rb.unwrap();
    rc.unwrap();
    assert_eq!(served.fetches.get(), 1);
}

#[test]
fn a_rotated_set_is_picked_up_by_a_new_kid_and_the_old_keys_serve_while_the_issuer_fails() {
    let v = vectors();
    let now = v["now"].as_f64().unwrap();
    // First only the EC key is published; the RSA-signed token names a kid not yet known.
    let mut only_ec = v["jwks"].clone();
    only_ec["keys"].as_array_mut().unwrap().retain(|k| k["kid"] == "ec1");
    let served = Served::new(Ok(only_ec.to_string()));
    let verifier = verifier(&v, &served);
    block_on(verifier.verify(&token(&v, "es256 access token"), now)).unwrap();
    let rsa_token = token(&v, "rs256 access token");
    assert!(matches!(block_on(verifier.verify(&rsa_token, now + 1.0)), Err(Error::UnknownKey(_))));
    // The issuer rotates: the new key appears and is used after the penalty window.
    *served.body.borrow_mut() = Ok(v["jwks"].to_string());
    block_on(verifier.verify(&rsa_token, now + 11.0)).unwrap();
    // The issuer goes down after the TTL: the keys held keep verifying.
    *served.body.borrow_mut() = Err("connection refused".to_owned());
    block_on(verifier.verify(&rsa_token, now + 700.0)).unwrap();
    assert_eq!(served.fetches.get(), 3);
}

#[test]
fn an_issuer_that_cannot_be_reached_is_reported_as_unavailable() {
    let v = vectors();
    let now = v["now"].as_f64().unwrap();
    let served = Served::new(Err("timed out after 1500 ms".to_owned()));
    let verifier = verifier(&v, &served);
    let err = block_on(verifier.verify(&token(&v, "rs256 access token"), now)).unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    // Inside the penalty window the failure is repeated without another fetch.
    let again = block_on(verifier.verify(&token(&v, "rs256 access token"), now + 1.0)).unwrap_err();
    assert!(again.is_unavailable());
    assert_eq!(served.fetches.get(), 1);
    *served.body.borrow_mut() = Ok("{\"nope\": 1}".to_owned());
    let bad = block_on(verifier.verify(&token(&v, "rs256 access token"), now + 20.0)).unwrap_err();
    assert!(bad.is_unavailable(), "{bad:?}");
}

#[test]
fn untrusted_issuers_never_cause_a_fetch() {
    let v = vectors();
    let served = Served::new(Ok(v["jwks"].to_string()));
    let verifier = verifier(&v, &served);
    let err = block_on(verifier.verify(&token(&v, "wrong issuer"), v["now"].as_f64().unwrap())).unwrap_err();
    assert!(matches!(err, Error::WrongIssuer(Some(_))));
    assert_eq!(served.fetches.get(), 0);
}

fn verified(v: &Value, name: &str) -> Verified<cognate_jwt::Claims> {
    let served = Box::leak(Box::new(Served::new(Ok(v["jwks"].to_string()))));
    block_on(verifier(v, served).verify(&token(v, name), v["now"].as_f64().unwrap())).unwrap()
}

#[test]
fn rules_check_token_use_scopes_groups_and_custom_checks() {
    let v = vectors();
    let access = verified(&v, "rs256 access token");
    let id = verified(&v, "rs256 id token");
    let rule = |f: fn(&mut Rule)| {
        let mut r = Rule::default();
        f(&mut r);
        r
    };
    assert!(rule(|_| {}).check(&access).is_ok());
    assert!(rule(|r| r.token_use = Some(TokenUse::Access)).check(&access).is_ok());
    let wrong_use = rule(|r| r.token_use = Some(TokenUse::Access)).check(&id).unwrap_err();
    assert_eq!(wrong_use, Error::WrongTokenUse { expected: "access", actual: Some("id".to_owned()) });
    assert!(rule(|r| r.scopes_any = vec!["openid".into(), "x".into()]).check(&access).is_ok());
    assert_eq!(rule(|r| r.scopes_any = vec!["open".into()]).check(&access), Err(Error::MissingScope));
    assert_eq!(rule(|r| r.scopes_any = vec!["openid".into()]).check(&id), Err(Error::MissingScope));
    assert!(rule(|r| r.groups_any = vec!["nobody".into(), "staff".into()]).check(&access).is_ok());
    assert_eq!(rule(|r| r.groups_any = vec!["root".into()]).check(&access), Err(Error::MissingGroup));
    let gold: cognate_jwt::Check = Arc::new(|c| match c.other("custom:tier") {
        Some(Value::String(t)) if t == "gold" => Ok(()),
        _ => Err("gold tier only".to_owned()),
    });
    let tiered = Rule { custom: vec![gold], ..Rule::default() };
    assert!(tiered.check(&id).is_ok());
    assert_eq!(tiered.check(&access), Err(Error::Custom("gold tier only".to_owned())));
    assert!(Error::MissingScope.is_insufficient() && !Error::BadSignature.is_insufficient());
}

#[test]
fn skew_is_allowed_and_bounded() {
    let v = vectors();
    let now = v["now"].as_f64().unwrap();
    let iss = v["issuer"].as_str().unwrap().to_owned();
    let served = Served::new(Ok(v["jwks"].to_string()));
    let make = |skew| {
        let cache = JwksCache::new(
            RustCrypto,
            &served,
            settings(),
            [(iss.clone(), "https://issuer.example/jwks.json".to_owned())],
        );
        Verifier::new(cache, ClientIds::Any, skew)
    };
    let expired = token(&v, "expired");
    assert!(block_on(make(Duration::from_secs(5)).verify(&expired, now)).is_ok());
    assert!(matches!(block_on(make(Duration::ZERO).verify(&expired, now)), Err(Error::Expired { .. })));
    // An hour of skew is cut to five minutes: a token an hour past its exp stays expired.
    let hour = make(Duration::from_secs(3600));
    assert!(matches!(block_on(hour.verify(&expired, now + 3600.0)), Err(Error::Expired { .. })));
    assert!(block_on(hour.verify(&expired, now + 298.0)).is_ok());
    // ClientIds::Any skips the client check on purpose.
    assert!(block_on(make(Duration::ZERO).verify(&token(&v, "wrong client (access)"), now)).is_ok());
}
