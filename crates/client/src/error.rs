//! Errors as Cognito names them, so callers can switch on `name` exactly as they do with
//! amazon-cognito-identity-js (`err.name === "NotAuthorizedException"`).

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use crate::Json;

/// A failed call: Cognito's exception name and message, or a local failure with a name of ours
/// (`NetworkError`, `InvalidResponseException`, `InvalidStateException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    /// The exception name.
    pub name: String,
    /// What happened.
    pub message: String,
}

impl ClientError {
    /// An error with this name and message.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self { name: name.into(), message: message.into() }
    }

    pub(crate) fn invalid_response(what: &str) -> Self {
        Self::new("InvalidResponseException", ["the server's answer ", what].concat())
    }

    pub(crate) fn not_signed_in() -> Self {
        Self::new("NotAuthorizedException", "no user is signed in")
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl core::error::Error for ClientError {}

/// A 2xx answer's JSON, or the error a 4xx/5xx answer names (`__type`, `message`).
pub(crate) fn parse_response(status: u16, body: &str) -> Result<Json, ClientError> {
    let json = if body.trim().is_empty() { Some(Json::object()) } else { Json::parse(body) };
    if (200..300).contains(&status) {
        return json.ok_or_else(|| ClientError::invalid_response("is not JSON"));
    }
    let json = json.unwrap_or_default();
    let kind = json.get_str("__type").unwrap_or("UnknownError");
    // AWS sometimes qualifies the name: `com.amazonaws...#NotAuthorizedException`.
    let name = kind.rsplit('#').next().unwrap_or(kind);
    let message = json
        .get_str("message")
        .or_else(|| json.get_str("Message"))
        .map_or_else(|| ["HTTP ", &crate::json::decimal(i64::from(status))].concat(), str::to_owned);
    Err(ClientError::new(name, message))
}
