//! The authorization server without HTTP: authorize checks, the pages' sign-in through the engine,
//! codes and sessions, and the token endpoint's grants, against a real store.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::authorize::{Params, Refusal, check};
use super::flow::{self, Incoming, Outcome, Site};
use super::grant::{Code, Session};
use super::token::{ClientAuth, token};
use crate::api::{Caller, dispatch};
use crate::services::{Services, now_ms, testing};

const PASSWORD: &str = "Correct-Horse-9";
const CALLBACK: &str = "https://app.example.com/cb";
const VERIFIER: &str = "a-code-verifier-that-is-long-enough-for-rfc-7636-rules-0123456789";

struct World {
    svc: Services,
    site: Site,
    client: String,
}

async fn op(svc: &Services, name: &str, body: Value) -> Value {
    let caller = Caller { region: Some("us-east-1".into()) };
    dispatch(svc, &caller, name, body).await.unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

async fn world() -> World {
    let svc = testing::services().await;
    let pool = op(&svc, "CreateUserPool", json!({ "PoolName": "oauth" })).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    op(&svc, "CreateUserPoolDomain", json!({ "UserPoolId": pool, "Domain": "unit-test" })).await;
    let client = op(
        &svc,
        "CreateUserPoolClient",
        json!({ "UserPoolId": pool, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
                "CallbackURLs": [CALLBACK], "LogoutURLs": ["https://app.example.com/bye"] }),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    op(
        &svc,
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": "alice@example.com" }] }),
    )
    .await;
    op(
        &svc,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "alice", "Password": PASSWORD, "Permanent": true }),
    )
    .await;
    let site = Site { pool_id: pool, base_url: "http://cognate.test/domains/unit-test".into() };
    World { svc, site, client }
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

impl World {
    fn authorize(&self, extra: &[(&str, &str)]) -> Params {
        let c = challenge();
        let mut p = params(&[
            ("response_type", "code"),
            ("client_id", &self.client),
            ("redirect_uri", CALLBACK),
            ("state", "s t%ate"),
            ("code_challenge", &c),
            ("code_challenge_method", "S256"),
        ]);
        p.extend(params(extra));
        p
    }

    async fn login(&self, query: &Params, password: &str) -> Outcome {
        let form = params(&[("step", "password"), ("username", "alice"), ("password", password)]);
        let inc = Incoming { params: query, form: &form, session: None, csrf: "t" };
        flow::login(&self.svc, &self.site, &inc).await
    }
}

fn code_of(outcome: &Outcome) -> String {
    let Outcome::Redirect { location, .. } = outcome else { panic!("not a redirect: {outcome:?}") };
    let query = location.split_once('?').unwrap().1;
    let pairs: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert_eq!(pairs["state"], "s t%ate", "state comes back byte for byte");
    pairs["code"].clone()
}

#[tokio::test]
async fn unknown_clients_and_unregistered_redirects_are_never_redirected() {
    let w = world().await;
    let mut p = w.authorize(&[]);
    p.insert("redirect_uri".into(), format!("{CALLBACK}/"));
    let Err(refusal) = check(&w.svc, &w.site.pool_id, &p).await else { panic!("accepted") };
    assert!(
        matches!(&refusal, Refusal::Page { error: "redirect_mismatch", description } if description.contains(CALLBACK))
    );
    assert_eq!(refusal.location(), None);
    p.insert("client_id".into(), "nobody".into());
    assert!(matches!(
        check(&w.svc, &w.site.pool_id, &p).await,
        Err(Refusal::Page { error: "invalid_client", .. })
    ));
    // Once client and redirect are right, refusals go back to the app with its state.
    let p = w.authorize(&[("code_challenge_method", "plain")]);
    let Err(refusal) = check(&w.svc, &w.site.pool_id, &p).await else { panic!("accepted") };
    let location = refusal.location().unwrap();
    assert!(location.starts_with(&format!("{CALLBACK}?error=invalid_request")), "{location}");
    assert!(location.ends_with("state=s+t%25ate"), "{location}");
    let p = w.authorize(&[("scope", "openid https://api.example.com/none")]);
    assert!(matches!(
        check(&w.svc, &w.site.pool_id, &p).await,
        Err(Refusal::Redirect { error: "invalid_scope", .. })
    ));
    let p = w.authorize(&[("response_type", "token")]);
    assert!(matches!(
        check(&w.svc, &w.site.pool_id, &p).await,
        Err(Refusal::Redirect { error: "unauthorized_client", .. })
    ));
    // A standard scope the client lacks is dropped, as Cognito does; no scope means all of the client's.
    let (a, _) = check(&w.svc, &w.site.pool_id, &w.authorize(&[("scope", "openid phone")])).await.unwrap();
    assert_eq!(a.scopes, ["openid"]);
    let (a, _) = check(&w.svc, &w.site.pool_id, &w.authorize(&[])).await.unwrap();
    assert_eq!(a.scopes, ["openid", "email"]);
}

#[tokio::test]
async fn a_code_is_single_use_and_bound_to_client_redirect_and_verifier() {
    let w = world().await;
    let query = w.authorize(&[("nonce", "n-1")]);
    let wrong = w.login(&query, "Wrong-Horse-9").await;
    let Outcome::Html { body, .. } = &wrong else { panic!("{wrong:?}") };
    assert!(body.contains("role=\"alert\">Incorrect username or password."), "{body}");

    let code = code_of(&w.login(&query, PASSWORD).await);
    let auth = ClientAuth { basic: None };
    let form = |verifier: &str, redirect: &str| {
        params(&[
            ("grant_type", "authorization_code"),
            ("client_id", &w.client),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ])
    };
    let bad = token(&w.svc, &w.site.pool_id, &form(&VERIFIER.replace('a', "b"), CALLBACK), &auth).await;
    assert_eq!(bad.unwrap_err().error, "invalid_grant");
    // The failed attempt spent the code: a code is good for one exchange, right or wrong.
    let spent = token(&w.svc, &w.site.pool_id, &form(VERIFIER, CALLBACK), &auth).await;
    assert_eq!(spent.unwrap_err().error, "invalid_grant");

    let code = code_of(&w.login(&query, PASSWORD).await);
    let form = params(&[
        ("grant_type", "authorization_code"),
        ("client_id", &w.client),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ]);
    let tokens = token(&w.svc, &w.site.pool_id, &form, &auth).await.unwrap();
    let payload = |jwt: &Value| -> Value {
        let part = jwt.as_str().unwrap().split('.').nth(1).unwrap().to_owned();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    let id = payload(&tokens["id_token"]);
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["aud"], json!(w.client));
    assert_eq!(payload(&tokens["access_token"])["scope"], "openid email");
    assert!(tokens["refresh_token"].is_string());
    let again = token(&w.svc, &w.site.pool_id, &form, &auth).await;
    assert_eq!(again.unwrap_err().error, "invalid_grant");

    // A refresh keeps the scopes the sign-in was granted.
    let refresh = params(&[
        ("grant_type", "refresh_token"),
        ("client_id", &w.client),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
    ]);
    let refreshed = token(&w.svc, &w.site.pool_id, &refresh, &auth).await.unwrap();
    assert_eq!(payload(&refreshed["access_token"])["scope"], "openid email");
    assert!(payload(&refreshed["id_token"]).get("nonce").is_none());
}

#[tokio::test]
async fn codes_and_sessions_from_elsewhere_do_not_open() {
    let w = world().await;
    let now = now_ms();
    let code = Code {
        id: "c".into(),
        pool: w.site.pool_id.clone(),
        client: w.client.clone(),
        user: "alice".into(),
        redirect_uri: CALLBACK.into(),
        scopes: vec!["openid".into()],
        nonce: None,
        challenge: None,
        auth_time: now / 1000,
        expires_ms: now - 1,
    };
    assert!(Code::redeem(&w.svc, &code.seal(&w.svc)).await.unwrap().is_none(), "expired");
    assert!(Code::redeem(&w.svc, "not-a-code").await.unwrap().is_none());
    assert!(!Code { challenge: Some(challenge()), ..code.clone() }.verifier_matches(None));
    assert!(Code { challenge: Some(challenge()), ..code.clone() }.verifier_matches(Some(VERIFIER)));
    assert!(!code.verifier_matches(Some(VERIFIER)), "a verifier for a code without a challenge");

    let session = Session {
        id: "s1".into(),
        pool: w.site.pool_id.clone(),
        user: "alice".into(),
        sub: "x".into(),
        auth_time: now / 1000,
        expires_ms: now + 60_000,
    };
    let cookie = session.seal(&w.svc);
    assert!(Session::open(&w.svc, &w.site.pool_id, &cookie).await.unwrap().is_some());
    assert!(Session::open(&w.svc, "us-east-1_Other0000", &cookie).await.unwrap().is_none(), "another pool's");
    // A code's seal does not open as a session (each has its own sealing context).
    assert!(Session::open(&w.svc, &w.site.pool_id, &code.seal(&w.svc)).await.unwrap().is_none());
    session.end(&w.svc).await.unwrap();
    assert!(Session::open(&w.svc, &w.site.pool_id, &cookie).await.unwrap().is_none(), "ended by logout");
}

#[tokio::test]
async fn logout_redirects_only_to_registered_uris() {
    let w = world().await;
    let out = flow::logout(
        &w.svc,
        &w.site,
        &params(&[("client_id", &w.client), ("logout_uri", "https://evil.example/")]),
        None,
    )
    .await;
    assert!(matches!(out, Outcome::Html { status: 400, .. }), "{out:?}");
    let out = flow::logout(
        &w.svc,
        &w.site,
        &params(&[("client_id", &w.client), ("logout_uri", "https://app.example.com/bye")]),
        None,
    )
    .await;
    assert_eq!(
        out,
        Outcome::Redirect {
            location: "https://app.example.com/bye".into(),
            session: None,
            end_session: true
        }
    );
    let out =
        flow::logout(&w.svc, &w.site, &params(&[("logout_uri", "https://app.example.com/bye")]), None).await;
    assert!(matches!(out, Outcome::Html { status: 400, .. }), "no client: {out:?}");
}

#[tokio::test]
async fn domains_are_found_by_path_name_or_by_host() {
    use crate::domain::domains::{base_url, by_host, by_name};
    let mut w = world().await;
    let prefix = by_name(&w.svc, "unit-test").await.unwrap().unwrap();
    assert_eq!(base_url(&w.svc, &prefix), "http://cognate.test/domains/unit-test");
    // Without a base host, a prefix is not a host name of its own.
    assert!(by_host(&w.svc, "unit-test").await.unwrap().is_none());
    w.svc.domain_base_host = Some("auth.localhost".into());
    w.svc.public_url = "http://127.0.0.1:9229".into();
    assert_eq!(base_url(&w.svc, &prefix), "http://unit-test.auth.localhost:9229");
    let found = by_host(&w.svc, "Unit-Test.auth.localhost:9229").await.unwrap().unwrap();
    assert_eq!(found.pool_id, w.site.pool_id);
    assert!(by_host(&w.svc, "unit-test.other.localhost").await.unwrap().is_none());
    assert!(by_host(&w.svc, "auth.localhost").await.unwrap().is_none());

    // A custom domain answers as itself, and only as itself.
    let pool = op(&w.svc, "CreateUserPool", json!({ "PoolName": "custom" })).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    op(
        &w.svc,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": pool, "Domain": "login.example.com",
                "CustomDomainConfig": { "CertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x" } }),
    )
    .await;
    let custom = by_host(&w.svc, "login.example.com").await.unwrap().unwrap();
    assert_eq!(custom.pool_id, pool);
    assert_eq!(base_url(&w.svc, &custom), "https://login.example.com");
    assert!(by_host(&w.svc, "login.example.com.auth.localhost").await.unwrap().is_none());
}
