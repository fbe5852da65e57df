#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;

use cognate_jwt::{Fetcher, RustCrypto};
use serde_json::Value;

use super::*;

const VECTORS: &str = include_str!("../../tests/vectors/jwt/tokens.json");

/// Counts fetches; the issuer is unreachable, so only preloaded keys exist.
#[derive(Default)]
struct Unreachable(Cell<usize>);
impl Fetcher for &Unreachable {
    async fn fetch(&self, _url: &str, _timeout: Duration) -> Result<Vec<u8>, String> {
        self.0.set(self.0.get() + 1);
        Err("connection refused".to_owned())
    }
}

struct Fixture {
    v: Value,
    now: f64,
}

impl Fixture {
    fn new() -> Self {
        let v: Value = serde_json::from_str(VECTORS).unwrap();
        let now = v["now"].as_f64().unwrap();
        Self { v, now }
    }

    fn token(&self, name: &str) -> String {
        let case = self.v["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        format!("Bearer {}", case["token"].as_str().unwrap())
    }

    fn gate<'f>(
        &self,
        rules: &str,
        fetcher: &'f Unreachable,
        preload: bool,
    ) -> Gate<RustCrypto, &'f Unreachable> {
        self.gate_with(rules, &[], fetcher, preload)
    }

    fn gate_with<'f>(
        &self,
        rules: &str,
        extra: &[(&'static str, &str)],
        fetcher: &'f Unreachable,
        preload: bool,
    ) -> Gate<RustCrypto, &'f Unreachable> {
        let mut vars: HashMap<&str, String> = HashMap::new();
        vars.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        vars.insert("ISSUERS", self.v["issuer"].as_str().unwrap().to_owned());
        vars.insert("CLIENT_IDS", self.v["client_id"].as_str().unwrap().to_owned());
        vars.insert("ORIGIN", "http://127.0.0.1:1".to_owned());
        vars.insert("RULES", rules.to_owned());
        let config = Config::from_vars(|n| vars.get(n).cloned()).unwrap();
        let gate = Gate::new(config, RustCrypto, fetcher);
        if preload {
            let iss = self.v["issuer"].as_str().unwrap();
            futures_executor::block_on(gate.jwks().preload(
                iss,
                self.v["jwks"].to_string().as_bytes(),
                self.now,
            ))
            .unwrap();
        }
        gate
    }
}

const RULES: &str = r#"[
  {"path": "/health", "access": "public"},
  {"methods": ["GET"], "path": "/me", "token_use": "id"},
  {"path": "/admin/**", "groups": ["root"]},
  {"path": "/reports/**", "scopes": ["reports.read", "reports.admin"]},
  {"path": "/api/**", "cors": {"origins": ["https://app.example"]}}
]"#;

fn get<'a>(path: &'a str, authorization: Option<&'a str>) -> Request<'a> {
    Request { method: "GET", path, authorization, origin: None, preflight_method: None }
}

fn decide(gate: &Gate<RustCrypto, &Unreachable>, req: Request<'_>, now: f64) -> Decision {
    futures_executor::block_on(gate.decide(req, now))
}

fn header<'a>(headers: &'a [HeaderPair], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

fn respond(d: Decision) -> (u16, Vec<HeaderPair>, Value) {
    match d {
        Decision::Respond { status, headers, body } => (
            status,
            headers,
            if body.is_empty() { Value::Null } else { serde_json::from_str(&body).unwrap() },
        ),
        Decision::Forward { .. } => panic!("forwarded: {d:?}"),
    }
}

#[test]
fn a_valid_access_token_is_forwarded_with_the_identity() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let tok = f.token("rs256 access token");
    let Decision::Forward { identity, response, .. } = decide(&gate, get("/api/items", Some(&tok)), f.now)
    else {
        panic!("refused")
    };
    assert!(response.is_empty());
    assert_eq!(header(&identity, "x-cognate-sub"), Some("7d8ca528-4931-4254-9273-ea5ee853f271"));
    assert_eq!(header(&identity, "x-cognate-username"), Some("alice"));
    assert_eq!(header(&identity, "x-cognate-groups"), Some("admin,staff"));
    assert_eq!(header(&identity, "x-cognate-scope"), Some("aws.cognito.signin.user.admin openid"));
    assert_eq!(header(&identity, "x-cognate-client-id"), f.v["client_id"].as_str());
    assert_eq!(header(&identity, "x-cognate-token-use"), Some("access"));
    assert_eq!(header(&identity, "x-cognate-principal"), Some("user"));
    assert_eq!(fetcher.0.get(), 0);
}

