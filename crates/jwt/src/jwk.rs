//! JWK and JWKS parsing (RFC 7517 / 7518 / 8037). A key fixes its algorithm: an RSA key verifies
//! RS256 only, a P-256 key ES256, an Ed25519 key EdDSA, whatever a token's header claims.

use serde::Deserialize;

use crate::Error;
use crate::token::{b64, b64_decode};

/// RSA moduli below this are refused (RFC 7518 §3.3 requires 2048 bits for RS256).
pub const MIN_RSA_BITS: usize = 2048;
/// RSA moduli above this are refused: nobody signs with them, and they cost time to verify.
pub const MAX_RSA_BITS: usize = 8192;

/// The signature algorithms this library verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (what Cognito signs with).
    Rs256,
    /// ECDSA on P-256 with SHA-256; signatures are raw `r || s`.
    Es256,
    /// Ed25519 (`EdDSA`, or `Ed25519` in RFC 9864's naming).
    EdDsa,
}

impl Algorithm {
    /// The JOSE name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Reads a token header's `alg`: `none`, HMAC and anything unknown are refused here, before
    /// a key is even looked up.
    pub(crate) fn from_header(alg: &str) -> Result<Self, Error> {
        match alg {
            "RS256" => Ok(Self::Rs256),
            "ES256" => Ok(Self::Es256),
            "EdDSA" | "Ed25519" => Ok(Self::EdDsa),
            other => Err(Error::UnsupportedAlgorithm(other.to_owned())),
        }
    }
}

/// A public key's numbers, checked for shape and strength.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// RSA modulus and exponent, big-endian, without leading zeros.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// An uncompressed P-256 point.
    P256 {
        /// x coordinate.
        x: [u8; 32],
        /// y coordinate.
        y: [u8; 32],
    },
    /// An Ed25519 public key.
    Ed25519 {
        /// The encoded point.
        x: [u8; 32],
    },
}

/// One usable signing key from a JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    /// `kid`.
    pub kid: Option<String>,
    /// The only algorithm this key verifies.
    pub algorithm: Algorithm,
    /// The key.
    pub material: KeyMaterial,
}

/// The members of a JWK this library reads.
#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    key_ops: Option<Vec<String>>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<serde_json::Value>,
}

/// A parsed JWKS: every key by `kid`, with the reason it is unusable where it is.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    /// The keys in document order; an unusable key keeps its `kid` and why.
    pub keys: Vec<(Option<String>, Result<PublicJwk, Error>)>,
}

impl Jwks {
    /// Parses a JWKS document. The document must be a JSON object with a `keys` array; single keys
    /// that cannot be used (private, for encryption, too weak, an unknown type) are kept as errors
    /// so a token naming one gets a precise refusal.
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        let raw: RawJwks = serde_json::from_slice(json)
            .map_err(|_| Error::JwksUnavailable("not a JSON object with a keys array".to_owned()))?;
        let keys = raw
            .keys
            .into_iter()
            .map(|value| {
                let kid = value.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
                (kid, PublicJwk::from_value(value))
            })
            .collect();
        Ok(Self { keys })
    }

    /// The key with this `kid`; a token without `kid` matches only a set with a single key.
    #[must_use]
    pub fn find(&self, kid: Option<&str>) -> Option<&Result<PublicJwk, Error>> {
        match kid {
            Some(kid) => self.keys.iter().find(|(k, _)| k.as_deref() == Some(kid)).map(|(_, key)| key),
            None if self.keys.len() == 1 => self.keys.first().map(|(_, key)| key),
            None => None,
        }
    }
}

impl PublicJwk {
    /// Parses one JWK (a JSON object).
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|_| Error::InvalidKey("not a JSON object".to_owned()))?;
        Self::from_value(value)
    }

    fn from_value(value: serde_json::Value) -> Result<Self, Error> {
        if value.get("d").is_some() {
            // A private key published by mistake: refuse it rather than use it.
            return Err(invalid("a private key in a JWKS"));
        }
        let raw: RawJwk = serde_json::from_value(value).map_err(|_| invalid("not a JWK"))?;
        if raw.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(invalid("not a signature key (use)"));
        }
        if raw.key_ops.as_ref().is_some_and(|ops| !ops.iter().any(|op| op == "verify")) {
            return Err(invalid("key_ops does not allow verify"));
        }
        let (algorithm, material) = match raw.kty.as_str() {
            "RSA" => (Algorithm::Rs256, rsa(&raw)?),
            "EC" if raw.crv.as_deref() == Some("P-256") => {
                (Algorithm::Es256, KeyMaterial::P256 { x: fixed(&raw.x, "x")?, y: fixed(&raw.y, "y")? })
            }
            "OKP" if raw.crv.as_deref() == Some("Ed25519") => {
                (Algorithm::EdDsa, KeyMaterial::Ed25519 { x: fixed(&raw.x, "x")? })
            }
            "EC" | "OKP" => return Err(invalid("unsupported curve")),
            _ => return Err(invalid("unsupported key type")),
        };
        if let Some(alg) = raw.alg.as_deref() {
            // The JWK may state its algorithm; it must be the one its key type fixes here.
            if Algorithm::from_header(alg).ok() != Some(algorithm) {
                return Err(invalid("alg does not match the key type"));
            }
        }
        Ok(Self { kid: raw.kid, algorithm, material })
    }

    /// The JWK members WebCrypto's `importKey("jwk", ...)` needs.
    #[must_use]
    pub fn to_import_json(&self) -> serde_json::Value {
        match &self.material {
            KeyMaterial::Rsa { n, e } => {
                serde_json::json!({ "kty": "RSA", "n": b64(n), "e": b64(e), "alg": "RS256", "ext": true })
            }
            KeyMaterial::P256 { x, y } => {
                serde_json::json!({ "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y), "ext": true })
            }
            KeyMaterial::Ed25519 { x } => {
                serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(x), "ext": true })
            }
        }
    }
}

fn invalid(why: &str) -> Error {
    Error::InvalidKey(why.to_owned())
}

fn rsa(raw: &RawJwk) -> Result<KeyMaterial, Error> {
    let field = |v: &Option<String>, name: &str| {
        let bytes =
            v.as_deref().and_then(b64_decode).ok_or_else(|| invalid(&format!("bad or missing {name}")))?;
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        Ok::<_, Error>(bytes[start..].to_vec())
    };
    let (n, e) = (field(&raw.n, "n")?, field(&raw.e, "e")?);
    let bits = n.first().map_or(0, |&top| (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize));
    if bits < MIN_RSA_BITS {
        return Err(invalid(&format!("RSA key of {bits} bits; at least {MIN_RSA_BITS} required")));
    }
    if bits > MAX_RSA_BITS {
        return Err(invalid(&format!("RSA key of {bits} bits; at most {MAX_RSA_BITS} accepted")));
    }
    // e: odd, at least 3, at most 32 bits (what WebCrypto and the RustCrypto crates both accept).
    if e.is_empty() || e.len() > 4 || e.last().is_some_and(|b| b & 1 == 0) || (e.len() == 1 && e[0] < 3) {
        return Err(invalid("unusable RSA exponent"));
    }
    Ok(KeyMaterial::Rsa { n, e })
}

fn fixed(v: &Option<String>, name: &str) -> Result<[u8; 32], Error> {
    v.as_deref()
        .and_then(b64_decode)
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| invalid(&format!("bad or missing {name}")))
}
