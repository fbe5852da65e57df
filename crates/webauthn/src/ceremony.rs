//! The two ceremonies' checks on what the browser returns: `RegistrationResponseJSON` (WebAuthn L3
//! §7.1) and `AuthenticationResponseJSON` (§7.2). The step numbers in comments are the spec's.

use ring::digest::{SHA256, digest};
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::authdata::{AT, AuthData, BE, BS, UP, UV};
use crate::cose::{self, Algorithm};
use crate::{Error, RelyingParty, UserVerification, attestation, from_b64url};

/// A credential that passed registration: what the relying party stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The credential id.
    pub credential_id: Vec<u8>,
    /// The COSE_Key, as its CBOR bytes.
    pub public_key: Vec<u8>,
    /// Its algorithm.
    pub algorithm: Algorithm,
    /// The signature counter at registration (0 for most passkeys).
    pub sign_count: u32,
    /// Whether the user was verified.
    pub user_verified: bool,
    /// Whether the credential may be backed up (synced passkey).
    pub backup_eligible: bool,
    /// Whether it is backed up now.
    pub backup_state: bool,
    /// The authenticator model, when it says.
    pub aaguid: [u8; 16],
    /// The transports the browser reported (`internal`, `usb`, `hybrid`, ...).
    pub transports: Vec<String>,
    /// `platform` or `cross-platform`, when the browser says.
    pub attachment: Option<String>,
    /// The attestation format checked.
    pub attestation_format: &'static str,
}

/// A registered credential, as the relying party stored it.
#[derive(Debug, Clone, Copy)]
pub struct StoredCredential<'a> {
    /// Its id.
    pub id: &'a [u8],
    /// Its COSE_Key.
    pub public_key: &'a [u8],
    /// The last signature counter seen.
    pub sign_count: u32,
    /// The user handle it was made for.
    pub user_handle: &'a [u8],
}

/// An assertion that passed: what changes on the stored credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assertion {
    /// The new signature counter.
    pub sign_count: u32,
    /// Whether the user was verified.
    pub user_verified: bool,
    /// Whether the credential is backed up now.
    pub backup_state: bool,
}

fn text<'a>(value: &'a Value, name: &'static str) -> Result<&'a str, Error> {
    value.get(name).and_then(Value::as_str).ok_or(Error::Malformed(name))
}

fn binary(value: &Value, name: &'static str) -> Result<Vec<u8>, Error> {
    from_b64url(text(value, name)?)
}

/// The credential id of a `RegistrationResponseJSON` or `AuthenticationResponseJSON`: `rawId`,
/// which must agree with `id`, of a `public-key` (for an assertion, to look the stored credential up).
///
/// # Errors
/// [`Error::Malformed`] when the response has no well-formed id.
pub fn credential_id(response: &Value) -> Result<Vec<u8>, Error> {
    if response.get("type").and_then(Value::as_str) != Some("public-key") {
        return Err(Error::Malformed("the credential's type is not public-key"));
    }
    let raw = binary(response, "rawId")?;
    if from_b64url(text(response, "id")?)? != raw {
        return Err(Error::Malformed("id and rawId differ"));
    }
    if raw.is_empty() || raw.len() > crate::MAX_CREDENTIAL_ID_BYTES {
        return Err(Error::Malformed("the credential id is empty or longer than 1023 bytes"));
    }
    Ok(raw)
}

/// Steps 5–12 (registration) / 10–16 (assertion): the client data's type, challenge and origin.
/// Returns its SHA-256.
fn check_client_data(
    rp: &RelyingParty,
    bytes: &[u8],
    ceremony: &'static str,
    challenge: &[u8],
) -> Result<Vec<u8>, Error> {
    let data: Value =
        serde_json::from_slice(bytes).map_err(|_| Error::Malformed("clientDataJSON is not JSON"))?;
    if data.get("type").and_then(Value::as_str) != Some(ceremony) {
        return Err(Error::ClientMismatch("the client data is for another ceremony"));
    }
    let given = from_b64url(text(&data, "challenge")?)?;
    if !bool::from(given.ct_eq(challenge)) {
        return Err(Error::ChallengeMismatch);
    }
    let origin = text(&data, "origin")?;
    if !rp.allows_origin(origin) {
        return Err(Error::OriginNotAllowed(origin.chars().take(200).collect()));
    }
    // Cognate's pages are never framed by another origin (WebAuthn §7.1 step 10).
    if data.get("crossOrigin").and_then(Value::as_bool) == Some(true) {
        return Err(Error::ClientMismatch("a cross-origin (framed) ceremony is not allowed"));
    }
    if data.get("tokenBinding").and_then(|t| t.get("status")).and_then(Value::as_str) == Some("present") {
        return Err(Error::ClientMismatch("token binding is not supported"));
    }
    Ok(digest(&SHA256, bytes).as_ref().to_vec())
}

