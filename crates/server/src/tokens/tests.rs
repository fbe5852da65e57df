//! Access tokens as the server checks them (cognate-jwt underneath): tokens signed with the pool's
//! own key, but with what an attacker or a broken issuer would put in them.

use serde_json::{Value, json};

use super::keys::sign_with_header;
use super::{issuer, verify_access};
use crate::services::{Services, now_ms};
use crate::store::PoolRecord;

const POOL: &str = "us-east-1_TokTest01";

async fn services() -> Services {
    let svc = crate::services::testing::services().await;
    let now = now_ms();
    let pool =
        PoolRecord { id: POOL.into(), name: "t".into(), doc: json!({}), created_ms: now, modified_ms: now };
    svc.store.insert_pool(&pool).await.unwrap();
    svc
}

fn claims(svc: &Services) -> Value {
    let now = now_ms() / 1000;
    json!({
        "iss": issuer(svc, POOL), "token_use": "access", "exp": now + 600, "iat": now, "auth_time": now,
        "username": "alice", "sub": "7d3c4b1e-0000-4000-8000-000000000001", "client_id": "c1",
        "origin_jti": "o1", "jti": "j1", "scope": "aws.cognito.signin.user.admin",
    })
}

#[tokio::test]
async fn access_tokens_are_held_to_cognate_jwts_rules() {
    let svc = services().await;
    let signing = svc.keys.current(&svc, POOL).await.unwrap();
    let (kid, key) = (&signing.0, &signing.1);
    let header = json!({ "kid": kid, "alg": "RS256" });
    let now = now_ms() / 1000;
    let sign = |header: &Value, edit: &dyn Fn(&mut Value)| {
        let mut c = claims(&svc);
        edit(&mut c);
        sign_with_header(header, key, &c)
    };

    let good = verify_access(&svc, &sign(&header, &|_| {})).await.unwrap();
    assert_eq!(
        (good.username.as_str(), good.client_id.as_str(), good.pool_id.as_str()),
        ("alice", "c1", POOL)
    );
    // Within the allowed skew, issued a moment "in the future" by a clock slightly ahead.
    assert!(verify_access(&svc, &sign(&header, &|c| c["iat"] = json!(now + 5))).await.is_ok());

    let refused: Vec<(&str, String)> = vec![
        ("crit", sign(&json!({ "kid": kid, "alg": "RS256", "crit": ["exp"] }), &|_| {})),
        ("nbf ahead", sign(&header, &|c| c["nbf"] = json!(now + 120))),
        ("iat ahead", sign(&header, &|c| c["iat"] = json!(now + 120))),
        ("no exp", sign(&header, &|c| drop(c.as_object_mut().unwrap().remove("exp")))),
        ("alg none", sign(&json!({ "kid": kid, "alg": "none" }), &|_| {})),
        ("alg HS256", sign(&json!({ "kid": kid, "alg": "HS256" }), &|_| {})),
        ("alg ES256 on an RSA key", sign(&json!({ "kid": kid, "alg": "ES256" }), &|_| {})),
        ("unknown kid", sign(&json!({ "kid": "nope", "alg": "RS256" }), &|_| {})),
        ("id token", sign(&header, &|c| c["token_use"] = json!("id"))),
        ("other issuer", sign(&header, &|c| c["iss"] = json!(format!("http://evil.test/{POOL}")))),
        ("20 KiB", sign(&header, &|c| c["pad"] = json!("x".repeat(20 * 1024)))),
        ("duplicate claim", {
            let t = sign(&header, &|_| {});
            let mut parts = t.split('.');
            let (h, _, s) = (parts.next().unwrap(), parts.next(), parts.next().unwrap());
            use base64::Engine as _;
            let dup = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!("{{\"username\":\"alice\",\"username\":\"bob\",\"exp\":{}}}", now + 600));
            format!("{h}.{dup}.{s}")
        }),
    ];
    for (what, token) in refused {
        let err = verify_access(&svc, &token).await.err().unwrap_or_else(|| panic!("{what}: accepted"));
        assert_eq!(err.kind, cognate_proto::Exception::NotAuthorized, "{what}");
    }
    let expired = verify_access(&svc, &sign(&header, &|c| c["exp"] = json!(now - 60))).await.unwrap_err();
    assert_eq!(expired.message, "Access Token has expired");
}
