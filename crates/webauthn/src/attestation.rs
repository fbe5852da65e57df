//! Attestation statements (WebAuthn §8): `none` (what passkeys send when the relying party asks for
//! no attestation, as Cognito does), `packed` (self attestation, or a certificate), and `fido-u2f`.
//! Other formats (tpm, android-key, android-safetynet, apple) are refused: a browser sends them only
//! when attestation was asked for, and this relying party never asks.

use ciborium::Value;

use crate::Error;
use crate::authdata::AuthData;
use crate::cose::{Algorithm, PublicKey};
use crate::der::certificate_key;

fn member<'a>(statement: &'a [(Value, Value)], name: &str) -> Option<&'a Value> {
    statement.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v)
}

fn signature(statement: &[(Value, Value)]) -> Result<&[u8], Error> {
    member(statement, "sig")
        .and_then(Value::as_bytes)
        .map(Vec::as_slice)
        .ok_or(Error::Malformed("the attestation statement has no signature"))
}

/// The leaf certificate's key, when the statement carries `x5c`.
fn leaf_key(statement: &[(Value, Value)]) -> Result<Option<PublicKey>, Error> {
    let Some(x5c) = member(statement, "x5c") else { return Ok(None) };
    let leaf = x5c
        .as_array()
        .and_then(|chain| chain.first())
        .and_then(Value::as_bytes)
        .ok_or(Error::Malformed("x5c holds no certificate"))?;
    certificate_key(leaf).map(Some)
}

/// Checks the statement of format `fmt` over `auth_bytes` (parsed as `auth`) and the client data
/// hash; `key`/`alg` are the new credential's. Returns the format's name as recorded.
pub(crate) fn verify(
    fmt: &str,
    statement: &[(Value, Value)],
    auth_bytes: &[u8],
    auth: &AuthData,
    client_data_hash: &[u8],
    alg: Algorithm,
    key: &PublicKey,
) -> Result<&'static str, Error> {
    let mut signed = auth_bytes.to_vec();
    signed.extend_from_slice(client_data_hash);
    match fmt {
        "none" => {
            if statement.is_empty() {
                Ok("none")
            } else {
                Err(Error::Malformed("a `none` attestation must have an empty statement"))
            }
        }
        "packed" => {
            let sig = signature(statement)?;
            let stated = member(statement, "alg")
                .and_then(Value::as_integer)
                .and_then(|i| i64::try_from(i128::from(i)).ok())
                .ok_or(Error::Malformed("the packed statement names no algorithm"))?;
            match leaf_key(statement)? {
                Some(cert_key) => {
                    let cert_alg = Algorithm::from_id(stated)
                        .ok_or(Error::NotSupported("the attestation algorithm is not supported"))?;
                    cert_key.verify(cert_alg, &signed, sig)?;
                }
                None => {
                    if stated != alg.id() {
                        return Err(Error::Malformed(
                            "self attestation names another algorithm than the key",
                        ));
                    }
                    key.verify(alg, &signed, sig)?;
                }
            }
            Ok("packed")
        }
        "fido-u2f" => {
            let PublicKey::P256(point) = key else {
                return Err(Error::NotSupported("fido-u2f attests P-256 keys only"));
            };
            let Some(cert_key @ PublicKey::P256(_)) = leaf_key(statement)? else {
                return Err(Error::Malformed("fido-u2f needs a P-256 attestation certificate"));
            };
            let attested = auth.attested.as_ref().ok_or(Error::Malformed("no attested credential data"))?;
            let mut data = vec![0u8];
            data.extend_from_slice(&auth.rp_id_hash);
            data.extend_from_slice(client_data_hash);
            data.extend_from_slice(&attested.credential_id);
            data.extend_from_slice(point);
            cert_key.verify(Algorithm::Es256, &data, signature(statement)?)?;
            Ok("fido-u2f")
        }
        _ => Err(Error::NotSupported("the attestation format is not supported (ask for attestation none)")),
    }
}
