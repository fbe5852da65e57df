//! Cognito's exceptions: the one error vocabulary of the project.
//!
//! Every crate's error converts into a [`CognitoError`] at its boundary; the server turns that into
//! `{"__type": "<name>", "message": "..."}` in one place, and the SDK turns it into a JavaScript `Error`
//! whose `name` is the same string, so code written for amazon-cognito-identity-js keeps its
//! `err.name === "NotAuthorizedException"` checks.

use serde::{Deserialize, Serialize};

macro_rules! exceptions {
    ($( $(#[$doc:meta])* $variant:ident => $status:literal ),+ $(,)?) => {
        /// A Cognito exception name, as it appears in `__type`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Exception {
            $( $(#[$doc])* $variant, )+
        }

        impl Exception {
            /// Every exception: Cognito's, in the order of the API model, then the protocol's.
            pub const ALL: &'static [Exception] = &[$(Exception::$variant),+];

            /// The wire name, e.g. `"NotAuthorizedException"`.
            pub const fn name(self) -> &'static str {
                match self { $( Exception::$variant => concat!(stringify!($variant), "Exception"), )+ }
            }

            /// The HTTP status Cognate answers with. Client errors are 400 as Cognito sends them (SDKs
            /// route on `__type`); 429 and 5xx are kept for the SDKs' retry logic.
            pub const fn http_status(self) -> u16 {
                match self { $( Exception::$variant => $status, )+ }
            }
        }
    };
}

exceptions! {
    /// The caller may not perform this action.
    AccessDenied => 400,
    /// An alias (email or phone) already belongs to another user.
    AliasExists => 400,
    /// A verification code could not be delivered.
    CodeDeliveryFailure => 400,
    /// The code given does not match the one sent.
    CodeMismatch => 400,
    /// Two updates raced on one resource.
    ConcurrentModification => 400,
    /// The device key already exists.
    DeviceKeyExists => 400,
    /// The identity provider already exists.
    DuplicateProvider => 400,
    /// TOTP MFA cannot be enabled (no verified software token).
    EnableSoftwareTokenMFA => 400,
    /// The code has expired.
    ExpiredCode => 400,
    /// The pool's feature plan does not include this feature.
    FeatureUnavailableInTier => 400,
    /// A web application firewall or policy refused the request.
    Forbidden => 403,
    /// The group already exists.
    GroupExists => 400,
    /// An internal fault; the details are in the server log under the request id, never in the answer.
    InternalError => 500,
    /// An internal server fault (newer operations' name for it).
    InternalServer => 500,
    /// The email role's access policy is invalid.
    InvalidEmailRoleAccessPolicy => 400,
    /// A Lambda trigger answered with an invalid response.
    InvalidLambdaResponse => 400,
    /// The OAuth flow is not allowed for this client.
    InvalidOAuthFlow => 400,
    /// A parameter is missing, malformed or out of range.
    InvalidParameter => 400,
    /// The password does not meet the pool's policy.
    InvalidPassword => 400,
    /// The SMS role's access policy is invalid.
    InvalidSmsRoleAccessPolicy => 400,
    /// The SMS role's trust relationship is invalid.
    InvalidSmsRoleTrustRelationship => 400,
    /// The user pool's configuration does not allow this.
    InvalidUserPoolConfiguration => 400,
    /// A limit was exceeded (sending codes, attempts, resources).
    LimitExceeded => 400,
    /// No MFA method is configured for the user.
    MFAMethodNotFound => 400,
    /// Managed-login branding already exists.
    ManagedLoginBrandingExists => 400,
    /// Authentication failed or the caller is not allowed: wrong password, bad token, disabled user.
    NotAuthorized => 400,
    /// The operation is not enabled for this pool or client.
    OperationNotEnabled => 400,
    /// The new password was used recently.
    PasswordHistoryPolicyViolation => 400,
    /// The user must reset the password first.
    PasswordResetRequired => 400,
    /// A precondition of the request does not hold.
    PreconditionNotMet => 400,
    /// A rotated refresh token was used again after its grace period.
    RefreshTokenReuse => 400,
    /// The pool, client, group or other resource does not exist.
    ResourceNotFound => 400,
    /// The scope does not exist.
    ScopeDoesNotExist => 400,
    /// A service quota was exceeded.
    ServiceQuotaExceeded => 400,
    /// The user has no software token for TOTP MFA.
    SoftwareTokenMFANotFound => 400,
    /// The terms already exist.
    TermsExists => 400,
    /// The feature-plan change is not allowed.
    TierChangeNotAllowed => 400,
    /// Too many failed attempts for this user.
    TooManyFailedAttempts => 400,
    /// The request was throttled.
    TooManyRequests => 429,
    /// The caller is not authorized (newer operations).
    Unauthorized => 401,
    /// A Lambda trigger failed unexpectedly.
    UnexpectedLambda => 400,
    /// The identity provider is not supported by the client.
    UnsupportedIdentityProvider => 400,
    /// The operation is not supported.
    UnsupportedOperation => 400,
    /// The token type is not supported for this operation.
    UnsupportedTokenType => 400,
    /// The user's state does not allow this operation.
    UnsupportedUserState => 400,
    /// A user import is in progress.
    UserImportInProgress => 400,
    /// A Lambda trigger refused the request.
    UserLambdaValidation => 400,
    /// The user has not confirmed sign-up.
    UserNotConfirmed => 400,
    /// The user does not exist.
    UserNotFound => 400,
    /// The pool's advanced security add-on is not enabled.
    UserPoolAddOnNotEnabled => 400,
    /// Tagging the user pool failed.
    UserPoolTagging => 400,
    /// The username is taken.
    UsernameExists => 400,
    /// The WebAuthn challenge was not found, was used, or expired.
    WebAuthnChallengeNotFound => 400,
    /// The WebAuthn client data does not match this request.
    WebAuthnClientMismatch => 400,
    /// The pool has no WebAuthn configuration.
    WebAuthnConfigurationMissing => 400,
    /// The credential's algorithm or format is not supported.
    WebAuthnCredentialNotSupported => 400,
    /// WebAuthn is not enabled for this pool.
    WebAuthnNotEnabled => 400,
    /// The credential's origin is not allowed.
    WebAuthnOriginNotAllowed => 400,
    /// The credential's relying party does not match the pool's.
    WebAuthnRelyingPartyMismatch => 400,

    // Errors of the AWS JSON protocol itself, common to every AWS service.
    /// A signed operation arrived without a signature.
    MissingAuthenticationToken => 403,
    /// The signature names an access key the server does not know.
    UnrecognizedClient => 400,
    /// The signature does not match the request (or has expired).
    InvalidSignature => 400,
    /// The `Authorization` header is malformed or lacks a part.
    IncompleteSignature => 400,
    /// The body is not JSON, or a member has the wrong type.
    Serialization => 400,
    /// `X-Amz-Target` names no operation of this service.
    UnknownOperation => 400,
}

impl std::fmt::Display for Exception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Exception {
    type Err = UnknownException;

    /// Parses a wire name. Accepts the forms clients meet: `NotAuthorizedException`, and the
    /// namespaced `com.amazonaws...#NotAuthorizedException` (the part after `#` is used).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let short = s.rsplit('#').next().unwrap_or(s);
        Exception::ALL
            .iter()
            .copied()
            .find(|e| e.name() == short)
            .ok_or_else(|| UnknownException(s.to_owned()))
    }
}

/// A string that names no Cognito exception.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Cognito exception {0:?}")]
pub struct UnknownException(pub String);

/// An error as Cognito reports it: the exception and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct CognitoError {
    /// Which exception.
    pub kind: Exception,
    /// What went wrong, for people. Never holds secrets.
    pub message: String,
}

