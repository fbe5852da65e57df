//! The domain's endpoints over HTTP: `/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`,
//! `/oauth2/userInfo`, `/logout` and the managed login pages. A request finds its domain by its path
//! (`/domains/{domain}/...` on the server's own origin) or by its Host (a custom domain, or
//! `{prefix}.{COGNATE_DOMAIN_BASE_HOST}`). These handlers only move strings: cookies and the CSRF
//! check in, redirects and headers out; `crate::oauth` decides.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::AppState;
use crate::domain::domains::{base_url, by_host, by_name};
use crate::oauth::authorize::Params;
use crate::oauth::flow::{self, AccountPage, Incoming, Outcome, Site};
use crate::oauth::pages::{Lang, error_page};
use crate::oauth::token::{ClientAuth, OAuthError, revoke, token, user_info};

const SESSION_COOKIE: &str = "cognito";
const CSRF_COOKIE: &str = "XSRF-TOKEN";
/// What the pages allow: their own inline style and (passkey) script, nothing from elsewhere, no
/// framing. No `form-action`: browsers apply it to the redirect back to the app.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

/// The domain a request came to, and the path its cookies are scoped to.
pub(super) struct Domain {
    site: Site,
    cookie_path: String,
    secure: bool,
}

impl FromRequestParts<AppState> for Domain {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let svc = &state.services;
        // Nesting strips `/domains/{domain}` from the URI; the original keeps it.
        let original = parts.extensions.get::<axum::extract::OriginalUri>().map(|o| o.0.clone());
        let path = original.as_ref().map_or_else(|| parts.uri.path(), |u| u.path());
        let found = if let Some(rest) = path.strip_prefix("/domains/") {
            let name = rest.split('/').next().unwrap_or("");
            by_name(svc, name).await
        } else {
            let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
            by_host(svc, host).await
        };
        let not_found = || {
            let body = error_page(Lang::En, "not_found", "No user pool domain is served here.");
            page_response(StatusCode::NOT_FOUND, body)
        };
        let record = found.map_err(|_| not_found())?.ok_or_else(not_found)?;
        let base = base_url(svc, &record);
        let cookie_path = base.splitn(4, '/').nth(3).map_or_else(|| "/".to_owned(), |p| format!("/{p}"));
        Ok(Self {
            secure: base.starts_with("https://"),
            site: Site { pool_id: record.pool_id, base_url: base },
            cookie_path,
        })
    }
}

/// Holds a permit of the work in flight (shared with `POST /`) while a domain request runs; without
/// one left the request is shed at once: 429 with `Retry-After`, JSON for the program endpoints, a
/// page for the browser ones.
pub(super) async fn bounded(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Ok(_permit) = state.in_flight.clone().try_acquire_owned() else {
        let path = request.uri().path();
        let mut response = if path.contains("/oauth2/") {
            json_response(
                StatusCode::TOO_MANY_REQUESTS,
                &json!({ "error": "temporarily_unavailable", "error_description": "Too many requests; try again later." }),
            )
        } else {
            let body =
                error_page(Lang::En, "temporarily_unavailable", "Too many requests; try again in a moment.");
            page_response(StatusCode::TOO_MANY_REQUESTS, body)
        };
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    next.run(request).await
}

fn query(raw: Option<&str>) -> Params {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect::<BTreeMap<_, _>>()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn page_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn set_cookie(response: &mut Response, domain: &Domain, name: &str, value: &str, max_age: i64) {
    let secure = if domain.secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        domain.cookie_path
    );
    if let Ok(v) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn respond(outcome: Outcome, domain: &Domain, session_seconds: i64, new_csrf: Option<&str>) -> Response {
    let mut response = match outcome {
        Outcome::Html { status, body } => {
            page_response(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body)
        }
        Outcome::Redirect { location, session, end_session } => {
            let mut response = page_response(StatusCode::FOUND, String::new());
            match HeaderValue::from_str(&location) {
                Ok(v) => {
                    response.headers_mut().insert(header::LOCATION, v);
                }
                Err(_) => {
                    let body = error_page(Lang::En, "invalid_request", "The redirect URI cannot be used.");
                    return page_response(StatusCode::BAD_REQUEST, body);
                }
            }
            if let Some(value) = session {
                set_cookie(&mut response, domain, SESSION_COOKIE, &value, session_seconds);
            }
            if end_session {
                set_cookie(&mut response, domain, SESSION_COOKIE, "", 0);
            }
            response
        }
    };
    if let Some(token) = new_csrf {
        set_cookie(&mut response, domain, CSRF_COOKIE, token, 86_400);
    }
    response
}

/// The CSRF token of this browser: its cookie's, or a new one (to be set).
fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 43 && URL_SAFE_NO_PAD.decode(t).is_ok()) {
        Some(token) => (token.to_owned(), false),
        None => {
            let mut raw = [0u8; 32];
            crate::ids::fill(&mut raw);
            (URL_SAFE_NO_PAD.encode(raw), true)
        }
    }
}

