//! `/oauth2/authorize`'s parameters, checked as Cognito checks them. The same parameters ride along
//! on every managed login page, and are checked again on every form post: the pages keep no state
//! of their own between requests.
//!
//! A request whose `client_id` or `redirect_uri` is wrong is never redirected: the browser gets our
//! error page saying what is wrong. Once both are right, every other refusal goes back to the app
//! at its redirect URI, as `error`, `error_description` and `state`.

use std::collections::BTreeMap;

use cognate_proto::CognitoError;

use super::grant::valid_pkce_text;
use crate::domain::resource_servers::STANDARD_SCOPES;
use crate::services::Services;
use crate::signin::{Context, context};

/// `response_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// The authorization code grant.
    Code,
    /// The implicit grant: tokens in the redirect's fragment.
    Token,
}

/// A checked authorize request.
#[derive(Debug, Clone)]
pub struct Authorize {
    /// `code` or `token`.
    pub response_type: ResponseType,
    /// The client.
    pub client_id: String,
    /// One of the client's callback URLs, exactly.
    pub redirect_uri: String,
    /// Returned byte for byte.
    pub state: Option<String>,
    /// The scopes to grant: those asked for that the client has, or all the client's.
    pub scopes: Vec<String>,
    /// Copied into the ID token.
    pub nonce: Option<String>,
    /// PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// `login` (ask again even with a session), `none` (never show a page), ...
    pub prompt: Option<String>,
    /// The page language (`lang`).
    pub lang: Option<String>,
    /// Prefills the username field.
    pub login_hint: Option<String>,
}

/// Why an authorize request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Shown on our error page, never redirected: the client or the redirect URI is not known.
    Page {
        /// An OAuth-style code (`redirect_mismatch`, `invalid_client`, `invalid_request`).
        error: &'static str,
        /// What is wrong and how to fix it.
        description: String,
    },
    /// Sent back to the app's (registered) redirect URI.
    Redirect {
        /// RFC 6749 §4.1.2.1 error code.
        error: &'static str,
        /// Why.
        description: String,
        /// Where to, with `state`.
        redirect_uri: String,
        /// The app's state.
        state: Option<String>,
        /// Whether the answer goes in the fragment (implicit grant).
        fragment: bool,
    },
}

/// Every parameter as given (the last of repeated ones).
pub type Params = BTreeMap<String, String>;

