//! Passkeys as a pool offers them: its relying party, and the pieces of a WebAuthn ceremony that
//! registration (`api::passkey`) and sign-in (`signin`) share. The checks themselves are
//! `cognate_webauthn`'s.

use cognate_proto::{CognitoError, Exception};
use cognate_webauthn::{self as webauthn, RelyingParty, UserVerification};

use super::pools::PoolSettings;
use crate::store::{CredentialRecord, PoolRecord, UserRecord};

/// The relying party of a pool.
pub fn relying_party(pool: &PoolRecord, settings: &PoolSettings) -> Result<RelyingParty, CognitoError> {
    let w = settings.webauthn.as_ref().ok_or_else(|| {
        CognitoError::new(
            Exception::WebAuthnConfigurationMissing,
            "The user pool has no WebAuthn configuration.",
        )
    })?;
    Ok(RelyingParty {
        id: w.relying_party_id.clone(),
        name: pool.name.clone(),
        origins: w.allowed_origins.clone(),
        user_verification: if w.user_verification == "required" {
            UserVerification::Required
        } else {
            UserVerification::Preferred
        },
    })
}

/// Whether the pool lets users sign in with passkeys (`AllowedFirstAuthFactors` has WEB_AUTHN).
pub fn enabled_in(settings: &PoolSettings) -> bool {
    super::pools::allowed_first_factors(settings).iter().any(|f| f == "WEB_AUTHN")
}

/// Maps a refused ceremony to Cognito's exception.
pub fn refused(err: &webauthn::Error) -> CognitoError {
    use webauthn::Error as E;
    let kind = match err {
        E::Malformed(_) => Exception::InvalidParameter,
        E::ClientMismatch(_) => Exception::WebAuthnClientMismatch,
        E::ChallengeMismatch => Exception::WebAuthnChallengeNotFound,
        E::OriginNotAllowed(_) => Exception::WebAuthnOriginNotAllowed,
        E::RelyingPartyMismatch => Exception::WebAuthnRelyingPartyMismatch,
        E::NotSupported(_) => Exception::WebAuthnCredentialNotSupported,
        E::UserNotVerified(_) | E::BadSignature | E::CounterRegression { .. } | E::UnknownCredential => {
            Exception::NotAuthorized
        }
    };
    CognitoError::new(kind, format!("The passkey was refused: {err}."))
}

/// A user's credentials as allow/exclude lists: (id, transports).
pub fn descriptors(credentials: &[CredentialRecord]) -> Vec<(Vec<u8>, Vec<String>)> {
    credentials
        .iter()
        .filter_map(|c| webauthn::from_b64url(&c.id).ok().map(|id| (id, c.transports.clone())))
        .collect()
}

/// A fresh WebAuthn challenge.
pub fn challenge() -> [u8; webauthn::CHALLENGE_BYTES] {
    let mut bytes = [0u8; webauthn::CHALLENGE_BYTES];
    crate::ids::fill(&mut bytes);
    bytes
}

/// The user handle passkeys are made for: the `sub`'s bytes, as Cognito does.
pub fn user_handle(user: &UserRecord) -> &[u8] {
    user.sub.as_bytes()
}

/// The refusal when the pool offers no passkeys.
pub fn not_enabled() -> CognitoError {
    CognitoError::new(
        Exception::WebAuthnNotEnabled,
        "Passkey sign-in is not enabled: add WEB_AUTHN to the pool's AllowedFirstAuthFactors.",
    )
}