async fn page(
    state: &AppState,
    domain: &Domain,
    headers: &HeaderMap,
    raw: Option<&str>,
    which: &str,
) -> Response {
    let svc = &state.services;
    let params = query(raw);
    let (csrf, new) = csrf_token(headers);
    let empty = Params::new();
    let inc =
        Incoming { params: &params, form: &empty, session: cookie(headers, SESSION_COOKIE), csrf: &csrf };
    let outcome = match which {
        "authorize" => flow::authorize(svc, &domain.site, &inc).await,
        "signup" => flow::account_form(svc, &domain.site, &inc, AccountPage::SignUp).await,
        "confirm" => flow::account_form(svc, &domain.site, &inc, AccountPage::Confirm).await,
        "forgot" => flow::account_form(svc, &domain.site, &inc, AccountPage::Forgot).await,
        "reset" => flow::account_form(svc, &domain.site, &inc, AccountPage::Reset).await,
        _ => flow::login_form(svc, &domain.site, &inc).await,
    };
    respond(outcome, domain, svc.hosted_session_seconds, new.then_some(csrf.as_str()))
}

async fn post_page(
    state: &AppState,
    domain: &Domain,
    headers: &HeaderMap,
    raw: Option<&str>,
    body: &Bytes,
    which: &str,
) -> Response {
    let svc = &state.services;
    let params = query(raw);
    let form: Params = form_urlencoded::parse(body).into_owned().collect();
    let lang = Lang::from_param(params.get("lang").map(String::as_str));
    let forbidden =
        |why: &str| page_response(StatusCode::FORBIDDEN, error_page(lang, "invalid_request", why));
    // Double-submit CSRF check, and the Origin (when the browser sends one) must be the page's.
    let given = form.get("_csrf").map_or("", String::as_str);
    let expected = cookie(headers, CSRF_COOKIE).unwrap_or("");
    if given.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return forbidden("The form's security token is missing or stale. Reload the page and try again.");
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok())
        && origin != "null"
        && origin.split_once("://").map(|(_, h)| h) != Some(host)
    {
        return forbidden("The form was posted from another site.");
    }
    let inc =
        Incoming { params: &params, form: &form, session: cookie(headers, SESSION_COOKIE), csrf: expected };
    let outcome = match which {
        "signup" => flow::account(svc, &domain.site, &inc, AccountPage::SignUp).await,
        "confirm" => flow::account(svc, &domain.site, &inc, AccountPage::Confirm).await,
        "forgot" => flow::account(svc, &domain.site, &inc, AccountPage::Forgot).await,
        "reset" => flow::account(svc, &domain.site, &inc, AccountPage::Reset).await,
        _ => flow::login(svc, &domain.site, &inc).await,
    };
    respond(outcome, domain, svc.hosted_session_seconds, None)
}

macro_rules! page_routes {
    ($($get:ident, $post:ident => $which:literal;)*) => {$(
        pub(super) async fn $get(State(state): State<AppState>, domain: Domain, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
            page(&state, &domain, &headers, raw.as_deref(), $which).await
        }
        pub(super) async fn $post(State(state): State<AppState>, domain: Domain, headers: HeaderMap, RawQuery(raw): RawQuery, body: Bytes) -> Response {
            post_page(&state, &domain, &headers, raw.as_deref(), &body, $which).await
        }
    )*};
}

