//! Auth flows, challenge names and the keys of the `AuthParameters`, `ChallengeParameters` and
//! `ChallengeResponses` maps of `InitiateAuth` and `RespondToAuthChallenge`.

use serde::{Deserialize, Serialize};

/// `AuthFlow` of `InitiateAuth` / `AdminInitiateAuth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum AuthFlow {
    /// Secure Remote Password: the password never leaves the client.
    UserSrpAuth,
    /// The password sent over TLS.
    UserPasswordAuth,
    /// Admin-side password sign-in.
    AdminUserPasswordAuth,
    /// The older name of `ADMIN_USER_PASSWORD_AUTH`.
    AdminNoSrpAuth,
    /// New tokens from a refresh token.
    RefreshTokenAuth,
    /// The same as `REFRESH_TOKEN_AUTH`.
    RefreshToken,
    /// Challenges decided by Lambda triggers.
    CustomAuth,
    /// Choice-based sign-in: passkeys, passwords, one-time codes.
    UserAuth,
}

/// `ChallengeName` of a challenge answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ChallengeName {
    /// The SRP proof of the password (after `USER_SRP_AUTH`).
    PasswordVerifier,
    /// The SRP proof of a remembered device's secret.
    DevicePasswordVerifier,
    /// Start of the device SRP exchange.
    DeviceSrpAuth,
    /// The user must choose a new password.
    NewPasswordRequired,
    /// A code sent by SMS.
    SmsMfa,
    /// A code sent by email as a second factor.
    EmailOtp,
    /// A code from an authenticator app.
    SoftwareTokenMfa,
    /// The user picks among several MFA methods.
    SelectMfaType,
    /// The user must set up MFA.
    MfaSetup,
    /// A challenge from a Lambda trigger.
    CustomChallenge,
    /// The user picks a first factor (`USER_AUTH`).
    SelectChallenge,
    /// A password as first factor (`USER_AUTH`).
    Password,
    /// An SRP password proof as first factor (`USER_AUTH`).
    PasswordSrp,
    /// A passkey assertion.
    WebAuthn,
    /// A code sent by SMS as first factor (`USER_AUTH`).
    SmsOtp,
    /// The legacy admin flow's name.
    AdminNoSrpAuth,
}

impl AuthFlow {
    /// Every value, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::UserSrpAuth,
        Self::UserPasswordAuth,
        Self::AdminUserPasswordAuth,
        Self::AdminNoSrpAuth,
        Self::RefreshTokenAuth,
        Self::RefreshToken,
        Self::CustomAuth,
        Self::UserAuth,
    ];

    /// The name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UserSrpAuth => "USER_SRP_AUTH",
            Self::UserPasswordAuth => "USER_PASSWORD_AUTH",
            Self::AdminUserPasswordAuth => "ADMIN_USER_PASSWORD_AUTH",
            Self::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            Self::RefreshTokenAuth => "REFRESH_TOKEN_AUTH",
            Self::RefreshToken => "REFRESH_TOKEN",
            Self::CustomAuth => "CUSTOM_AUTH",
            Self::UserAuth => "USER_AUTH",
        }
    }

    /// The value named `name` on the wire, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

impl ChallengeName {
    /// Every value, in declaration order.
    pub const ALL: [Self; 16] = [
        Self::PasswordVerifier,
        Self::DevicePasswordVerifier,
        Self::DeviceSrpAuth,
        Self::NewPasswordRequired,
        Self::SmsMfa,
        Self::EmailOtp,
        Self::SoftwareTokenMfa,
        Self::SelectMfaType,
        Self::MfaSetup,
        Self::CustomChallenge,
        Self::SelectChallenge,
        Self::Password,
        Self::PasswordSrp,
        Self::WebAuthn,
        Self::SmsOtp,
        Self::AdminNoSrpAuth,
    ];

    /// The name on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PasswordVerifier => "PASSWORD_VERIFIER",
            Self::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SmsMfa => "SMS_MFA",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::SelectMfaType => "SELECT_MFA_TYPE",
            Self::MfaSetup => "MFA_SETUP",
            Self::CustomChallenge => "CUSTOM_CHALLENGE",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::WebAuthn => "WEB_AUTHN",
            Self::SmsOtp => "SMS_OTP",
            Self::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
        }
    }

    /// The value named `name` on the wire, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// Keys of the parameter maps, exactly as they appear on the wire.
pub mod param {
    /// The user name as typed (or the internal one, in challenge answers).
    pub const USERNAME: &str = "USERNAME";
    /// The password (password flows only).
    pub const PASSWORD: &str = "PASSWORD";
    /// The client's SRP public value `A`, lowercase hex.
    pub const SRP_A: &str = "SRP_A";
    /// The server's SRP public value `B`, lowercase hex.
    pub const SRP_B: &str = "SRP_B";
    /// The verifier's salt, hex.
    pub const SALT: &str = "SALT";
    /// The server's opaque challenge state, base64.
    pub const SECRET_BLOCK: &str = "SECRET_BLOCK";
    /// The user id the SRP math uses (the internal username).
    pub const USER_ID_FOR_SRP: &str = "USER_ID_FOR_SRP";
    /// The client's proof of the password.
    pub const PASSWORD_CLAIM_SIGNATURE: &str = "PASSWORD_CLAIM_SIGNATURE";
    /// The `SECRET_BLOCK`, echoed back with the proof.
    pub const PASSWORD_CLAIM_SECRET_BLOCK: &str = "PASSWORD_CLAIM_SECRET_BLOCK";
    /// The timestamp the proof covers, in Cognito's format.
    pub const TIMESTAMP: &str = "TIMESTAMP";
    /// HMAC of username and client id under the client secret.
    pub const SECRET_HASH: &str = "SECRET_HASH";
    /// A remembered device's key.
    pub const DEVICE_KEY: &str = "DEVICE_KEY";
    /// A refresh token.
    pub const REFRESH_TOKEN: &str = "REFRESH_TOKEN";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_cognito() {
        let flow: AuthFlow = serde_json::from_str("\"USER_SRP_AUTH\"").unwrap();
        assert_eq!(flow, AuthFlow::UserSrpAuth);
        assert_eq!(serde_json::to_string(&AuthFlow::AdminNoSrpAuth).unwrap(), "\"ADMIN_NO_SRP_AUTH\"");
        assert_eq!(
            serde_json::to_string(&ChallengeName::SoftwareTokenMfa).unwrap(),
            "\"SOFTWARE_TOKEN_MFA\""
        );
        assert_eq!(serde_json::to_string(&ChallengeName::WebAuthn).unwrap(), "\"WEB_AUTHN\"");
        assert!(serde_json::from_str::<AuthFlow>("\"user_srp_auth\"").is_err());
    }

    #[test]
    fn as_str_is_the_serde_name_both_ways() {
        for flow in AuthFlow::ALL {
            assert_eq!(serde_json::to_string(&flow).unwrap(), format!("\"{}\"", flow.as_str()));
            assert_eq!(AuthFlow::from_name(flow.as_str()), Some(flow));
        }
        for name in ChallengeName::ALL {
            assert_eq!(serde_json::to_string(&name).unwrap(), format!("\"{}\"", name.as_str()));
            assert_eq!(ChallengeName::from_name(name.as_str()), Some(name));
        }
        assert_eq!(AuthFlow::from_name("user_srp_auth"), None);
        assert_eq!(ChallengeName::from_name(""), None);
    }
}
