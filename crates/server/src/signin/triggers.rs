//! Where Cognito runs its Lambda triggers, named in one place. Cognate has no triggers yet, and
//! nothing calls [`run`] yet: the Triggers work fills it in (calling the configured webhooks) and
//! calls it at the places this table names.
//!
//! | point | Cognito's trigger | goes in |
//! | --- | --- | --- |
//! | [`Point::PreSignUp`] | pre sign-up | `api/account.rs::sign_up`, `api/user.rs::admin_create` (later: federation) |
//! | [`Point::PostConfirmation`] | post confirmation | `api/account.rs::confirm_sign_up`, `api/user.rs::admin_confirm_sign_up` |
//! | [`Point::PreAuthentication`] | pre authentication | `signin/password.rs` (`srp_start`, `password_sign_in`), `signin/user_auth.rs` |
//! | [`Point::PostAuthentication`] | post authentication | `signin/mfa.rs::finish` |
//! | [`Point::PreTokenGeneration`] | pre token generation | `signin/context.rs::Context::tokens`, `signin/refresh.rs::refresh` |
//! | [`Point::UserMigration`] | user migration | `signin/password.rs::password_sign_in` (unknown user), `api/account.rs::forgot_password` |
//! | [`Point::CustomMessage`] | custom message | `domain/codes.rs::message` (every code and invitation) |

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
/// returns at once.
///
/// # Errors
/// None yet; a failing trigger will be the Cognito error Cognito gives for it.
#[allow(clippy::unused_async)]
pub async fn run(_svc: &Services, _pool_id: &str, _point: Point) -> Result<(), CognitoError> {
    Ok(())
}