page_routes! {
    login_get, login_post => "login";
    signup_get, signup_post => "signup";
    confirm_get, confirm_post => "confirm";
    forgot_get, forgot_post => "forgot";
    reset_get, reset_post => "reset";
}

/// `GET /oauth2/authorize`.
pub(super) async fn authorize(
    State(state): State<AppState>,
    domain: Domain,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    page(&state, &domain, &headers, raw.as_deref(), "authorize").await
}

/// `GET /logout`.
pub(super) async fn logout(
    State(state): State<AppState>,
    domain: Domain,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query(raw.as_deref());
    let outcome =
        flow::logout(&state.services, &domain.site, &params, cookie(&headers, SESSION_COOKIE)).await;
    let mut response = respond(outcome, &domain, state.services.hosted_session_seconds, None);
    // Whatever happened, this browser's session cookie goes.
    if !response.headers().get_all(header::SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(b"cognito=;"))
    {
        set_cookie(&mut response, &domain, SESSION_COOKIE, "", 0);
    }
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn oauth_error(e: &OAuthError, basic: bool) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response =
        json_response(status, &json!({ "error": e.error, "error_description": e.description }));
    if e.status == 401 {
        let challenge = if basic { "Basic realm=\"oauth2\"" } else { "Basic" };
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    response
}

/// The client of an `Authorization: Basic` header (RFC 6749 §2.3.1: both halves form-encoded).
fn basic_auth(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else {
        return Ok(None);
    };
    let bad = || OAuthError {
        status: 401,
        error: "invalid_client",
        description: "Malformed Basic credentials.".into(),
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let unescape =
        |s: &str| form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Ok(Some((unescape(id).ok_or_else(bad)?, unescape(secret).ok_or_else(bad)?)))
}

fn form_body(headers: &HeaderMap, body: &Bytes) -> Result<Params, OAuthError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(OAuthError {
            status: 400,
            error: "invalid_request",
            description: "The body must be application/x-www-form-urlencoded.".into(),
        });
    }
    Ok(form_urlencoded::parse(body).into_owned().collect())
}

/// `POST /oauth2/token`.
pub(super) async fn token_endpoint(
    State(state): State<AppState>,
    domain: Domain,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let basic = match basic_auth(&headers) {
        Ok(b) => b,
        Err(e) => return oauth_error(&e, true),
    };
    let form = match form_body(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(&e, basic.is_some()),
    };
    let with_basic = basic.is_some();
    match token(&state.services, &domain.site.pool_id, &form, &ClientAuth { basic }).await {
        Ok(answer) => json_response(StatusCode::OK, &answer),
        Err(e) => oauth_error(&e, with_basic),
    }
}

/// `POST /oauth2/revoke`.
pub(super) async fn revoke_endpoint(
    State(state): State<AppState>,
    domain: Domain,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let basic = match basic_auth(&headers) {
        Ok(b) => b,
        Err(e) => return oauth_error(&e, true),
    };
    let form = match form_body(&headers, &body) {
        Ok(f) => f,
        Err(e) => return oauth_error(&e, basic.is_some()),
    };
    let with_basic = basic.is_some();
    match revoke(&state.services, &domain.site.pool_id, &form, &ClientAuth { basic }).await {
        Ok(()) => json_response(StatusCode::OK, &json!({})),
        Err(e) => oauth_error(&e, with_basic),
    }
}

/// `GET` or `POST /oauth2/userInfo`.
pub(super) async fn user_info_endpoint(
    State(state): State<AppState>,
    domain: Domain,
    headers: HeaderMap,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    match user_info(&state.services, &domain.site.pool_id, bearer).await {
        Ok(claims) => json_response(StatusCode::OK, &claims),
        Err(e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
            let mut response =
                json_response(status, &json!({ "error": e.error, "error_description": e.description }));
            let challenge = format!("Bearer error=\"{}\", error_description=\"{}\"", e.error, e.description);
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            response
        }
    }
}
