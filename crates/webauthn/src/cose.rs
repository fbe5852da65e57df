//! Credential public keys: COSE_Key (RFC 9052 §7, RFC 9053) for the three algorithms a passkey
//! may use here, and signature checks through `ring`.

use ciborium::Value;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};

use crate::Error;

/// A COSE signature algorithm accepted for credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// ECDSA with P-256 and SHA-256 (COSE -7).
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (COSE -257), 2048 to 8192 bits.
    Rs256,
    /// EdDSA over Ed25519 (COSE -8).
    EdDsa,
}

impl Algorithm {
    /// Every algorithm accepted, in the order offered to authenticators (`pubKeyCredParams`).
    pub const ALL: [Self; 3] = [Self::Es256, Self::EdDsa, Self::Rs256];

    /// The COSE identifier.
    #[must_use]
    pub fn id(self) -> i64 {
        match self {
            Self::Es256 => -7,
            Self::Rs256 => -257,
            Self::EdDsa => -8,
        }
    }

    /// The algorithm of a COSE identifier, if accepted.
    #[must_use]
    pub fn from_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// A public key able to check signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// P-256, as the uncompressed point `04 || x || y`.
    P256(Vec<u8>),
    /// RSA as modulus and exponent (big-endian).
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// RSA as a DER `RSAPublicKey` (from a certificate).
    RsaDer(Vec<u8>),
    /// Ed25519, 32 bytes.
    Ed25519(Vec<u8>),
}

const KTY: i128 = 1;
const ALG: i128 = 3;
const CRV_OR_N: i128 = -1;
const X_OR_E: i128 = -2;
const Y: i128 = -3;

fn entry(map: &[(Value, Value)], label: i128) -> Option<&Value> {
    map.iter().find(|(k, _)| k.as_integer().is_some_and(|i| i128::from(i) == label)).map(|(_, v)| v)
}

fn int(map: &[(Value, Value)], label: i128) -> Option<i128> {
    entry(map, label).and_then(Value::as_integer).map(i128::from)
}

fn bytes(map: &[(Value, Value)], label: i128) -> Result<&[u8], Error> {
    entry(map, label)
        .and_then(Value::as_bytes)
        .map(Vec::as_slice)
        .ok_or(Error::Malformed("the COSE key lacks a coordinate"))
}