#[test]
fn refusals_carry_rfc6750_challenges() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let (status, headers, body) = respond(decide(&gate, get("/api/items", None), f.now));
    assert_eq!((status, header(&headers, "www-authenticate")), (401, Some("Bearer realm=\"cognate\"")));
    assert_eq!(body["error"], "unauthorized");
    let (status, headers, _) = respond(decide(&gate, get("/api/items", Some("Basic YWxpY2U6cHc=")), f.now));
    assert_eq!((status, header(&headers, "www-authenticate")), (401, Some("Bearer realm=\"cognate\"")));

    for (name, description) in [
        ("expired", "The token has expired"),
        ("payload swapped after signing", "The token's signature is invalid"),
        ("alg none", "The token's algorithm is not accepted"),
        ("hs256 with the public key as secret", "The token's algorithm is not accepted"),
        ("wrong issuer", "The token's issuer is not trusted"),
        ("wrong client (access)", "The token was issued to another client"),
        ("rs256 id token", "This route takes another kind of token"),
    ] {
        let tok = f.token(name);
        let (status, headers, body) = respond(decide(&gate, get("/api/items", Some(&tok)), f.now));
        assert_eq!(status, 401, "{name}");
        assert_eq!(
            header(&headers, "www-authenticate").unwrap(),
            format!("Bearer realm=\"cognate\", error=\"invalid_token\", error_description=\"{description}\""),
            "{name}"
        );
        assert_eq!(body["error"], "invalid_token");
    }
    // Unknown kid: the issuer is asked once (it may have rotated); it cannot be reached, so whether
    // the key exists is unknown: 503, not a verdict on the token. A token with a known kid still
    // verifies with the keys held.
    let unknown = f.token("unknown kid");
    assert_eq!(respond(decide(&gate, get("/api/items", Some(&unknown)), f.now + 20.0)).0, 503);
    assert_eq!(respond(decide(&gate, get("/api/items", Some(&unknown)), f.now + 21.0)).0, 503);
    assert_eq!(fetcher.0.get(), 1);
    let known = f.token("es256 access token");
    assert!(matches!(decide(&gate, get("/api/items", Some(&known)), f.now + 22.0), Decision::Forward { .. }));
}

#[test]
fn rules_choose_token_use_groups_and_scopes() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let (access, id) = (f.token("rs256 access token"), f.token("rs256 id token"));
    assert!(matches!(decide(&gate, get("/me", Some(&id)), f.now), Decision::Forward { .. }));
    assert_eq!(respond(decide(&gate, get("/me", Some(&access)), f.now)).0, 401);
    let (status, headers, body) = respond(decide(&gate, get("/admin/users", Some(&access)), f.now));
    assert_eq!((status, body["error"].as_str()), (403, Some("insufficient_scope")));
    assert!(header(&headers, "www-authenticate").unwrap().contains("error=\"insufficient_scope\""));
    let (status, headers, _) = respond(decide(&gate, get("/reports/q3", Some(&access)), f.now));
    assert_eq!(status, 403);
    assert!(header(&headers, "www-authenticate").unwrap().ends_with("scope=\"reports.read reports.admin\""));
    // Public routes are forwarded with no identity, token or not.
    assert_eq!(
        decide(&gate, get("/health", None), f.now),
        Decision::Forward { path: "/health".to_owned(), identity: Vec::new(), response: Vec::new() }
    );
    assert_eq!(respond(decide(&gate, get("/nowhere", Some(&access)), f.now)).0, 404);
    assert_eq!(respond(decide(&gate, get("/health/..%2Fadmin", None), f.now)).0, 400);
}

#[test]
fn preflights_follow_the_route_cors() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let pre = |origin| Request {
        method: "OPTIONS",
        path: "/api/items",
        authorization: None,
        origin: Some(origin),
        preflight_method: Some("POST"),
    };
    let (status, headers, _) = respond(decide(&gate, pre("https://app.example"), f.now));
    assert_eq!(status, 204);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("https://app.example"));
    assert_eq!(header(&headers, "access-control-allow-methods"), Some("POST"));
    assert_eq!(header(&headers, "access-control-allow-headers"), Some("authorization, content-type"));
    assert_eq!(respond(decide(&gate, pre("https://evil.example"), f.now)).0, 403);
    // A refusal on a CORS route still carries the CORS headers, so the browser can read it.
    let mut req = get("/api/items", None);
    req.origin = Some("https://app.example");
    let (status, headers, _) = respond(decide(&gate, req, f.now));
    assert_eq!((status, header(&headers, "access-control-allow-origin")), (401, Some("https://app.example")));
    // Preflights elsewhere are refused.
    let mut other = pre("https://app.example");
    other.path = "/admin/x";
    assert_eq!(respond(decide(&gate, other, f.now)).0, 403);
}

