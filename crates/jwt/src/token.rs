//! A compact JWS split and decoded, but not yet trusted: [`Unverified`].

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::claims::Claims;
use crate::{Algorithm, Error};

/// Tokens longer than this are refused before any decoding (Cognito's are 1–2 KB).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The JOSE header fields the verifier uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    /// `alg` as written in the token.
    pub alg: String,
    /// `kid`: which key of the issuer's JWKS signed it.
    pub kid: Option<String>,
    /// `typ`, unused but kept for callers.
    pub typ: Option<String>,
    /// `crit`: any value makes the token unusable here.
    crit: Option<serde_json::Value>,
}

/// A token parsed but not verified. Its claims are readable (to pick the issuer's keys), but only
/// [`crate::Verifier`] turns it into [`crate::Verified`].
#[derive(Debug, Clone)]
pub struct Unverified<'a> {
    header: Header,
    algorithm: Algorithm,
    claims: Claims,
    signing_input: &'a str,
    signature: Vec<u8>,
}

impl<'a> Unverified<'a> {
    /// Splits and decodes `token`. Refuses, before looking at any key: a token that is not three
    /// base64url parts, a header or payload that is not a JSON object, `alg: none`, HMAC and any
    /// other algorithm outside RS256 / ES256 / EdDSA, and `crit` extensions.
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Error::Malformed("token too long"));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Malformed("a JWT has three dot-separated parts"));
        };
        let header: Header = serde_json::from_slice(&decode(h, "header is not base64url")?)
            .map_err(|_| Error::Malformed("header is not a JSON object with alg"))?;
        let algorithm = Algorithm::from_header(&header.alg)?;
        if header.crit.is_some() {
            return Err(Error::CriticalHeader);
        }
        let claims = Claims::parse(&decode(p, "payload is not base64url")?)?;
        let signature = decode(s, "signature is not base64url")?;
        if signature.is_empty() {
            return Err(Error::Malformed("empty signature"));
        }
        let signing_input = &token[..h.len() + 1 + p.len()];
        Ok(Self { header, algorithm, claims, signing_input, signature })
    }

    /// The header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The algorithm the header names.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The claims, NOT verified: use them to choose keys, never to grant anything.
    #[must_use]
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    pub(crate) fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }

    pub(crate) fn into_claims(self) -> Claims {
        self.claims
    }
}

fn decode(part: &str, refusal: &'static str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| Error::Malformed(refusal))
}

/// base64url without padding, as JWS uses it.
pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a base64url JWK member.
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}
