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

/// The outcome of [`decide`]: `status` 0 means forward to the origin.
#[wasm_bindgen]
pub struct Outcome {
    status: u16,
    headers: Vec<String>,
    response_headers: Vec<String>,
    body: String,
}

#[wasm_bindgen]
impl Outcome {
    /// 0 to forward, otherwise the status to answer with.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }
    /// Flattened name, value pairs: identity headers when forwarding, else the response's headers.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }
    /// Flattened name, value pairs to add to the origin's response (CORS).
    #[wasm_bindgen(getter, js_name = responseHeaders)]
    pub fn response_headers(&self) -> Vec<String> {
        self.response_headers.clone()
    }
    /// The body to answer with.
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> String {
        self.body.clone()
    }
}

fn flat(pairs: Vec<(&'static str, String)>) -> Vec<String> {
    pairs.into_iter().flat_map(|(k, v)| [k.to_owned(), v]).collect()
}

/// Decides one request.
#[wasm_bindgen]
pub async fn decide(
    method: String,
    path: String,
    authorization: Option<String>,
    origin: Option<String>,
    preflight_method: Option<String>,
) -> Outcome {
    let Some(gate) = GATE.with(|g| g.borrow().clone()) else {
        return misconfigured();
    };
    let Ok(gate) = gate.as_ref() else {
        return misconfigured();
    };
    let req = Request {
        method: &method,
        path: &path,
        authorization: authorization.as_deref(),
        origin: origin.as_deref(),
        preflight_method: preflight_method.as_deref(),
    };
    match gate.decide(req, cognate_jwt::now()).await {
        Decision::Forward { identity, response } => Outcome {
            status: 0,
            headers: flat(identity),
            response_headers: flat(response),
            body: String::new(),
        },
        Decision::Respond { status, headers, body } => {
            Outcome { status, headers: flat(headers), response_headers: Vec::new(), body }
        }
    }
}

fn misconfigured() -> Outcome {
    Outcome {
        status: 500,
        headers: vec!["content-type".to_owned(), "application/json".to_owned()],
        response_headers: Vec::new(),
        body: r#"{"error":"misconfigured","message":"the edge verifier's configuration is invalid; see its log"}"#.to_owned(),
    }
}