#[test]
fn remembered_tokens_are_still_checked_for_expiry() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let tok = f.token("rs256 access token");
    assert!(matches!(decide(&gate, get("/api/a", Some(&tok)), f.now), Decision::Forward { .. }));
    assert_eq!(gate.tokens.borrow().len(), 1);
    assert!(matches!(decide(&gate, get("/api/a", Some(&tok)), f.now + 30.0), Decision::Forward { .. }));
    // The token expires at now + 3600; the remembered copy must not outlive it.
    let (status, headers, _) = respond(decide(&gate, get("/api/a", Some(&tok)), f.now + 3600.0));
    assert_eq!(status, 401);
    assert!(header(&headers, "www-authenticate").unwrap().contains("expired"));
    // The route rule is applied on every hit too.
    let (status, _, _) = respond(decide(&gate, get("/admin/a", Some(&tok)), f.now + 1.0));
    assert_eq!(status, 403);
}

#[test]
fn unreachable_keys_answer_503() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, false);
    let (status, headers, body) =
        respond(decide(&gate, get("/api/a", Some(&f.token("rs256 access token"))), f.now));
    assert_eq!((status, header(&headers, "retry-after")), (503, Some("5")));
    assert_eq!(body["error"], "temporarily_unavailable");
}

#[test]
fn identity_values_are_header_safe() {
    assert_eq!(encode("alice"), "alice");
    assert_eq!(encode("zoë%\r\n"), "zo%C3%AB%25%0D%0A");
    let claims = Claims { groups: vec!["a,b".into(), "c".into()], ..Claims::default() };
    assert_eq!(header(&identity(&claims), "x-cognate-groups"), Some("a%2Cb,c"));
}

#[test]
fn an_app_clients_own_token_is_forwarded_as_a_client() {
    let client = Claims {
        sub: Some("3n4b5urk1ft4fl3mg5e62d9ado".into()),
        client_id: Some("3n4b5urk1ft4fl3mg5e62d9ado".into()),
        token_use: Some("access".into()),
        scope: Some("https://api.example/read".into()),
        ..Claims::default()
    };
    let headers = identity(&client);
    assert_eq!(header(&headers, "x-cognate-principal"), Some("client"));
    assert_eq!(header(&headers, "x-cognate-username"), None);
    assert_eq!(header(&headers, "x-cognate-client-id"), Some("3n4b5urk1ft4fl3mg5e62d9ado"));
    // A user's access token, and an ID token, speak for a user.
    let user = Claims { username: Some("alice".into()), ..client.clone() };
    assert_eq!(header(&identity(&user), "x-cognate-principal"), Some("user"));
    let id = Claims { token_use: Some("id".into()), username: None, ..client };
    assert_eq!(header(&identity(&id), "x-cognate-principal"), Some("user"));
}

#[test]
fn only_unseen_tokens_wait_for_verification() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let tok = f.token("rs256 access token");
    let pending = gate.decide_now(get("/api/a", Some(&tok)), f.now).unwrap_err();
    assert_eq!(format!("Bearer {}", pending.token), tok);
    assert!(gate.decide_now(get("/api/a", None), f.now).is_ok(), "no token: settled at once");
    assert!(gate.decide_now(get("/health", None), f.now).is_ok(), "public: settled at once");
    assert!(matches!(decide(&gate, get("/api/a", Some(&tok)), f.now), Decision::Forward { .. }));
    assert!(matches!(gate.decide_now(get("/api/a", Some(&tok)), f.now + 1.0), Ok(Decision::Forward { .. })));
    // A token that failed verification is not remembered: it waits (and fails) again.
    let bad = f.token("payload swapped after signing");
    assert_eq!(respond(decide(&gate, get("/api/a", Some(&bad)), f.now)).0, 401);
    assert!(gate.decide_now(get("/api/a", Some(&bad)), f.now).is_err());
}

/// A strict rule before a looser one: the setting in which a path the origin reads differently
/// than the rules would reach the origin under the looser rule, with the caller's identity.
const LAYERED: &str = r#"[
  {"path": "/public/**", "access": "public"},
  {"path": "/admin/**", "groups": ["root"]},
  {"path": "/**", "token_use": "any"}
]"#;

