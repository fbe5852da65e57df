//! Why a token was refused: one variant per reason, so callers (the edge verifier, the SDK) can map
//! each to the right answer (401 `invalid_token`, 403 `insufficient_scope`, 503 when keys can't be had).

use thiserror::Error;

/// A verification failure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// Not a compact JWS of three base64url parts with JSON header and payload.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// `alg` is not one this library verifies (`none`, the HMAC family, anything unknown).
    #[error("unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The header's `alg` differs from the algorithm the key is for.
    #[error("the token's algorithm {token} does not match its key's {key}")]
    AlgorithmMismatch {
        /// `alg` from the token header.
        token: String,
        /// The algorithm the JWK fixes.
        key: &'static str,
    },
    /// The token header uses a `crit` extension this library does not understand.
    #[error("unsupported critical header parameter")]
    CriticalHeader,
    /// No key with the token's `kid` in the issuer's JWKS (after the allowed refetch).
    #[error("no key with kid {0:?} in the issuer's JWKS")]
    UnknownKey(Option<String>),
    /// A JWK that cannot verify anything: wrong shape, weak, or not for signatures.
    #[error("unusable key: {0}")]
    InvalidKey(String),
    /// The signature does not verify with the key.
    #[error("invalid signature")]
    BadSignature,
    /// `exp` is past (beyond the allowed skew).
    #[error("the token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `nbf` or `iat` is in the future (beyond the allowed skew).
    #[error("the token is not valid before {not_before} (now {now})")]
    NotYetValid {
        /// The token's `nbf`, or its `iat` when that lies in the future.
        not_before: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `iss` is missing or not one of the configured issuers.
    #[error("issuer {0:?} is not trusted")]
    WrongIssuer(Option<String>),
    /// `aud` (ID tokens) or `client_id` (access tokens) is not one of the configured clients.
    #[error("client {0:?} is not allowed")]
    WrongClient(Option<String>),
    /// `token_use` is not the one the rule asks for.
    #[error("token_use {actual:?} where {expected} was required")]
    WrongTokenUse {
        /// What the rule requires (`access` or `id`).
        expected: &'static str,
        /// What the token says.
        actual: Option<String>,
    },
    /// None of the required scopes is in `scope`.
    #[error("the token has none of the required scopes")]
    MissingScope,
    /// None of the required groups is in `cognito:groups`.
    #[error("the token's user is in none of the required groups")]
    MissingGroup,
    /// A caller-supplied check refused the claims.
    #[error("{0}")]
    Custom(String),
    /// The JWKS could not be fetched (network, timeout, HTTP status) or parsed.
    #[error("JWKS unavailable: {0}")]
    JwksUnavailable(String),
}

impl Error {
    /// True when the token is fine but lacks a permission (HTTP 403 `insufficient_scope`); false
    /// when the token itself is refused (401 `invalid_token`) or keys could not be had.
    #[must_use]
    pub fn is_insufficient(&self) -> bool {
        matches!(self, Self::MissingScope | Self::MissingGroup | Self::Custom(_))
    }

    /// True when the failure is ours, not the token's: the keys could not be fetched.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::JwksUnavailable(_))
    }
}
