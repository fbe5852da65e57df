//! The WebAuthn relying party behind Cognate's passkeys: the options a browser is given
//! (`PublicKeyCredentialCreationOptionsJSON`, `PublicKeyCredentialRequestOptionsJSON`) and the checks
//! W3C WebAuthn Level 3 asks of a relying party on the answers (§7.1 registering a credential, §7.2
//! verifying an assertion).
//!
//! What is checked, in order, is written beside each step in [`ceremony`]. Signatures go through
//! `ring` (ES256, RS256, EdDSA); CBOR through `ciborium`. The crate knows nothing of users, pools or
//! storage: the server hands it the expected challenge and the stored credential and keeps what it
//! returns. The test vectors under `tests/vectors/webauthn/` were made by Chromium's own WebAuthn
//! stack with its virtual authenticators (`tests/vectors/webauthn/generate.mjs`).

mod attestation;
mod authdata;
pub mod ceremony;
mod cose;
mod der;
mod options;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

pub use ceremony::{
    Assertion, Registration, StoredCredential, credential_id, verify_assertion, verify_registration,
};
pub use cose::Algorithm;
pub use options::{UserEntity, creation_options, request_options};

/// Bytes of a challenge (Cognito sends 16; the spec asks for at least 16).
pub const CHALLENGE_BYTES: usize = 16;
/// The longest credential id accepted (WebAuthn §7.1 step 23).
pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;
/// How long the browser may take, milliseconds (Cognito's registration and sign-in timeouts).
pub const REGISTRATION_TIMEOUT_MS: u64 = 60_000;
/// How long the browser may take for an assertion, milliseconds.
pub const AUTHENTICATION_TIMEOUT_MS: u64 = 180_000;

/// Whether the authenticator must verify the user (PIN, biometrics) or only should.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserVerification {
    /// UV must be set in every registration and assertion.
    Required,
    /// Asked for; accepted without.
    Preferred,
}

impl UserVerification {
    /// The WebAuthn name (`required`, `preferred`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Preferred => "preferred",
        }
    }
}

/// The relying party a ceremony is checked for.
#[derive(Debug, Clone)]
pub struct RelyingParty {
    /// The RP ID: a domain (`example.com`, `localhost`).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The origins allowed to speak for it. Empty: `https://{id}` and its subdomains over https
    /// (any port), and for `localhost` also `http://localhost` on any port (browsers treat it as
    /// secure). Given: exactly these origins.
    pub origins: Vec<String>,
    /// User verification policy.
    pub user_verification: UserVerification,
}

impl RelyingParty {
    /// Whether `origin` (as the browser wrote it in clientDataJSON) may speak for this RP.
    #[must_use]
    pub fn allows_origin(&self, origin: &str) -> bool {
        if !self.origins.is_empty() {
            return self.origins.iter().any(|o| o == origin);
        }
        let (scheme, rest) = match origin.split_once("://") {
            Some(parts) => parts,
            None => return false,
        };
        if rest.contains('/') || rest.contains('@') {
            return false;
        }
        let host = match rest.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
            Some(_) => return false,
            None => rest,
        };
        let id = self.id.as_str();
        let within =
            host == id || host.strip_suffix(id).is_some_and(|sub| sub.ends_with('.') && sub.len() > 1);
        match scheme {
            "https" => within,
            "http" => id == "localhost" && within,
            _ => false,
        }
    }
}

/// Why a ceremony was refused. Each maps to one of Cognito's WebAuthn exceptions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The JSON, base64url, CBOR or binary layout is broken.
    #[error("malformed credential: {0}")]
    Malformed(&'static str),
    /// The client data is of the wrong ceremony, or names another challenge.
    #[error("{0}")]
    ClientMismatch(&'static str),
    /// The challenge is not the one this ceremony issued.
    #[error("the challenge does not match the one issued")]
    ChallengeMismatch,
    /// The origin is not one the relying party allows.
    #[error("origin {0} is not allowed")]
    OriginNotAllowed(String),
    /// The authenticator data is for another RP ID.
    #[error("the credential is for another relying party")]
    RelyingPartyMismatch,
    /// The algorithm, key or attestation format is not one accepted.
    #[error("{0}")]
    NotSupported(&'static str),
    /// User presence or (required) user verification is missing.
    #[error("{0}")]
    UserNotVerified(&'static str),
    /// The signature (of the assertion or of the attestation) does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The signature counter did not grow: a cloned authenticator, or a replay.
    #[error("the signature counter went back ({stored} stored, {received} received)")]
    CounterRegression {
        /// The counter on record.
        stored: u32,
        /// The counter in the assertion.
        received: u32,
    },
    /// The credential is not one of those allowed for this sign-in.
    #[error("the credential is not registered for this user")]
    UnknownCredential,
}

/// base64url without padding, as WebAuthn's JSON encodes bytes.
#[must_use]
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, with or without padding.
///
/// # Errors
/// [`Error::Malformed`] when the text is not base64url.
pub fn from_b64url(text: &str) -> Result<Vec<u8>, Error> {
    let decoded = if text.ends_with('=') { URL_SAFE.decode(text) } else { URL_SAFE_NO_PAD.decode(text) };
    decoded.map_err(|_| Error::Malformed("a value is not base64url"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(id: &str, origins: &[&str]) -> RelyingParty {
        RelyingParty {
            id: id.to_owned(),
            name: "test".to_owned(),
            origins: origins.iter().map(|s| (*s).to_owned()).collect(),
            user_verification: UserVerification::Preferred,
        }
    }

    #[test]
    fn default_origins_are_the_rp_id_and_its_subdomains_over_https() {
        let rp = rp("example.com", &[]);
        assert!(rp.allows_origin("https://example.com"));
        assert!(rp.allows_origin("https://login.example.com"));
        assert!(rp.allows_origin("https://example.com:8443"));
        assert!(!rp.allows_origin("http://example.com"));
        assert!(!rp.allows_origin("https://badexample.com"));
        assert!(!rp.allows_origin("https://example.com.evil.net"));
        assert!(!rp.allows_origin("https://.example.com"));
        assert!(!rp.allows_origin("https://example.com/path"));
        assert!(!rp.allows_origin("https://user@example.com"));
        assert!(!rp.allows_origin("https://example.com:"));
        assert!(!rp.allows_origin("android:apk-key-hash:abc"));
    }

    #[test]
    fn localhost_may_use_http() {
        let rp = rp("localhost", &[]);
        assert!(rp.allows_origin("http://localhost:5173"));
        assert!(rp.allows_origin("http://localhost"));
        assert!(rp.allows_origin("https://localhost:1"));
        assert!(!rp.allows_origin("http://127.0.0.1:5173"));
    }

    #[test]
    fn a_given_list_is_matched_exactly() {
        let rp = rp("localhost", &["http://localhost:3000"]);
        assert!(rp.allows_origin("http://localhost:3000"));
        assert!(!rp.allows_origin("http://localhost:3001"));
        assert!(!rp.allows_origin("http://localhost"));
    }

    #[test]
    fn base64url_round_trips_and_accepts_padding() {
        assert_eq!(from_b64url(&b64url(b"\xfb\xff")).unwrap(), b"\xfb\xff");
        assert_eq!(from_b64url("-_8=").unwrap(), b"\xfb\xff");
        assert!(from_b64url("+/8").is_err());
    }
}
