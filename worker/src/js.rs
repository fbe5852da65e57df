//! The wasm-bindgen surface the JS entry (`src/index.js`) calls: `configure(env)` once per isolate
//! and `decide(...)` per request. The gate, its JWKS (with imported `CryptoKey`s) and its verified
//! tokens live in the isolate between requests.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cognate_jwt::{Fetcher, WebCrypto};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::config::Config;
use crate::gate::{Decision, Gate, Request};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
}

/// JWKS over the host's `fetch`, bounded by `AbortSignal.timeout`.
struct JsFetcher;

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
}

impl Fetcher for JsFetcher {
    async fn fetch(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
        let init = Object::new();
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        let signal = web_sys::AbortSignal::timeout_with_u32(ms);
        Reflect::set(&init, &"signal".into(), &signal).map_err(|e| describe(&e))?;
        let response = JsFuture::from(global_fetch(url, &init)).await.map_err(|e| describe(&e))?;
        let response: web_sys::Response = response.unchecked_into();
        if !response.ok() {
            return Err(format!("{url} answered HTTP {}", response.status()));
        }
        let body = JsFuture::from(response.array_buffer().map_err(|e| describe(&e))?)
            .await
            .map_err(|e| describe(&e))?;
        Ok(Uint8Array::new(&body).to_vec())
    }
}

type EdgeGate = Gate<WebCrypto, JsFetcher>;

thread_local! {
    static GATE: RefCell<Option<Rc<Result<EdgeGate, String>>>> = const { RefCell::new(None) };
}

/// Reads the Worker's variables from `env` and builds the gate; returns the configuration error,
/// if any (every request is then refused with 500).
#[wasm_bindgen]
pub fn configure(env: &JsValue) -> Option<String> {
    let var = |name: &str| {
        let v = Reflect::get(env, &JsValue::from_str(name)).ok()?;
        if v.is_undefined() || v.is_null() {
            return None;
        }
        // wrangler.toml may give RULES or JWKS_URLS as TOML tables/arrays: they arrive as objects.
        v.as_string().or_else(|| js_sys::JSON::stringify(&v).ok().map(String::from))
    };
    let gate = Config::from_vars(var).map(|config| Gate::new(config, WebCrypto, JsFetcher));
    let error = gate.as_ref().err().cloned();
    if let Some(e) = &error {
        web_sys::console::error_1(&JsValue::from_str(&format!("cognate-edge is misconfigured: {e}")));
    }
    GATE.with(|g| *g.borrow_mut() = Some(Rc::new(gate)));
    error
}

/// The configured origin (no trailing slash), once [`configure`] has run with a valid configuration.
#[wasm_bindgen]
pub fn origin() -> Option<String> {
    GATE.with(|g| {
        g.borrow().as_ref().and_then(|gate| gate.as_ref().as_ref().ok().map(|g| g.config().origin.clone()))
    })
}

/// A decision as one string, which crosses into JavaScript in one piece and leaves nothing to free:
/// five parts separated by U+0001 (status, headers, response headers, body, path), each header list
/// being `name \n value \n name \n value...`. No header holds a control character, the body is
/// JSON, whose strings escape them, and the path is in normal form (ASCII, no controls). Status 0:
/// forward to the origin at that path, with the headers as identity headers; otherwise answer with
/// them (the path is then empty).
fn encode(decision: Decision) -> String {
    let (status, headers, response, body, path) = match decision {
        Decision::Forward { path, identity, response } => (0, identity, response, String::new(), path),
        Decision::Respond { status, headers, body } => (status, headers, Vec::new(), body, String::new()),
    };
    format!("{status}\u{1}{}\u{1}{}\u{1}{body}\u{1}{path}", flat(&headers), flat(&response))
}