/// Checks the authorize parameters of a request to `pool_id`'s domain; the context is the client's,
/// for a hosted sign-in.
///
/// # Errors
/// The [`Refusal`], or `InternalErrorException` from the store (as a page refusal).
pub async fn check(svc: &Services, pool_id: &str, params: &Params) -> Result<(Authorize, Context), Refusal> {
    let page = |error, description: String| Refusal::Page { error, description };
    let Some(client_id) = params.get("client_id").filter(|c| !c.is_empty()) else {
        return Err(page("invalid_request", "The request has no client_id.".into()));
    };
    let mut ctx = match context(svc, client_id, Some(pool_id)).await {
        Ok(ctx) => ctx,
        Err(e) if e.kind == cognate_proto::Exception::InternalError => {
            return Err(page("server_error", "An internal error occurred.".into()));
        }
        Err(_) => {
            return Err(page(
                "invalid_client",
                format!("The client {client_id} does not exist in the user pool this domain belongs to."),
            ));
        }
    };
    ctx.hosted = true;
    let settings = &ctx.client_settings;
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(page("invalid_request", "The request has no redirect_uri.".into()));
    };
    if !settings.callback_urls.iter().any(|u| u == redirect_uri) {
        let registered = if settings.callback_urls.is_empty() {
            "none".to_owned()
        } else {
            settings.callback_urls.join(", ")
        };
        return Err(page(
            "redirect_mismatch",
            format!(
                "redirect_uri {redirect_uri} is not one of the app client's callback URLs ({registered}). \
                 They must match exactly, to the trailing slash; add it to the client's CallbackURLs."
            ),
        ));
    }
    let state = params.get("state").cloned();
    let fragment = params.get("response_type").is_some_and(|t| t == "token");
    let refuse = |error: &'static str, description: &str| Refusal::Redirect {
        error,
        description: description.to_owned(),
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        fragment,
    };
    if !settings.allowed_oauth_flows_user_pool_client {
        return Err(refuse(
            "unauthorized_client",
            "The app client is not allowed to use OAuth flows (AllowedOAuthFlowsUserPoolClient is false).",
        ));
    }
    let flows = &settings.allowed_oauth_flows;
    let response_type = match params.get("response_type").map(String::as_str) {
        None | Some("") => return Err(refuse("invalid_request", "response_type is required.")),
        Some("code") if flows.iter().any(|f| f == "code") => ResponseType::Code,
        Some("token") if flows.iter().any(|f| f == "implicit") => ResponseType::Token,
        Some("code" | "token") => {
            return Err(refuse("unauthorized_client", "The app client may not use this response_type."));
        }
        Some(_) => return Err(refuse("unsupported_response_type", "response_type must be code or token.")),
    };
    let code_challenge = params.get("code_challenge").cloned();
    match (params.get("code_challenge_method").map(String::as_str), &code_challenge) {
        (None, None) => {}
        (Some("S256"), Some(c)) if valid_pkce_text(c) => {}
        (Some("S256"), _) => {
            return Err(refuse("invalid_request", "code_challenge is missing or malformed."));
        }
        _ => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256, with a code_challenge.",
            ));
        }
    }
    if let Some(provider) = params.get("identity_provider").filter(|p| *p != "COGNITO") {
        return Err(refuse(
            "invalid_request",
            &format!("The identity provider {provider} is not configured."),
        ));
    }
    if params.contains_key("idp_identifier") {
        return Err(refuse("invalid_request", "No identity provider has that idp_identifier."));
    }
    let allowed = &settings.allowed_oauth_scopes;
    let scopes: Vec<String> = match params.get("scope").map(|s| s.split(' ').filter(|s| !s.is_empty())) {
        None => allowed.clone(),
        Some(asked) => {
            let mut out: Vec<String> = Vec::new();
            for scope in asked {
                if allowed.iter().any(|a| a == scope) {
                    if !out.iter().any(|o| o == scope) {
                        out.push(scope.to_owned());
                    }
                } else if !STANDARD_SCOPES.contains(&scope) {
                    // Cognito ignores standard scopes the client lacks, and refuses unknown ones.
                    return Err(refuse(
                        "invalid_scope",
                        &format!("The scope {scope} is not allowed for this client."),
                    ));
                }
            }
            out
        }
    };
    if scopes.is_empty() {
        return Err(refuse("invalid_scope", "None of the scopes asked for is allowed for this client."));
    }
    let text = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    Ok((
        Authorize {
            response_type,
            client_id: client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            state,
            scopes,
            nonce: text("nonce"),
            code_challenge,
            prompt: text("prompt").map(|p| p.to_ascii_lowercase()),
            lang: text("lang"),
            login_hint: text("login_hint"),
        },
        ctx,
    ))
}

/// `uri` with `pairs` added to its query (or, for the implicit grant, as its fragment).
#[must_use]
pub fn with_params(uri: &str, pairs: &[(&str, &str)], fragment: bool) -> String {
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        encoder.append_pair(k, v);
    }
    let encoded = encoder.finish();
    let separator = if fragment {
        '#'
    } else if uri.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{uri}{separator}{encoded}")
}

impl Refusal {
    /// Where a redirected refusal goes.
    #[must_use]
    pub fn location(&self) -> Option<String> {
        match self {
            Self::Page { .. } => None,
            Self::Redirect { error, description, redirect_uri, state, fragment } => {
                let mut pairs = vec![("error", *error), ("error_description", description.as_str())];
                if let Some(state) = state {
                    pairs.push(("state", state));
                }
                Some(with_params(redirect_uri, &pairs, *fragment))
            }
        }
    }
}

/// For errors that surface from the sign-in engine as a page refusal.
impl From<CognitoError> for Refusal {
    fn from(e: CognitoError) -> Self {
        Self::Page { error: "server_error", description: e.message }
    }
}
