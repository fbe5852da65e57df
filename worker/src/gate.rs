//! The decision for one request: refuse it (with RFC 6750's `WWW-Authenticate`), answer a CORS
//! preflight, or forward it with identity headers. Pure Rust, so it is tested natively; the wasm
//! layer (`js.rs`) only moves strings in and out.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cognate_jwt::{Backend, Claims, Error, Fetcher, JwksCache, Rule, TokenUse, Verified, Verifier};

use crate::config::Config;
use crate::path::{NormalPath, normalize};
use crate::routes::{Access, Route, RouteRule, Use};

/// What the worker needs to know of a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The method.
    pub method: &'a str,
    /// The URL's path without its query, as the runtime parsed it. It is put in normal form
    /// (`crate::path`) before any rule sees it, and that form is what gets forwarded.
    pub path: &'a str,
    /// `Authorization`.
    pub authorization: Option<&'a str>,
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Access-Control-Request-Method` (preflights).
    pub preflight_method: Option<&'a str>,
}

/// A header name and value.
pub type HeaderPair = (&'static str, String);

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send it on to the origin, at `path`, with incoming `x-cognate-*` headers removed and these
    /// set; add `response` headers to the origin's answer.
    Forward {
        /// The path the rules judged, in normal form: the origin must get this one, not the
        /// request's own spelling of it.
        path: String,
        /// Identity headers for the origin.
        identity: Vec<HeaderPair>,
        /// Headers for the response (CORS).
        response: Vec<HeaderPair>,
    },
    /// Answer here.
    Respond {
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: Vec<HeaderPair>,
        /// Body (JSON, or empty).
        body: String,
    },
}

/// A request that needs its token verified: what [`Gate::decide_now`] could not settle.
#[derive(Debug)]
pub struct Pending<'r> {
    /// The bearer token.
    pub token: &'r str,
    rule: usize,
    path: String,
    cors: Vec<HeaderPair>,
}

/// A verified token kept for reuse: its expiry is checked again on every hit.
struct Remembered {
    claims: Rc<Verified<Claims>>,
    until: f64,
}

/// The edge verifier's state for one isolate: configuration, JWKS cache, verified tokens.
pub struct Gate<B: Backend, F> {
    config: Config,
    rules: Vec<(Route, Rule)>,
    verifier: Verifier<B, F>,
    tokens: RefCell<HashMap<String, Remembered>>,
}

impl<B: Backend, F: Fetcher> Gate<B, F> {
    /// A gate for `config`, checking signatures with `backend` and fetching JWKS with `fetcher`.
    pub fn new(config: Config, backend: B, fetcher: F) -> Self {
        let cache = JwksCache::new(backend, fetcher, config.jwks, config.issuers.clone());
        let verifier = Verifier::new(cache, config.clients.clone(), config.skew);
        let rules = config
            .rules
            .iter()
            .map(|route| {
                let r = &route.rule;
                let token_use = match r.token_use {
                    Use::Access => Some(TokenUse::Access),
                    Use::Id => Some(TokenUse::Id),
                    Use::Any => None,
                };
                let rule = Rule {
                    token_use,
                    scopes_any: r.scopes.clone(),
                    groups_any: r.groups.clone(),
                    custom: Vec::new(),
                };
                (route.clone(), rule)
            })
            .collect();
        Self { config, rules, verifier, tokens: RefCell::new(HashMap::new()) }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The JWKS cache (to preload keys).
    pub fn jwks(&self) -> &JwksCache<B, F> {
        self.verifier.cache()
    }

    /// Decides what to do with `req` at `now` (seconds since the epoch).
    pub async fn decide(&self, req: Request<'_>, now: f64) -> Decision {
        match self.decide_now(req, now) {
            Ok(decision) => decision,
            Err(pending) => {
                let verified = self.verifier.verify(pending.token, now).await;
                let verified = verified.map(|claims| self.remember(pending.token, claims, now));
                self.conclude(verified, pending)
            }
        }
    }

    /// Decides without waiting when it can: everything but a token not yet verified (which needs
    /// WebCrypto, and maybe the JWKS, both asynchronous) is settled here, remembered tokens included.
    pub fn decide_now<'r>(&self, req: Request<'r>, now: f64) -> Result<Decision, Pending<'r>> {
        let path = match normalize(req.path) {
            Ok(path) => path,
            Err(why) => return Ok(json(400, Vec::new(), "invalid_request", why.message())),
        };
        if req.method.eq_ignore_ascii_case("OPTIONS")
            && let (Some(origin), Some(wanted)) = (req.origin, req.preflight_method)
        {
            return Ok(self.preflight(&path, origin, wanted));
        }
        let case = self.config.path_case;
        let Some(index) = self.rules.iter().position(|(r, _)| r.matches(req.method, &path, case)) else {
            return Ok(json(404, Vec::new(), "not_found", "no route rule matches this request"));
        };
        let route = &self.rules[index].0.rule;
        let cors = cors_headers(route, req.origin);
        let path = String::from(path.as_str());
        if route.access == Access::Public {
            return Ok(Decision::Forward { path, identity: Vec::new(), response: cors });
        }
        let Some(token) = req.authorization.and_then(bearer) else {
            let mut headers = cors;
            headers.push(("www-authenticate", format!("Bearer realm=\"{}\"", self.config.realm)));
            return Ok(json(401, headers, "unauthorized", "a bearer token is required"));
        };
        let pending = Pending { token, rule: index, path, cors };
        if self.config.token_cache_size > 0 {
            let hit = self.tokens.borrow().get(token).filter(|r| now < r.until).map(|r| r.claims.clone());
            if let Some(claims) = hit {
                // Remembered, not trusted blindly: the expiry is checked again on every hit.
                let verified = self.verifier.check_time(&claims, now).map(|()| claims);
                return Ok(self.conclude(verified, pending));
            }
        }
        Err(pending)
    }

    fn conclude(&self, verified: Result<Rc<Verified<Claims>>, Error>, pending: Pending<'_>) -> Decision {
        let (route, rule) = &self.rules[pending.rule];
        match verified.and_then(|claims| rule.check(&claims).map(|()| claims)) {
            Ok(claims) => {
                Decision::Forward { path: pending.path, identity: identity(&claims), response: pending.cors }
            }
            Err(e) => self.refusal(&e, &route.rule, pending.cors),
        }
    }

    fn remember(&self, token: &str, claims: Verified<Claims>, now: f64) -> Rc<Verified<Claims>> {
        let claims = Rc::new(claims);
        let size = self.config.token_cache_size;
        if size > 0 {
            let mut tokens = self.tokens.borrow_mut();
            if tokens.len() >= size {
                // Simple and bounded: when full, start over. Hits resume after one verification.
                tokens.clear();
            }
            let until = now + self.config.token_cache_ttl;
            tokens.insert(token.to_owned(), Remembered { claims: claims.clone(), until });
        }
        claims
    }

    fn preflight(&self, path: &NormalPath, origin: &str, wanted: &str) -> Decision {
        let case = self.config.path_case;
        let route = self.rules.iter().find(|(r, _)| r.matches(wanted, path, case)).map(|(r, _)| &r.rule);
        let Some((route, cors)) = route.and_then(|r| r.cors.as_ref().map(|c| (r, c))) else {
            return json(403, Vec::new(), "cors_forbidden", "no CORS rule allows this preflight");
        };
        let mut headers = cors_headers(route, Some(origin));
        if headers.is_empty() {
            return json(403, Vec::new(), "cors_forbidden", "this origin may not call this route");
        }
        let methods = if route.methods.is_empty() || route.methods.iter().any(|m| m == "*") {
            wanted.to_ascii_uppercase()
        } else {
            route.methods.join(", ")
        };
        headers.push(("access-control-allow-methods", methods));
        headers.push(("access-control-allow-headers", cors.headers.join(", ")));
        headers.push(("access-control-max-age", cors.max_age.to_string()));
        Decision::Respond { status: 204, headers, body: String::new() }
    }

    fn refusal(&self, e: &Error, route: &RouteRule, mut headers: Vec<HeaderPair>) -> Decision {
        let realm = &self.config.realm;
        if e.is_unavailable() {
            headers.push(("retry-after", "5".to_owned()));
            return json(
                503,
                headers,
                "temporarily_unavailable",
                "the issuer's signing keys cannot be fetched",
            );
        }
        let description = describe(e);
        if e.is_insufficient() {
            let scope = if route.scopes.is_empty() {
                String::new()
            } else {
                format!(", scope=\"{}\"", route.scopes.join(" "))
            };
            headers.push((
                "www-authenticate",
                format!("Bearer realm=\"{realm}\", error=\"insufficient_scope\", error_description=\"{description}\"{scope}"),
            ));
            return json(403, headers, "insufficient_scope", &e.to_string());
        }
        headers.push((
            "www-authenticate",
            format!("Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{description}\""),
        ));
        json(401, headers, "invalid_token", &e.to_string())
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A fixed description per failure, for the header: nothing from the token is echoed there.
fn describe(e: &Error) -> &'static str {
    match e {
        Error::Expired { .. } => "The token has expired",
        Error::NotYetValid { .. } => "The token is not valid yet",
        Error::WrongIssuer(_) => "The token's issuer is not trusted",
        Error::WrongClient(_) => "The token was issued to another client",
        Error::WrongTokenUse { .. } => "This route takes another kind of token",
        Error::UnknownKey(_) => "The token's signing key is unknown",
        Error::BadSignature => "The token's signature is invalid",
        Error::UnsupportedAlgorithm(_) | Error::AlgorithmMismatch { .. } => {
            "The token's algorithm is not accepted"
        }
        Error::MissingScope => "The token lacks a required scope",
        Error::MissingGroup => "The user is not in a required group",
        Error::Custom(_) => "The token does not meet this route's requirements",
        _ => "The token is malformed",
    }
}

fn cors_headers(route: &RouteRule, origin: Option<&str>) -> Vec<HeaderPair> {
    let (Some(cors), Some(origin)) = (&route.cors, origin) else {
        return Vec::new();
    };
    let any = cors.origins.iter().any(|o| o == "*");
    if !any && !cors.origins.iter().any(|o| o == origin) {
        return Vec::new();
    }
    vec![
        ("access-control-allow-origin", if any { "*".to_owned() } else { origin.to_owned() }),
        ("vary", "Origin".to_owned()),
        ("access-control-expose-headers", "WWW-Authenticate".to_owned()),
    ]
}

/// The identity headers for claims (also used to warm the code paths up at start-up).
pub fn identity_of(claims: &Claims) -> Vec<HeaderPair> {
    identity(claims)
}

fn identity(claims: &Claims) -> Vec<HeaderPair> {
    let mut out = Vec::with_capacity(7);
    let mut add = |name: &'static str, value: Option<&str>| {
        if let Some(v) = value {
            out.push((name, encode(v)));
        }
    };
    add("x-cognate-sub", claims.sub.as_deref());
    add("x-cognate-username", claims.user_name());
    add("x-cognate-client-id", claims.client());
    add("x-cognate-token-use", claims.token_use.as_deref());
    add("x-cognate-scope", claims.scope.as_deref());
    add("x-cognate-principal", Some(principal(claims)));
    let groups: Vec<String> = claims.groups.iter().map(|g| encode(g).replace(',', "%2C")).collect();
    out.push(("x-cognate-groups", groups.join(",")));
    out
}

/// Who the token speaks for: `client` for an app client's own access token (the client_credentials
/// grant: no username, `sub` is the client), `user` otherwise.
fn principal(claims: &Claims) -> &'static str {
    let machine = claims.token_use.as_deref() == Some("access")
        && claims.username.is_none()
        && claims.sub.is_some()
        && claims.sub == claims.client_id;
    if machine { "client" } else { "user" }
}

/// Header-safe text: printable ASCII and spaces pass; `%`, controls and non-ASCII bytes are
/// percent-encoded (UTF-8), so values decode unambiguously and never break a header.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json(status: u16, mut headers: Vec<HeaderPair>, error: &str, message: &str) -> Decision {
    headers.push(("content-type", "application/json".to_owned()));
    headers.push(("cache-control", "no-store".to_owned()));
    let body = serde_json::json!({ "error": error, "message": message }).to_string();
    Decision::Respond { status, headers, body }
}

// Natively only: the tests check signatures with the RustCrypto backend.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "gate_tests.rs"]
mod tests;
