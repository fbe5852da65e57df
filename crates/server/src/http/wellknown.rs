//! `/{pool_id}/.well-known/jwks.json` and `/{pool_id}/.well-known/openid-configuration`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use crate::domain::domains::base_url;
use crate::domain::pools::load;
use crate::tokens::{issuer, jwks as pool_jwks};

fn cached(body: Value, max_age: u32) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        response.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "message": "User pool not found" }))).into_response()
}

/// The pool's public signing keys. Cached for an hour: a new key is published a rotation window
/// before it signs, so caches that are this old still hold every key in use.
pub(super) async fn jwks(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    let svc = &state.services;
    if load(svc, &pool_id).await.is_err() {
        return not_found();
    }
    match pool_jwks(svc, &pool_id).await {
        Ok(keys) => cached(keys, 3600),
        Err(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "message": "internal error" }))).into_response()
        }
    }
}

/// OIDC discovery for the pool's issuer.
pub(super) async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
) -> Response {
    let svc = &state.services;
    if load(svc, &pool_id).await.is_err() {
        return not_found();
    }
    let iss = issuer(svc, &pool_id);
    let mut doc = json!({
        "issuer": iss,
        "jwks_uri": format!("{iss}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "implicit"],
    });
    // The authorization server lives on the pool's domain; a pool without one has none to advertise.
    match svc.store.domain_of_pool(&pool_id).await {
        Ok(Some(domain)) => {
            let base = base_url(svc, &domain);
            for (member, path) in [
                ("authorization_endpoint", "/oauth2/authorize"),
                ("token_endpoint", "/oauth2/token"),
                ("userinfo_endpoint", "/oauth2/userInfo"),
                ("revocation_endpoint", "/oauth2/revoke"),
                ("end_session_endpoint", "/logout"),
            ] {
                doc[member] = json!(format!("{base}{path}"));
            }
        }
        Ok(None) => {}
        Err(_) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "message": "internal error" })))
                .into_response();
        }
    }
    cached(
        doc, // Short: a domain created or deleted shows within a minute.
        60,
    )
}