fn flat(pairs: &[(&'static str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(name);
        out.push('\n');
        out.push_str(value);
    }
    out
}

fn gate() -> Option<Rc<Result<EdgeGate, String>>> {
    GATE.with(|g| g.borrow().clone())
}

/// Decides one request without waiting, when it can (see `Gate::decide_now`); `undefined` when
/// its token must be verified first: then call [`decide`]. The answer is encoded as [`encode`] says.
#[wasm_bindgen(js_name = decideNow)]
pub fn decide_now(
    method: &str,
    path: &str,
    authorization: Option<String>,
    origin: Option<String>,
    preflight_method: Option<String>,
) -> Option<String> {
    let Some(gate) = gate() else { return Some(misconfigured()) };
    let Ok(gate) = gate.as_ref() else { return Some(misconfigured()) };
    let req = Request {
        method,
        path,
        authorization: authorization.as_deref(),
        origin: origin.as_deref(),
        preflight_method: preflight_method.as_deref(),
    };
    gate.decide_now(req, cognate_jwt::now()).ok().map(encode)
}

/// Decides one request, verifying its token if need be; encoded as [`encode`] says.
#[wasm_bindgen]
pub async fn decide(
    method: String,
    path: String,
    authorization: Option<String>,
    origin: Option<String>,
    preflight_method: Option<String>,
) -> String {
    let Some(gate) = gate() else { return misconfigured() };
    let Ok(gate) = gate.as_ref() else { return misconfigured() };
    let req = Request {
        method: &method,
        path: &path,
        authorization: authorization.as_deref(),
        origin: origin.as_deref(),
        preflight_method: preflight_method.as_deref(),
    };
    encode(gate.decide(req, cognate_jwt::now()).await)
}

fn misconfigured() -> String {
    let body =
        r#"{"error":"misconfigured","message":"the edge verifier's configuration is invalid; see its log"}"#;
    encode(Decision::Respond {
        status: 500,
        headers: vec![("content-type", "application/json".to_owned())],
        body: body.to_owned(),
    })
}

/// Runs the parsing paths once on made-up input, at module start-up, so the first real request
/// does not pay for compiling and first-running them (workerd compiles wasm functions lazily).
/// Start-up CPU is budgeted separately from requests (Workers allow 1 s for it).
#[wasm_bindgen]
pub fn warm() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let n = B64.encode([0xc5_u8; 256]);
    let jwks = format!(
        r#"{{"keys":[{{"kty":"RSA","kid":"warm","alg":"RS256","use":"sig","n":"{n}","e":"AQAB"}}]}}"#
    );
    let _ = cognate_jwt::Jwks::parse(jwks.as_bytes());
    let header = B64.encode(r#"{"alg":"RS256","kid":"warm"}"#);
    let claims = B64.encode(
        r#"{"sub":"s","iss":"https://warm.invalid/p","client_id":"c","token_use":"access","scope":"a b","exp":1,"iat":0,"auth_time":0,"jti":"j","username":"u","cognito:groups":["g"]}"#,
    );
    let token = format!("{header}.{claims}.AAAA");
    let config = Config::from_vars(|name| match name {
        "ISSUERS" => Some("https://warm.invalid/p".to_owned()),
        "CLIENT_IDS" => Some("c".to_owned()),
        "ORIGIN" => Some("https://origin.invalid".to_owned()),
        _ => None,
    });
    if let Ok(config) = config {
        let gate = Gate::new(config, WebCrypto, JsFetcher);
        let auth = format!("Bearer {token}");
        let req = Request {
            method: "GET",
            path: "/warm",
            authorization: Some(&auth),
            origin: None,
            preflight_method: None,
        };
        let _ = gate.decide_now(req, 0.0).map(encode);
        let _ = gate.decide_now(Request { authorization: None, ..req }, 0.0).map(encode);
        // The asynchronous half (WebCrypto import and verify) too, if the host allows it here.
        wasm_bindgen_futures::spawn_local(async move {
            if gate.jwks().preload("https://warm.invalid/p", jwks.as_bytes(), 0.0).await.is_ok() {
                let req = Request { authorization: Some(&auth), ..Request::default() };
                let _ = gate.decide(Request { method: "GET", path: "/warm", ..req }, 0.5).await;
            }
        });
    }
    let _ = cognate_jwt::Unverified::parse(&token).map(|u| crate::gate::identity_of(u.claims()));
}
