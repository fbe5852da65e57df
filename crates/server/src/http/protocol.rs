//! `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`: Cognito's JSON 1.1
//! protocol.

use std::any::Any;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_proto::{CognitoError, Exception};
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::AppState;
use crate::api::{Caller, UNSIGNED, dispatch};
use crate::sigv4::{self, SignedRequest};

/// Largest request body accepted.
const MAX_BODY: usize = 1 << 20;
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_1_1: &str = "application/x-amz-json-1.1";

fn answer(status: StatusCode, body: &Value, request_id: &str, error: Option<&str>) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_1_1));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(kind) = error.and_then(|k| HeaderValue::from_str(k).ok()) {
        headers.insert("x-amzn-errortype", kind);
    }
    response
}

fn error_response(err: &CognitoError, request_id: &str) -> Response {
    let status = StatusCode::from_u16(err.kind.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_value(err.body()).unwrap_or(Value::Null);
    answer(status, &body, request_id, Some(err.kind.name()))
}

/// A panic inside a handler: a 500 that says nothing of the cause (which goes to the log).
pub(super) fn panic_response(cause: Box<dyn Any + Send + 'static>) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let what = cause
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| cause.downcast_ref::<String>().cloned());
    tracing::error!(request_id, cause = what.as_deref().unwrap_or("unknown"), "handler panicked");
    error_response(&CognitoError::new(Exception::InternalError, "An internal error occurred."), &request_id)
}

fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect()
}

/// Verifies SigV4 for a signed operation; Ok(region) on success.
fn authenticate(
    state: &AppState,
    parts: &axum::http::request::Parts,
    body: &Bytes,
) -> Result<String, CognitoError> {
    let mut headers = header_list(&parts.headers);
    // HTTP/2 carries the host in the :authority pseudo-header, not in a Host header.
    if !parts.headers.contains_key(header::HOST)
        && let Some(authority) = parts.uri.authority()
    {
        headers.push(("host".to_owned(), authority.to_string()));
    }
    let request = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body,
    };
    let now = crate::api::now_ms() / 1000;
    let secret_for = |id: &str| {
        // Every key is compared, in constant time, so timing does not reveal which ids exist.
        let mut found = None;
        for key in state.admin_keys.iter() {
            if bool::from(key.access_key_id.as_bytes().ct_eq(id.as_bytes())) {
                found = Some(key.secret_access_key.clone());
            }
        }
        found
    };
    sigv4::verify(&request, now, "cognito-idp", secret_for).map(|verified| verified.region).map_err(|e| {
        let kind = e.exception_name().parse::<Exception>();
        let kind = kind.unwrap_or(Exception::InvalidSignature);
        CognitoError::new(kind, e.to_string())
    })
}

/// The protocol endpoint.
pub(super) async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    // Shed at once what exceeds the work the server takes on, before reading the body.
    let Ok(_permit) = state.in_flight.clone().try_acquire_owned() else {
        let err = CognitoError::new(Exception::TooManyRequests, "Too many requests; try again later.");
        return error_response(&err, &request_id);
    };
    let (parts, body) = request.into_parts();
    let body = match to_bytes(Body::new(body), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let err =
                CognitoError::new(Exception::InvalidParameter, "The request body is larger than 1 MiB.");
            let mut response = error_response(&err, &request_id);
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
    };
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(op) = target.strip_prefix(TARGET_PREFIX).filter(|op| !op.is_empty()) else {
        let err = CognitoError::new(Exception::UnknownOperation, "Missing or unknown X-Amz-Target header.");
        return error_response(&err, &request_id);
    };
    let mut caller = Caller::default();
    if !UNSIGNED.contains(&op) {
        match authenticate(&state, &parts, &body) {
            Ok(region) => caller.region = Some(region),
            Err(err) => return error_response(&err, &request_id),
        }
    }
    let json: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                let err = CognitoError::new(Exception::Serialization, "The request body is not valid JSON.");
                return error_response(&err, &request_id);
            }
        }
    };
    match dispatch(&state.services, &caller, op, json).await {
        Ok(value) => answer(StatusCode::OK, &value, &request_id, None),
        Err(err) => {
            if err.kind.http_status() >= 500 {
                tracing::error!(request_id, operation = op, "internal error answered");
            }
            error_response(&err, &request_id)
        }
    }
}
