//! The client half: what a browser does in `USER_SRP_AUTH` (and `DEVICE_SRP_AUTH`).

use alloc::string::String;

use crate::encoding::base64_decode;
use crate::math::{claim_signature, client_premaster, client_public, private_key, scrambler, session_key};
use crate::{CognitoTimestamp, SrpError, SrpInt, random};

/// Bytes of the client's secret ephemeral `a`, as Cognito's own clients draw it.
const A_BYTES: usize = 128;

/// One sign-in attempt's client state: the secret `a` and the public `A`.
#[derive(Debug)]
pub struct SrpClient {
    a: SrpInt,
    big_a: SrpInt,
}

/// The `PASSWORD_VERIFIER` (or `DEVICE_PASSWORD_VERIFIER`) challenge as the server sent it.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChallenge<'a> {
    /// The pool name ([`pool_name`](crate::pool_name) of the pool id); for device SRP, the DeviceGroupKey.
    pub pool_name: &'a str,
    /// `USER_ID_FOR_SRP`; for device SRP, the DeviceKey.
    pub user_id_for_srp: &'a str,
    /// `SALT`, hex.
    pub salt: &'a str,
    /// `SRP_B`, hex.
    pub srp_b: &'a str,
    /// `SECRET_BLOCK`, base64, echoed back verbatim as `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub secret_block: &'a str,
}

/// The answer to the challenge: `PASSWORD_CLAIM_SIGNATURE` and the `TIMESTAMP` it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordClaim {
    /// `PASSWORD_CLAIM_SIGNATURE`, base64.
    pub signature: String,
    /// `TIMESTAMP`, in Cognito's form.
    pub timestamp: String,
}

impl SrpClient {
    /// A fresh attempt with a new random 128-byte `a`.
    ///
    /// # Errors
    /// [`SrpError::Random`] if the random source fails.
    pub fn new() -> Result<Self, SrpError> {
        let a = random::bytes::<A_BYTES>()?;
        Self::with_private(&SrpInt::from_be_bytes("a", a.as_ref())?)
    }

    /// An attempt with a given `a`: for test vectors and for callers that bring their own randomness.
    ///
    /// # Errors
    /// [`SrpError::IllegalA`] if g^a ≡ 0 (mod N) (it never is; the check is the protocol's).
    pub fn with_private(a: &SrpInt) -> Result<Self, SrpError> {
        let big_a = client_public(a)?;
        Ok(Self { a: a.clone(), big_a })
    }

    /// `SRP_A`: A as lowercase hex without padding.
    pub fn srp_a(&self) -> String {
        self.big_a.to_hex()
    }

    /// Proves knowledge of `password` for `challenge`, signing at `timestamp`.
    ///
    /// # Errors
    /// [`SrpError::InvalidHex`] / [`SrpError::InvalidBase64`] for malformed challenge fields,
    /// [`SrpError::IllegalB`] if B ≡ 0 (mod N), [`SrpError::IllegalU`] if u = 0.
    pub fn password_claim(
        &self,
        challenge: &PasswordChallenge<'_>,
        password: &str,
        timestamp: CognitoTimestamp,
    ) -> Result<PasswordClaim, SrpError> {
        let salt = SrpInt::from_hex("SALT", challenge.salt)?;
        let big_b = SrpInt::from_hex("SRP_B", challenge.srp_b)?;
        let secret_block =
            base64_decode(challenge.secret_block).ok_or(SrpError::InvalidBase64("SECRET_BLOCK"))?;
        let u = scrambler(&self.big_a, &big_b)?;
        let x = private_key(&salt, challenge.pool_name, challenge.user_id_for_srp, password);
        let s = client_premaster(&big_b, &x, &self.a, &u)?;
        let key = session_key(&u, &s);
        let timestamp = timestamp.text();
        let signature =
            claim_signature(&key, challenge.pool_name, challenge.user_id_for_srp, &secret_block, &timestamp);
        Ok(PasswordClaim { signature, timestamp })
    }
}
