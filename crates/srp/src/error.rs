//! The one error type of the crate, and how it reaches the wire.

#[cfg(feature = "proto")]
use cognate_proto::{CognitoError, Exception};

/// What can go wrong in an SRP exchange. Messages name the field, never a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrpError {
    /// A hex field is empty, too long or holds a non-hex character.
    #[error("{0} is not a valid hex number")]
    InvalidHex(&'static str),
    /// A base64 field does not decode.
    #[error("{0} is not valid base64")]
    InvalidBase64(&'static str),
    /// A number is not below the group's modulus N.
    #[error("{0} is out of range for the SRP group")]
    OutOfRange(&'static str),
    /// The client's public value is 0 mod N (it would fix the session key).
    #[error("SRP_A mod N cannot be 0")]
    IllegalA,
    /// The server's public value is 0 mod N.
    #[error("SRP_B mod N cannot be 0")]
    IllegalB,
    /// The scrambling parameter u hashed to 0.
    #[error("the SRP scrambling parameter u is 0")]
    IllegalU,
    /// The password claim signature does not match.
    #[error("the password claim signature does not match")]
    SignatureMismatch,
    /// A timestamp is not in Cognito's form (`Tue Feb 4 09:05:03 UTC 2025`).
    #[error("TIMESTAMP is not in the form 'Tue Feb 4 09:05:03 UTC 2025'")]
    InvalidTimestamp,
    /// A pool id has no region prefix or no name after `_`.
    #[error("the user pool id must look like <region>_<name>")]
    InvalidPoolId,
    /// The system's random source failed.
    #[error("the random number source failed")]
    Random,
}

#[cfg(feature = "proto")]
impl From<SrpError> for CognitoError {
    fn from(err: SrpError) -> Self {
        let kind = match err {
            // A wrong proof is a wrong password, and reads like one.
            SrpError::SignatureMismatch => {
                return CognitoError::new(Exception::NotAuthorized, "Incorrect username or password.");
            }
            SrpError::Random => Exception::InternalError,
            _ => Exception::InvalidParameter,
        };
        CognitoError::new(kind, alloc::string::ToString::to_string(&err))
    }
}

#[cfg(all(test, feature = "proto"))]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn maps_to_cognito_exceptions() {
        let e: CognitoError = SrpError::SignatureMismatch.into();
        assert_eq!(e.kind, Exception::NotAuthorized);
        assert_eq!(e.message, "Incorrect username or password.");
        let e: CognitoError = SrpError::IllegalA.into();
        assert_eq!((e.kind, e.message.as_str()), (Exception::InvalidParameter, "SRP_A mod N cannot be 0"));
        let e: CognitoError = SrpError::InvalidHex("SRP_B").into();
        assert_eq!(e.message, "SRP_B is not a valid hex number");
    }
}
