//! One-time codes: six digits, sealed at rest, with an expiry and a count of wrong guesses.

use cognate_proto::{CognitoError, Exception};

use crate::store::{CodeRecord, Message, StoreError, UserRecord};

use crate::domain::pools::PoolSettings;
use crate::services::{Services, internal, now_ms};

/// Lifetime of a password-reset code (Cognito: one hour).
pub const RESET_TTL_MS: i64 = 60 * 60 * 1000;
/// Lifetime of sign-up and attribute-verification codes (Cognito: 24 hours).
pub const VERIFY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Wrong guesses a code survives.
pub const MAX_ATTEMPTS: i64 = 5;

/// Checks `given` against the user's code for `purpose`; a right code is used up, a wrong one counted.
///
/// # Errors
/// `CodeMismatchException`, `ExpiredCodeException`, or `LimitExceededException` after too many guesses.
pub async fn check(
    svc: &Services,
    user: &UserRecord,
    purpose: &str,
    given: &str,
) -> Result<(), CognitoError> {
    let store = &svc.store;
    let record = store.code(&user.pool_id, &user.key, purpose).await.map_err(internal)?;
    let Some(record) = record else {
        return Err(CognitoError::new(
            Exception::ExpiredCode,
            "Invalid code provided, please request a code again.",
        ));
    };
    if record.expires_ms < now_ms() {
        return Err(CognitoError::new(
            Exception::ExpiredCode,
            "Invalid code provided, please request a code again.",
        ));
    }
    if record.attempts >= MAX_ATTEMPTS {
        return Err(CognitoError::new(
            Exception::LimitExceeded,
            "Attempt limit exceeded, please try after some time.",
        ));
    }
    let expected = svc
        .sealer
        .open(&context(user, purpose), &record.code)
        .map_err(|e| internal(StoreError::Backend(e.to_string())))?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_slice())) {
        store.bump_code_attempts(&user.pool_id, &user.key, purpose).await.map_err(internal)?;
        return Err(CognitoError::new(
            Exception::CodeMismatch,
            "Invalid verification code provided, please try again.",
        ));
    }
    if !store.take_code(&user.pool_id, &user.key, purpose).await.map_err(internal)? {
        return Err(CognitoError::new(
            Exception::CodeMismatch,
            "Invalid verification code provided, please try again.",
        ));
    }
    Ok(())
}

/// Codes sent to one destination per hour before `LimitExceededException` (Cognito allows five
/// ResendConfirmationCode or GetUserAttributeVerificationCode calls an hour).
pub const SENDS_PER_HOUR: i64 = 5;

/// Refuses to send another code to `destination` once it got [`SENDS_PER_HOUR`] in the last hour.
///
/// # Errors
/// `LimitExceededException`.
pub async fn check_send_limit(svc: &Services, pool_id: &str, destination: &str) -> Result<(), CognitoError> {
    let sent =
        svc.store.messages_since(pool_id, destination, now_ms() - 60 * 60 * 1000).await.map_err(internal)?;
    if sent >= SENDS_PER_HOUR {
        Err(CognitoError::new(
            Exception::LimitExceeded,
            "Attempt limit exceeded, please try after some time.",
        ))
    } else {
        Ok(())
    }
}

/// How Cognito shows a destination in `CodeDeliveryDetails`: `a***@e***`, `+*******0100`.
pub fn mask(destination: &str) -> String {
    if let Some((local, domain)) = destination.split_once('@') {
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let digits: Vec<char> = destination.chars().collect();
        let keep = digits.len().saturating_sub(4);
        digits.iter().enumerate().map(|(i, c)| if i == 0 || i >= keep { *c } else { '*' }).collect()
    }
}

