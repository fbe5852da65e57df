//! Second factors for the signed-in user: authenticator-app setup (AssociateSoftwareToken,
//! VerifySoftwareToken) and MFA preferences (SetUserMFAPreference).

use crate::{Client, ClientError, Clock, Json, TokenStore, Transport};

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

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// A new authenticator-app secret for the signed-in user (it replaces any earlier one once
    /// verified with [`Client::verify_totp_setup`]).
    pub async fn set_up_totp(&self) -> Result<TotpSetup, ClientError> {
        let answer = self.call("AssociateSoftwareToken", self.with_access_token().await?).await?;
        let secret =
            answer.get_str("SecretCode").ok_or_else(|| ClientError::invalid_response("has no SecretCode"))?;
        Ok(TotpSetup { secret: secret.to_owned() })
    }

    /// Proves the app was set up with a code from it.
    pub async fn verify_totp_setup(&self, code: &str, device_name: Option<&str>) -> Result<(), ClientError> {
        let body = self
            .with_access_token()
            .await?
            .with("UserCode", code)
            .with_opt("FriendlyDeviceName", device_name);
        self.call("VerifySoftwareToken", body).await.map(drop)
    }

    /// SetUserMFAPreference: each factor given is changed, the others are left as they are.
    pub async fn update_mfa_preference(
        &self,
        totp: Option<MfaPreference>,
        sms: Option<MfaPreference>,
        email: Option<MfaPreference>,
    ) -> Result<(), ClientError> {
        let mut body = self.with_access_token().await?;
        for (member, pref) in
            [("SoftwareTokenMfaSettings", totp), ("SMSMfaSettings", sms), ("EmailMfaSettings", email)]
        {
            if let Some(p) = pref {
                body.set(member, factor(p));
            }
        }
        self.call("SetUserMFAPreference", body).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::TotpSetup;

    #[test]
    fn setup_uris_escape_their_labels() {
        let setup = TotpSetup { secret: "JBSWY3DPEHPK3PXP".to_owned() };
        assert_eq!(
            setup.uri("My App", "alice@example.com"),
            "otpauth://totp/My%20App:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
        );
    }
}