impl CognitoError {
    /// An error of `kind` with `message`.
    pub fn new(kind: Exception, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }

    /// The body Cognito sends for this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { kind: self.kind.name().to_owned(), message: self.message.clone() }
    }
}

/// The JSON body of an error answer: `{"__type": "...Exception", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The exception name.
    #[serde(rename = "__type")]
    pub kind: String,
    /// The message; Cognito also sends `Message` on some errors, which clients accept too.
    #[serde(alias = "Message")]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_end_in_exception_and_round_trip() {
        assert_eq!(Exception::ALL.len(), 59 + 6);
        for e in Exception::ALL {
            assert!(e.name().ends_with("Exception"), "{}", e.name());
            assert_eq!(e.name().parse::<Exception>(), Ok(*e));
        }
        assert_eq!(Exception::MFAMethodNotFound.name(), "MFAMethodNotFoundException");
    }

    #[test]
    fn parses_namespaced_names_and_rejects_unknown_ones() {
        let e: Exception = "com.amazonaws.cognito#NotAuthorizedException".parse().unwrap();
        assert_eq!(e, Exception::NotAuthorized);
        assert!("NotAuthorized".parse::<Exception>().is_err());
        assert!("".parse::<Exception>().is_err());
    }

    #[test]
    fn statuses_keep_retry_semantics() {
        assert_eq!(Exception::TooManyRequests.http_status(), 429);
        assert_eq!(Exception::InternalError.http_status(), 500);
        assert_eq!(Exception::NotAuthorized.http_status(), 400);
    }

    #[test]
    fn body_serializes_as_cognito_does() {
        let err = CognitoError::new(Exception::NotAuthorized, "Incorrect username or password.");
        let json = serde_json::to_string(&err.body()).unwrap();
        assert_eq!(
            json,
            r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#
        );
        let back: ErrorBody = serde_json::from_str(r#"{"__type":"X","Message":"m"}"#).unwrap();
        assert_eq!(back.message, "m");
    }
}