/// The address an unknown user's code is "sent" to when the client hides which users exist
/// (ForgotPassword, ResendConfirmationCode): email-shaped like a real user's, and the same on every
/// call for the same name (derived from it under the server's secret), so neither its shape nor a
/// change between calls tells the user does not exist.
pub fn stand_in_address(svc: &Services, pool_id: &str, username: &str) -> String {
    if super::schema::is_email(username) {
        return username.to_owned();
    }
    let parts: [&[u8]; 4] = [b"stand-in address\0", pool_id.as_bytes(), b"\0", username.as_bytes()];
    let bytes = crate::seal::hmac_sha256(&svc.derived_secret, &parts);
    let letter = |b: u8| char::from(b'a' + b % 26);
    format!("{}@{}.com", letter(bytes[0]), letter(bytes[1]))
}

/// `CodeDeliveryDetails` for a message.
pub fn delivery(channel: &str, destination: &str) -> serde_json::Value {
    let attribute = if channel == "EMAIL" { "email" } else { "phone_number" };
    serde_json::json!({ "Destination": mask(destination), "DeliveryMedium": channel, "AttributeName": attribute })
}

/// Six random digits, uniformly drawn.
pub fn six_digits() -> String {
    crate::ids::random_string(b"0123456789", 6)
}

fn context(user: &UserRecord, purpose: &str) -> String {
    format!("code:{purpose}:{}:{}", user.pool_id, user.key)
}

/// A code record for `user`, sealed.
pub fn record(svc: &Services, user: &UserRecord, purpose: &str, code: &str, ttl_ms: i64) -> CodeRecord {
    CodeRecord {
        purpose: purpose.to_owned(),
        code: svc.sealer.seal(&context(user, purpose), code.as_bytes()),
        expires_ms: now_ms().saturating_add(ttl_ms),
        attempts: 0,
    }
}

/// The pool's `AccountRecoverySetting`, by priority. A pool created without one has Cognito's legacy
/// order: a verified phone number before a verified email.
fn recovery_mechanisms(settings: &PoolSettings) -> Vec<(i64, String)> {
    let mut mechanisms: Vec<(i64, String)> = settings
        .echoed
        .get("AccountRecoverySetting")
        .and_then(|v| v.get("RecoveryMechanisms"))
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|m| Some((m.get("Priority")?.as_i64()?, m.get("Name")?.as_str()?.to_owned())))
                .collect()
        })
        .filter(|list: &Vec<_>| !list.is_empty())
        .unwrap_or_else(|| vec![(1, "verified_phone_number".to_owned()), (2, "verified_email".to_owned())]);
    mechanisms.sort();
    mechanisms
}

/// Whether only an administrator may reset passwords (`admin_only` comes first).
pub fn admin_only_recovery(settings: &PoolSettings) -> bool {
    recovery_mechanisms(settings).first().is_some_and(|(_, name)| name == "admin_only")
}

/// Where account-recovery messages go, following `recovery_mechanisms`: `(channel, destination)`.
pub fn recovery_destination(settings: &PoolSettings, user: &UserRecord) -> Option<(&'static str, String)> {
    let verified = |name: &str| user.attributes.get(&format!("{name}_verified")).is_some_and(|v| v == "true");
    recovery_mechanisms(settings).into_iter().find_map(|(_, name)| match name.as_str() {
        "verified_email" if verified("email") => Some(("EMAIL", user.attributes.get("email")?.clone())),
        "verified_phone_number" if verified("phone_number") => {
            Some(("SMS", user.attributes.get("phone_number")?.clone()))
        }
        _ => None,
    })
}

/// A message carrying `code`.
pub fn message(
    user: &UserRecord,
    channel: &str,
    destination: String,
    subject: &str,
    body: String,
) -> Message {
    Message {
        id: uuid::Uuid::new_v4().to_string(),
        pool_id: user.pool_id.clone(),
        channel: channel.to_owned(),
        destination,
        subject: subject.to_owned(),
        body,
        created_ms: now_ms(),
        delivered_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| six_digits()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert!(unique.len() > 45, "codes repeat too often: {}", unique.len());
    }

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask("alice@example.com"), "a***@e***");
        assert_eq!(mask("+14155550100"), "+*******0100");
    }
}
