//! Second factors for the signed-in user: authenticator-app setup (AssociateSoftwareToken,
//! VerifySoftwareToken) and MFA preferences (SetUserMFAPreference).

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::{Client, ClientError, Clock, Json, Request, TokenStore, Transport};

/// A new authenticator-app secret, to show as text or as a QR code of [`TotpSetup::uri`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetup {
    /// The shared secret, base32.
    pub secret: String,
}

fn uri_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

impl TotpSetup {
    /// The `otpauth://` URI authenticator apps scan (Google's Key Uri Format).
    #[must_use]
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let (issuer, account) = (uri_escape(issuer), uri_escape(account));
        ["otpauth://totp/", &issuer, ":", &account, "?secret=", &self.secret, "&issuer=", &issuer].concat()
    }
}

/// What to do with one factor in [`Client::update_mfa_preference`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaPreference {
    /// Turn it on.
    Enabled,
    /// Turn it off.
    Disabled,
    /// Turn it on and make it the one asked for.
    Preferred,
    /// Keep it on, but not preferred.
    NotPreferred,
}

fn factor(p: MfaPreference) -> Json {
    let enabled = Json::object().with("Enabled", p != MfaPreference::Disabled);
    match p {
        MfaPreference::Enabled => enabled,
        _ => enabled.with("PreferredMfa", p == MfaPreference::Preferred),
    }
}

impl TotpSetup {
    /// AssociateSoftwareToken's answer.
    ///
    /// # Errors
    /// `InvalidResponseException` when it has no secret.
    pub fn read(answer: &Json) -> Result<Self, ClientError> {
        let secret =
            answer.get_str("SecretCode").ok_or_else(|| ClientError::invalid_response("has no SecretCode"))?;
        Ok(Self { secret: secret.to_owned() })
    }
}

/// The requests (see [`Request`]); each operation below is its request, sent and read.
impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// AssociateSoftwareToken for the signed-in user (read with [`TotpSetup::read`]).
    pub fn set_up_totp_request(&self) -> Request {
        Request::authorized("AssociateSoftwareToken", Json::object())
    }

    /// VerifySoftwareToken with a code from the app.
    pub fn verify_totp_setup_request(&self, code: &str, device_name: Option<&str>) -> Request {
        let body = Json::object().with("UserCode", code).with_opt("FriendlyDeviceName", device_name);
        Request::authorized("VerifySoftwareToken", body)
    }

    /// SetUserMFAPreference: each factor given is changed, the others are left as they are.
    pub fn update_mfa_preference_request(
        &self,
        totp: Option<MfaPreference>,
        sms: Option<MfaPreference>,
        email: Option<MfaPreference>,
    ) -> Request {
        let mut body = Json::object();
        for (member, pref) in
            [("SoftwareTokenMfaSettings", totp), ("SMSMfaSettings", sms), ("EmailMfaSettings", email)]
        {
            if let Some(p) = pref {
                body.set(member, factor(p));
            }
        }
        Request::authorized("SetUserMFAPreference", body)
    }
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// A new authenticator-app secret for the signed-in user (it replaces any earlier one once
    /// verified with [`Client::verify_totp_setup`]).
    pub async fn set_up_totp(&self) -> Result<TotpSetup, ClientError> {
        TotpSetup::read(&self.send(self.set_up_totp_request()).await?)
    }

    /// Proves the app was set up with a code from it.
    pub async fn verify_totp_setup(&self, code: &str, device_name: Option<&str>) -> Result<(), ClientError> {
        self.send(self.verify_totp_setup_request(code, device_name)).await.map(drop)
    }

    /// SetUserMFAPreference: each factor given is changed, the others are left as they are.
    pub async fn update_mfa_preference(
        &self,
        totp: Option<MfaPreference>,
        sms: Option<MfaPreference>,
        email: Option<MfaPreference>,
    ) -> Result<(), ClientError> {
        self.send(self.update_mfa_preference_request(totp, sms, email)).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::TotpSetup;
    use alloc::borrow::ToOwned;

    #[test]
    fn setup_uris_escape_their_labels() {
        let setup = TotpSetup { secret: "JBSWY3DPEHPK3PXP".to_owned() };
        assert_eq!(
            setup.uri("My App", "alice@example.com"),
            "otpauth://totp/My%20App:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
        );
    }
}