/// rpIdHash, UP and UV (registration steps 13–16, assertion steps 15–17).
fn check_flags(rp: &RelyingParty, auth: &AuthData) -> Result<(), Error> {
    if !bool::from(auth.rp_id_hash.ct_eq(digest(&SHA256, rp.id.as_bytes()).as_ref())) {
        return Err(Error::RelyingPartyMismatch);
    }
    if !auth.has(UP) {
        return Err(Error::UserNotVerified("the authenticator did not report user presence"));
    }
    if rp.user_verification == UserVerification::Required && !auth.has(UV) {
        return Err(Error::UserNotVerified(
            "the pool requires user verification and the authenticator did not verify the user",
        ));
    }
    Ok(())
}

/// Verifies a `RegistrationResponseJSON` answering `challenge`.
///
/// # Errors
/// Why the credential is refused; nothing is to be stored then.
pub fn verify_registration(
    rp: &RelyingParty,
    challenge: &[u8],
    response: &Value,
) -> Result<Registration, Error> {
    let id = credential_id(response)?;
    let body = response.get("response").ok_or(Error::Malformed("response"))?;
    let client_data_hash =
        check_client_data(rp, &binary(body, "clientDataJSON")?, "webauthn.create", challenge)?;
    // Step 12: the attestation object.
    let bytes = binary(body, "attestationObject")?;
    let mut rest = bytes.as_slice();
    let object: ciborium::Value =
        ciborium::from_reader(&mut rest).map_err(|_| Error::Malformed("attestationObject is not CBOR"))?;
    if !rest.is_empty() {
        return Err(Error::Malformed("attestationObject has trailing bytes"));
    }
    let object = object.as_map().ok_or(Error::Malformed("attestationObject is not a map"))?;
    let field = |name: &str| object.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v);
    let fmt = field("fmt").and_then(ciborium::Value::as_text).ok_or(Error::Malformed("fmt"))?;
    let statement = field("attStmt").and_then(ciborium::Value::as_map).ok_or(Error::Malformed("attStmt"))?;
    let auth_bytes =
        field("authData").and_then(ciborium::Value::as_bytes).ok_or(Error::Malformed("authData"))?;
    let auth = AuthData::parse(auth_bytes)?;
    check_flags(rp, &auth)?;
    let attested = match &auth.attested {
        Some(a) if auth.has(AT) => a,
        _ => return Err(Error::Malformed("the authenticator data holds no credential")),
    };
    if attested.credential_id != id {
        return Err(Error::Malformed("the credential id differs from the authenticator data's"));
    }
    // Step 17: the algorithm is one offered in pubKeyCredParams.
    let (algorithm, key) = cose::parse(&attested.public_key)?;
    // Steps 19–21: the attestation statement.
    let attestation_format =
        attestation::verify(fmt, statement, auth_bytes, &auth, &client_data_hash, algorithm, &key)?;
    let transports = body
        .get("transports")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter().filter_map(Value::as_str).take(8).map(|t| t.chars().take(32).collect()).collect()
        })
        .unwrap_or_default();
    let attachment = response
        .get("authenticatorAttachment")
        .and_then(Value::as_str)
        .filter(|a| matches!(*a, "platform" | "cross-platform"))
        .map(str::to_owned);
    Ok(Registration {
        credential_id: id,
        public_key: attested.public_key.clone(),
        algorithm,
        sign_count: auth.sign_count,
        user_verified: auth.has(UV),
        backup_eligible: auth.has(BE),
        backup_state: auth.has(BS),
        aaguid: attested.aaguid,
        transports,
        attachment,
        attestation_format,
    })
}

/// Verifies an `AuthenticationResponseJSON` answering `challenge` with the stored credential.
///
/// # Errors
/// Why the assertion is refused; the stored credential must not change then.
pub fn verify_assertion(
    rp: &RelyingParty,
    challenge: &[u8],
    stored: &StoredCredential<'_>,
    response: &Value,
) -> Result<Assertion, Error> {
    // Step 5: the credential is the one looked up (and so one of allowCredentials).
    if credential_id(response)? != stored.id {
        return Err(Error::UnknownCredential);
    }
    let body = response.get("response").ok_or(Error::Malformed("response"))?;
    // Step 6: a user handle, when given, is the credential's owner.
    if let Some(handle) = body.get("userHandle").and_then(Value::as_str).filter(|h| !h.is_empty())
        && from_b64url(handle)? != stored.user_handle
    {
        return Err(Error::UnknownCredential);
    }
    let client_data_hash =
        check_client_data(rp, &binary(body, "clientDataJSON")?, "webauthn.get", challenge)?;
    let auth_bytes = binary(body, "authenticatorData")?;
    let auth = AuthData::parse(&auth_bytes)?;
    check_flags(rp, &auth)?;
    // Step 21: the signature over authenticatorData || SHA-256(clientDataJSON).
    let (algorithm, key) = cose::parse(stored.public_key)?;
    let mut signed = auth_bytes;
    signed.extend_from_slice(&client_data_hash);
    key.verify(algorithm, &signed, &binary(body, "signature")?)?;
    // Step 22: the counter grows, unless the authenticator keeps none (both zero).
    if (auth.sign_count != 0 || stored.sign_count != 0) && auth.sign_count <= stored.sign_count {
        return Err(Error::CounterRegression { stored: stored.sign_count, received: auth.sign_count });
    }
    Ok(Assertion { sign_count: auth.sign_count, user_verified: auth.has(UV), backup_state: auth.has(BS) })
}
