//! Where Cognito runs its Lambda triggers, named in one place. Cognate has no triggers yet: each
//! point is a function the engine and the write paths already call, which does nothing today; the
//! Triggers issue makes them call the configured webhooks (and may change what they return).
//!
//! | point | Cognito's trigger | called from |
//! | --- | --- | --- |
//! | [`Point::PreSignUp`] | pre sign-up | SignUp, AdminCreateUser (later: federation) |
//! | [`Point::PostConfirmation`] | post confirmation | ConfirmSignUp, AdminConfirmSignUp |
//! | [`Point::PreAuthentication`] | pre authentication | before a password or passkey is checked |
//! | [`Point::PostAuthentication`] | post authentication | after the first factor succeeded |
//! | [`Point::PreTokenGeneration`] | pre token generation | before tokens are issued (sign-in, refresh) |
//! | [`Point::UserMigration`] | user migration | an unknown user signing in with a password, ForgotPassword |
//! | [`Point::CustomMessage`] | custom message | every code or invitation sent |

use cognate_proto::CognitoError;

use crate::services::Services;

/// A trigger point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// Before a user is created.
    PreSignUp,
    /// After a user is confirmed.
    PostConfirmation,
    /// Before a sign-in checks its first factor.
    PreAuthentication,
    /// After the first factor succeeded.
    PostAuthentication,
    /// Before tokens are issued.
    PreTokenGeneration,
    /// When a password sign-in or ForgotPassword names an unknown user.
    UserMigration,
    /// Before a message with a code is queued.
    CustomMessage,
}

/// Runs the triggers configured for `point` in `pool_id`. None can be configured yet, so this
/// returns at once; it is called at every point so that adding triggers changes this function only.
///
/// # Errors
/// None yet; a failing trigger will be the Cognito error Cognito gives for it.
#[allow(clippy::unused_async)]
pub async fn run(_svc: &Services, _pool_id: &str, _point: Point) -> Result<(), CognitoError> {
    Ok(())
}
