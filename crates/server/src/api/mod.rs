//! The operations: each takes the request's JSON and answers JSON or a Cognito error. They know
//! nothing of HTTP; `crate::http` authenticates and routes to [`dispatch`].

pub mod account;
pub mod auth;
pub mod branding;
pub mod client;
pub mod domain;
pub mod group;
pub mod list_users;
pub mod mfa;
pub mod passkey;
pub mod pool;
pub mod resource_server;
pub mod session;
pub mod user;
mod wire;

use cognate_proto::{CognitoError, Exception};
use serde_json::Value;

pub use crate::services::{Services, internal, now_ms};
pub use wire::Request;

/// Who called: the SigV4-verified admin and the region the request was signed for.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The signing region, if the request was signed.
    pub region: Option<String>,
}

/// Operations that AWS serves without SigV4 (they authorize by token, session or nothing).
pub const UNSIGNED: [&str; 32] = [
    "AssociateSoftwareToken",
    "ChangePassword",
    "CompleteWebAuthnRegistration",
    "ConfirmDevice",
    "ConfirmForgotPassword",
    "ConfirmSignUp",
    "DeleteUser",
    "DeleteUserAttributes",
    "DeleteWebAuthnCredential",
    "ForgetDevice",
    "ForgotPassword",
    "GetDevice",
    "GetTokensFromRefreshToken",
    "GetUser",
    "GetUserAttributeVerificationCode",
    "GetUserAuthFactors",
    "GlobalSignOut",
    "InitiateAuth",
    "ListDevices",
    "ListWebAuthnCredentials",
    "ResendConfirmationCode",
    "RespondToAuthChallenge",
    "RevokeToken",
    "SetUserMFAPreference",
    "SetUserSettings",
    "SignUp",
    "StartWebAuthnRegistration",
    "UpdateAuthEventFeedback",
    "UpdateDeviceStatus",
    "UpdateUserAttributes",
    "VerifySoftwareToken",
    "VerifyUserAttribute",
];