/// Reads a COSE_Key: its algorithm (which must be accepted) and key.
pub(crate) fn parse(cose: &[u8]) -> Result<(Algorithm, PublicKey), Error> {
    let value: Value =
        ciborium::from_reader(cose).map_err(|_| Error::Malformed("the credential public key is not CBOR"))?;
    let map = value.as_map().ok_or(Error::Malformed("the credential public key is not a COSE_Key"))?;
    let alg = int(map, ALG).ok_or(Error::Malformed("the COSE key names no algorithm"))?;
    let alg = i64::try_from(alg)
        .ok()
        .and_then(Algorithm::from_id)
        .ok_or(Error::NotSupported("the credential's algorithm is not one of -7, -257, -8"))?;
    let kty = int(map, KTY);
    let key = match alg {
        Algorithm::Es256 => {
            if kty != Some(2) || int(map, CRV_OR_N) != Some(1) {
                return Err(Error::NotSupported("an ES256 key must be an EC2 key on P-256"));
            }
            let (x, y) = (bytes(map, X_OR_E)?, bytes(map, Y)?);
            if x.len() != 32 || y.len() != 32 {
                return Err(Error::Malformed("a P-256 coordinate is not 32 bytes"));
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(x);
            point.extend_from_slice(y);
            PublicKey::P256(point)
        }
        Algorithm::Rs256 => {
            if kty != Some(3) {
                return Err(Error::NotSupported("an RS256 key must be an RSA key"));
            }
            let (n, e) = (bytes(map, CRV_OR_N)?, bytes(map, X_OR_E)?);
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if !(2048..=8192).contains(&bits) {
                return Err(Error::NotSupported("an RSA key must have 2048 to 8192 bits"));
            }
            PublicKey::Rsa { n: n.to_vec(), e: e.to_vec() }
        }
        Algorithm::EdDsa => {
            if kty != Some(1) || int(map, CRV_OR_N) != Some(6) {
                return Err(Error::NotSupported("an EdDSA key must be an OKP key on Ed25519"));
            }
            let x = bytes(map, X_OR_E)?;
            if x.len() != 32 {
                return Err(Error::Malformed("an Ed25519 key is not 32 bytes"));
            }
            PublicKey::Ed25519(x.to_vec())
        }
    };
    Ok((alg, key))
}

impl PublicKey {
    /// Checks `sig` over `message` with this key and `alg`.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        let result = match (alg, self) {
            (Algorithm::Es256, Self::P256(point)) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point).verify(message, sig)
            }
            (Algorithm::Rs256, Self::Rsa { n, e }) => {
                RsaPublicKeyComponents { n, e }.verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
            }
            (Algorithm::Rs256, Self::RsaDer(der)) => {
                UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der).verify(message, sig)
            }
            (Algorithm::EdDsa, Self::Ed25519(x)) => {
                UnparsedPublicKey::new(&signature::ED25519, x).verify(message, sig)
            }
            _ => return Err(Error::NotSupported("the signature algorithm does not fit the key")),
        };
        result.map_err(|_| Error::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(map: Vec<(i64, Value)>) -> Vec<u8> {
        let value = Value::Map(map.into_iter().map(|(k, v)| (Value::Integer(k.into()), v)).collect());
        let mut out = Vec::new();
        ciborium::into_writer(&value, &mut out).unwrap();
        out
    }

    fn int(i: i64) -> Value {
        Value::Integer(i.into())
    }

    #[test]
    fn reads_each_key_type() {
        let ec = encode(vec![
            (1, int(2)),
            (3, int(-7)),
            (-1, int(1)),
            (-2, Value::Bytes(vec![1; 32])),
            (-3, Value::Bytes(vec![2; 32])),
        ]);
        let (alg, key) = parse(&ec).unwrap();
        assert_eq!(alg, Algorithm::Es256);
        assert!(matches!(key, PublicKey::P256(p) if p.len() == 65 && p[0] == 4 && p[64] == 2));
        let ed = encode(vec![(1, int(1)), (3, int(-8)), (-1, int(6)), (-2, Value::Bytes(vec![3; 32]))]);
        assert_eq!(parse(&ed).unwrap().0, Algorithm::EdDsa);
        let mut n = vec![0xc1; 256];
        n[0] = 0xff;
        let rsa = encode(vec![
            (1, int(3)),
            (3, int(-257)),
            (-1, Value::Bytes(n)),
            (-2, Value::Bytes(vec![1, 0, 1])),
        ]);
        assert_eq!(parse(&rsa).unwrap().0, Algorithm::Rs256);
    }

    #[test]
    fn refuses_other_algorithms_and_mismatched_keys() {
        let es384 = encode(vec![(1, int(2)), (3, int(-35)), (-1, int(2))]);
        assert!(matches!(parse(&es384), Err(Error::NotSupported(_))));
        let wrong_curve = encode(vec![
            (1, int(2)),
            (3, int(-7)),
            (-1, int(2)),
            (-2, Value::Bytes(vec![1; 32])),
            (-3, Value::Bytes(vec![2; 32])),
        ]);
        assert!(matches!(parse(&wrong_curve), Err(Error::NotSupported(_))));
        let short_rsa = encode(vec![
            (1, int(3)),
            (3, int(-257)),
            (-1, Value::Bytes(vec![0xff; 128])),
            (-2, Value::Bytes(vec![1, 0, 1])),
        ]);
        assert!(matches!(parse(&short_rsa), Err(Error::NotSupported(_))));
        let short_coord = encode(vec![
            (1, int(2)),
            (3, int(-7)),
            (-1, int(1)),
            (-2, Value::Bytes(vec![1; 31])),
            (-3, Value::Bytes(vec![2; 32])),
        ]);
        assert!(matches!(parse(&short_coord), Err(Error::Malformed(_))));
        assert!(parse(b"\xff").is_err());
        assert!(parse(&[0x01]).is_err());
    }
}
