//! Remembered devices (`DEVICE_SRP_AUTH`): the same SRP with the DeviceGroupKey in the pool name's place,
//! the DeviceKey in the user id's, and a random password that only the device knows.
//!
//! After a sign-in returns `NewDeviceMetadata`, the client makes a [`DeviceSecret`] and sends its
//! [`DeviceVerifierConfig`] in `ConfirmDevice`; the server turns that config back into a [`Verifier`].
//! Later sign-ins answer `DEVICE_SRP_AUTH` with [`SrpClient`](crate::SrpClient), passing the group key
//! as `pool_name`, the device key as `user_id_for_srp` and [`DeviceSecret::password`].

use alloc::string::String;

use zeroize::Zeroizing;

use crate::encoding::{base64_decode, base64_encode};
use crate::{SrpError, SrpInt, Verifier, random};

/// The device's secret: its random password, and the verifier the server keeps.
#[derive(Debug)]
pub struct DeviceSecret {
    password: Zeroizing<String>,
    verifier: Verifier,
}

/// `DeviceSecretVerifierConfig` as `ConfirmDevice` carries it: base64 of the `padHex` bytes of v and salt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceVerifierConfig {
    /// `PasswordVerifier`.
    pub password_verifier: String,
    /// `Salt`.
    pub salt: String,
}

impl DeviceSecret {
    /// A new device secret: base64 of 40 random bytes as the password, 16 random bytes of salt.
    ///
    /// # Errors
    /// [`SrpError::Random`] if the random source fails.
    pub fn generate(device_group_key: &str, device_key: &str) -> Result<Self, SrpError> {
        let password = Zeroizing::new(base64_encode(random::bytes::<40>()?.as_ref()));
        let salt = SrpInt::from_be_bytes("salt", random::bytes::<16>()?.as_ref())?;
        Ok(Self::from_parts(device_group_key, device_key, password, salt))
    }

    /// The secret for a known password and salt (a stored device, or a test vector).
    pub fn from_parts(
        device_group_key: &str,
        device_key: &str,
        password: Zeroizing<String>,
        salt: SrpInt,
    ) -> Self {
        let verifier = Verifier::with_salt(salt, device_group_key, device_key, &password);
        Self { password, verifier }
    }

    /// The device password, to keep in the device's storage.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// What `ConfirmDevice` sends.
    pub fn verifier_config(&self) -> DeviceVerifierConfig {
        DeviceVerifierConfig {
            password_verifier: base64_encode(&self.verifier.v.to_padded_bytes()),
            salt: base64_encode(&self.verifier.salt.to_padded_bytes()),
        }
    }
}

impl DeviceVerifierConfig {
    /// The server's view: the verifier to answer `DEVICE_SRP_AUTH` with.
    ///
    /// # Errors
    /// [`SrpError::InvalidBase64`] or [`SrpError::OutOfRange`] for a malformed config.
    pub fn to_verifier(&self) -> Result<Verifier, SrpError> {
        let decode = |field: &'static str, text: &str| {
            let bytes =
                base64_decode(text).filter(|b| !b.is_empty()).ok_or(SrpError::InvalidBase64(field))?;
            SrpInt::from_be_bytes(field, &bytes)
        };
        Ok(Verifier {
            salt: decode("Salt", &self.salt)?,
            v: decode("PasswordVerifier", &self.password_verifier)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CognitoTimestamp, PasswordChallenge, ServerSession, SrpClient};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const GROUP: &str = "-dEaDbEeF";
    const DEVICE: &str = "us-east-1_3f1c6d2e-0000-4000-8000-000000000001";

    #[test]
    fn a_confirmed_device_signs_in_with_its_password_only() {
        let secret = DeviceSecret::generate(GROUP, DEVICE).unwrap();
        assert_eq!(base64_decode(secret.password()).unwrap().len(), 40);
        let stored = secret.verifier_config().to_verifier().unwrap();
        let attempt = |password: &str| {
            let client = SrpClient::new().unwrap();
            let server = ServerSession::start(&client.srp_a(), &stored).unwrap();
            let challenge = PasswordChallenge {
                pool_name: GROUP,
                user_id_for_srp: DEVICE,
                salt: &stored.salt.to_hex(),
                srp_b: &server.srp_b(),
                secret_block: "AQID",
            };
            let claim = client.password_claim(&challenge, password, CognitoTimestamp::now()).unwrap();
            server.verify_claim(GROUP, DEVICE, &[1, 2, 3], &claim.timestamp, &claim.signature)
        };
        assert_eq!(attempt(secret.password()), Ok(()));
        assert_eq!(attempt("guessed"), Err(SrpError::SignatureMismatch));
    }

    #[test]
    fn malformed_configs_are_refused() {
        let bad = DeviceVerifierConfig { password_verifier: "@@".into(), salt: "AQ==".into() };
        assert_eq!(bad.to_verifier(), Err(SrpError::InvalidBase64("PasswordVerifier")));
        let empty = DeviceVerifierConfig { password_verifier: "AQ==".into(), salt: String::new() };
        assert_eq!(empty.to_verifier(), Err(SrpError::InvalidBase64("Salt")));
    }
}