/// Runs operation `op`. Unknown names are `UnknownOperationException`; Cognito operations Cognate does
/// not implement yet are `UnsupportedOperationException`, saying so.
///
/// # Errors
/// The operation's Cognito error.
pub async fn dispatch(svc: &Services, caller: &Caller, op: &str, body: Value) -> Result<Value, CognitoError> {
    let req = Request::new(body)?;
    match op {
        "CreateUserPool" => pool::create(svc, caller, req).await,
        "DescribeUserPool" => pool::describe(svc, req).await,
        "UpdateUserPool" => pool::update(svc, req).await,
        "DeleteUserPool" => pool::delete(svc, req).await,
        "ListUserPools" => pool::list(svc, req).await,
        "AddCustomAttributes" => pool::add_custom_attributes(svc, req).await,
        "CreateUserPoolClient" => client::create(svc, req).await,
        "DescribeUserPoolClient" => client::describe(svc, req).await,
        "UpdateUserPoolClient" => client::update(svc, req).await,
        "DeleteUserPoolClient" => client::delete(svc, req).await,
        "ListUserPoolClients" => client::list(svc, req).await,
        "AdminCreateUser" => user::admin_create(svc, req).await,
        "AdminGetUser" => user::admin_get(svc, req).await,
        "AdminDeleteUser" => user::admin_delete(svc, req).await,
        "AdminEnableUser" => user::admin_set_enabled(svc, req, true).await,
        "AdminDisableUser" => user::admin_set_enabled(svc, req, false).await,
        "AdminSetUserPassword" => user::admin_set_password(svc, req).await,
        "AdminResetUserPassword" => user::admin_reset_password(svc, req).await,
        "AdminConfirmSignUp" => user::admin_confirm_sign_up(svc, req).await,
        "AdminUpdateUserAttributes" => user::admin_update_attributes(svc, req).await,
        "AdminDeleteUserAttributes" => user::admin_delete_attributes(svc, req).await,
        "ListUsers" => list_users::list(svc, req).await,
        "InitiateAuth" => auth::initiate(svc, req, false).await,
        "AdminInitiateAuth" => auth::initiate(svc, req, true).await,
        "RespondToAuthChallenge" => auth::respond(svc, req, false).await,
        "AdminRespondToAuthChallenge" => auth::respond(svc, req, true).await,
        "GetUser" => session::get_user(svc, req).await,
        "GetTokensFromRefreshToken" => auth::get_tokens_from_refresh_token(svc, req).await,
        "SignUp" => account::sign_up(svc, req).await,
        "ConfirmSignUp" => account::confirm_sign_up(svc, req).await,
        "ResendConfirmationCode" => account::resend_confirmation_code(svc, req).await,
        "ForgotPassword" => account::forgot_password(svc, req).await,
        "ConfirmForgotPassword" => account::confirm_forgot_password(svc, req).await,
        "ChangePassword" => account::change_password(svc, req).await,
        "UpdateUserAttributes" => account::update_user_attributes(svc, req).await,
        "GetUserAttributeVerificationCode" => account::get_user_attribute_verification_code(svc, req).await,
        "VerifyUserAttribute" => account::verify_user_attribute(svc, req).await,
        "DeleteUser" => account::delete_user(svc, req).await,
        "DeleteUserAttributes" => account::delete_user_attributes(svc, req).await,
        "GlobalSignOut" => session::global_sign_out(svc, req).await,
        "AdminUserGlobalSignOut" => session::admin_global_sign_out(svc, req).await,
        "RevokeToken" => session::revoke_token(svc, req).await,
        "CreateGroup" => group::create(svc, req).await,
        "GetGroup" => group::get(svc, req).await,
        "UpdateGroup" => group::update(svc, req).await,
        "DeleteGroup" => group::delete(svc, req).await,
        "ListGroups" => group::list(svc, req).await,
        "AdminAddUserToGroup" => group::add_user(svc, req).await,
        "AdminRemoveUserFromGroup" => group::remove_user(svc, req).await,
        "AdminListGroupsForUser" => group::groups_for_user(svc, req).await,
        "ListUsersInGroup" => group::users_in_group(svc, req).await,
        "SetUserPoolMfaConfig" => mfa::set_pool_config(svc, req).await,
        "GetUserPoolMfaConfig" => mfa::get_pool_config(svc, req).await,
        "AssociateSoftwareToken" => mfa::associate_software_token(svc, req).await,
        "VerifySoftwareToken" => mfa::verify_software_token(svc, req).await,
        "SetUserMFAPreference" => mfa::set_user_preference(svc, req).await,
        "AdminSetUserMFAPreference" => mfa::admin_set_user_preference(svc, req).await,
        "CreateUserPoolDomain" => domain::create(svc, req).await,
        "DescribeUserPoolDomain" => domain::describe(svc, req).await,
        "UpdateUserPoolDomain" => domain::update(svc, req).await,
        "DeleteUserPoolDomain" => domain::delete(svc, req).await,
        "CreateResourceServer" => resource_server::create(svc, req).await,
        "DescribeResourceServer" => resource_server::describe(svc, req).await,
        "ListResourceServers" => resource_server::list(svc, req).await,
        "UpdateResourceServer" => resource_server::update(svc, req).await,
        "DeleteResourceServer" => resource_server::delete(svc, req).await,
        "CreateManagedLoginBranding" => branding::create(svc, req).await,
        "DescribeManagedLoginBranding" => branding::describe(svc, req).await,
        "DescribeManagedLoginBrandingByClient" => branding::describe_by_client(svc, req).await,
        "UpdateManagedLoginBranding" => branding::update(svc, req).await,
        "DeleteManagedLoginBranding" => branding::delete(svc, req).await,
        "SetUICustomization" => branding::set_ui(svc, req).await,
        "GetUICustomization" => branding::get_ui(svc, req).await,
        "StartWebAuthnRegistration" => passkey::start_registration(svc, req).await,
        "CompleteWebAuthnRegistration" => passkey::complete_registration(svc, req).await,
        "ListWebAuthnCredentials" => passkey::list(svc, req).await,
        "DeleteWebAuthnCredential" => passkey::delete(svc, req).await,
        "GetUserAuthFactors" => passkey::auth_factors(svc, req).await,
        other if is_cognito_operation(other) => Err(CognitoError::new(
            Exception::UnsupportedOperation,
            format!("Cognate does not implement {other} yet."),
        )),
        other => Err(CognitoError::new(Exception::UnknownOperation, format!("Unknown operation {other}."))),
    }
}

/// True for the names of Cognito's operations (those this server answers as not yet implemented).
fn is_cognito_operation(op: &str) -> bool {
    UNSIGNED.contains(&op)
        || op.starts_with("Admin")
        || [
            "AddUserPoolClientSecret",
            "CreateIdentityProvider",
            "CreateManagedLoginBranding",
            "CreateResourceServer",
            "CreateTerms",
            "CreateUserImportJob",
            "CreateUserPoolDomain",
            "DeleteIdentityProvider",
            "DeleteManagedLoginBranding",
            "DeleteResourceServer",
            "DeleteTerms",
            "DeleteUserPoolClientSecret",
            "DeleteUserPoolDomain",
            "DescribeIdentityProvider",
            "DescribeManagedLoginBranding",
            "DescribeManagedLoginBrandingByClient",
            "DescribeResourceServer",
            "DescribeRiskConfiguration",
            "DescribeTerms",
            "DescribeUserImportJob",
            "DescribeUserPoolDomain",
            "GetCSVHeader",
            "GetIdentityProviderByIdentifier",
            "GetLogDeliveryConfiguration",
            "GetSigningCertificate",
            "GetUICustomization",
            "GetUserPoolMfaConfig",
            "ListIdentityProviders",
            "ListResourceServers",
            "ListTagsForResource",
            "ListTerms",
            "ListUserImportJobs",
            "ListUserPoolClientSecrets",
            "SetLogDeliveryConfiguration",
            "SetRiskConfiguration",
            "SetUICustomization",
            "SetUserPoolMfaConfig",
            "StartUserImportJob",
            "StopUserImportJob",
            "TagResource",
            "UntagResource",
            "UpdateIdentityProvider",
            "UpdateManagedLoginBranding",
            "UpdateResourceServer",
            "UpdateTerms",
            "UpdateUserPoolDomain",
        ]
        .contains(&op)
}
