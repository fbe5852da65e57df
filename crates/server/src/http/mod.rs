//! HTTP: the router, and the protocol endpoint (`POST /`) that authenticates, parses and routes to
//! [`crate::api::dispatch`]. Handlers stay thin; errors become Cognito's JSON in one place.

mod hosted;
mod protocol;
mod serve;
pub mod tls;
mod wellknown;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Method};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

pub use serve::serve;

use crate::config::AdminKey;
use crate::services::Services;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The operations' dependencies.
    pub services: Services,
    /// Access keys allowed to call the signed operations.
    pub admin_keys: Arc<Vec<AdminKey>>,
    /// Operations running now: one permit each; a request that finds none left is shed at once.
    in_flight: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state of a server with `limits`.
    #[must_use]
    pub fn new(services: Services, admin_keys: Arc<Vec<AdminKey>>, limits: &Limits) -> Self {
        let in_flight = Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight.max(1)));
        Self { services, admin_keys, in_flight }
    }
}

/// How much work and how many connections a server takes on.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Operations (`POST /`) running at once; more are answered `TooManyRequestsException` at once
    /// instead of queueing, so admitted requests keep their latency under overload.
    pub max_in_flight: usize,
    /// Open connections; past this the server stops accepting until one closes.
    pub max_connections: usize,
    /// A connection that has not sent a whole request head within this time (a new connection, a
    /// slow sender, or an idle keep-alive connection) is closed.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_in_flight: 16, max_connections: 1024, idle_timeout: Duration::from_secs(30) }
    }
}

/// The headers Cognito's browser SDKs send, allowed in CORS preflights.
const ALLOWED_HEADERS: [&str; 12] = [
    "content-type",
    "x-amz-target",
    "x-amz-user-agent",
    "cache-control",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "x-amz-api-version",
    "user-agent",
];

/// The server's routes.
pub fn app(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::POST, Method::GET, Method::OPTIONS])
        .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
        .expose_headers([
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
        ])
        .max_age(Duration::from_secs(600));
    let domain_routes = |state: &AppState| {
        Router::new()
            .route("/oauth2/authorize", get(hosted::authorize))
            .route("/oauth2/token", post(hosted::token_endpoint))
            .route("/oauth2/revoke", post(hosted::revoke_endpoint))
            .route("/oauth2/userInfo", get(hosted::user_info_endpoint).post(hosted::user_info_endpoint))
            .route("/logout", get(hosted::logout))
            .route("/login", get(hosted::login_get).post(hosted::login_post))
            .route("/signup", get(hosted::signup_get).post(hosted::signup_post))
            .route("/confirm", get(hosted::confirm_get).post(hosted::confirm_post))
            .route("/forgotPassword", get(hosted::forgot_get).post(hosted::forgot_post))
            .route("/confirmForgotPassword", get(hosted::reset_get).post(hosted::reset_post))
            .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
            .layer(axum::middleware::from_fn_with_state(state.clone(), hosted::bounded))
    };
    Router::new()
        .merge(domain_routes(&state))
        .nest("/domains/{domain}", domain_routes(&state))
        .route("/", post(protocol::handle))
        .route("/health", get(|| async { "ok" }))
        .route("/{pool_id}/.well-known/jwks.json", get(wellknown::jwks))
        .route("/{pool_id}/.well-known/openid-configuration", get(wellknown::openid_configuration))
        .with_state(state)
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(protocol::panic_response))
}