fn forwarded_path(d: Decision) -> String {
    match d {
        Decision::Forward { path, .. } => path,
        Decision::Respond { status, body, .. } => panic!("refused {status}: {body}"),
    }
}

#[test]
fn paths_spelt_otherwise_meet_the_strict_rule() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(LAYERED, &fetcher, true);
    let tok = f.token("rs256 access token"); // groups admin and staff, not root
    assert_eq!(respond(decide(&gate, get("/admin/users", Some(&tok)), f.now)).0, 403);
    for path in [
        "//admin/users",
        "/%61dmin/users",
        "/%61%64%6D%69%6E/users",
        "/x/../admin/users",
        "///admin//users",
        "/public/../admin/users",
    ] {
        let (status, _, body) = respond(decide(&gate, get(path, Some(&tok)), f.now));
        assert_eq!((status, body["error"].as_str()), (403, Some("insufficient_scope")), "{path}");
    }
    // Without a token the strict rule asks for one.
    assert_eq!(respond(decide(&gate, get("//admin/users", None), f.now)).0, 401);
}

#[test]
fn paths_origins_read_otherwise_are_refused() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(LAYERED, &fetcher, true);
    let tok = f.token("rs256 access token");
    for (path, message) in [
        ("/admin;x=1/users", "matrix parameters"),
        ("/public/..;/admin", "matrix parameters"),
        ("/public;/../admin", "matrix parameters"),
        ("/public/%2e%2e/admin", "%2E"),
        ("/public/..%2fadmin", "encoded slash"),
        ("/public/..%5Cadmin", "encoded slash"),
        ("/public\\..\\admin", "backslash"),
        ("/public/%252e%252e/admin", "encoded %"),
        ("/public/a%00", "control character"),
        ("/public/%c0%ae%c0%ae/admin", "UTF-8"),
        ("/public/%zz", "two hex digits"),
    ] {
        for auth in [None, Some(tok.as_str())] {
            let (status, _, body) = respond(decide(&gate, get(path, auth), f.now));
            assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")), "{path}");
            assert!(body["message"].as_str().unwrap().contains(message), "{path}: {body}");
        }
    }
}

#[test]
fn the_origin_gets_the_path_that_was_judged() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(LAYERED, &fetcher, true);
    let tok = f.token("rs256 access token");
    let path = |p: &str, auth| forwarded_path(decide(&gate, get(p, auth), f.now));
    assert_eq!(path("/public/%7euser//a/./b/../c", None), "/public/~user/a/c");
    assert_eq!(path("//reports/caf%c3%a9/", Some(&tok)), "/reports/caf%C3%A9/");
    assert_eq!(path("/a b/é", Some(&tok)), "/a%20b/%C3%A9");
    // Remembered tokens take the same way out.
    assert_eq!(path("/%61pi", Some(&tok)), "/api");
    assert_eq!(forwarded_path(gate.decide_now(get("/x/../api", Some(&tok)), f.now).unwrap()), "/api");
}

#[test]
fn case_insensitive_origins_get_case_insensitive_rules() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let tok = f.token("rs256 access token");
    let insensitive = f.gate_with(LAYERED, &[("PATH_CASE", "insensitive")], &fetcher, true);
    for path in ["/ADMIN/users", "/Admin/users", "/%41dmin/users", "//aDmIn/users"] {
        assert_eq!(respond(decide(&insensitive, get(path, Some(&tok)), f.now)).0, 403, "{path}");
    }
    // The path is forwarded as spelt (in normal form): the origin ignores case anyway.
    assert_eq!(forwarded_path(decide(&insensitive, get("/PUBLIC/x", None), f.now)), "/PUBLIC/x");
    // By default case matters, as RFC 3986 says: /ADMIN is another path, for the catch-all rule.
    let sensitive = f.gate(LAYERED, &fetcher, true);
    assert_eq!(forwarded_path(decide(&sensitive, get("/ADMIN/users", Some(&tok)), f.now)), "/ADMIN/users");
}

#[test]
fn preflights_judge_the_normal_form() {
    let f = Fixture::new();
    let fetcher = Unreachable::default();
    let gate = f.gate(RULES, &fetcher, true);
    let pre = |path| Request {
        method: "OPTIONS",
        path,
        authorization: None,
        origin: Some("https://app.example"),
        preflight_method: Some("POST"),
    };
    assert_eq!(respond(decide(&gate, pre("//api/items"), f.now)).0, 204);
    assert_eq!(respond(decide(&gate, pre("/%61pi/items"), f.now)).0, 204);
    assert_eq!(respond(decide(&gate, pre("/api;x/items"), f.now)).0, 400);
}
