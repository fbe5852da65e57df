//! The two entry points of the engine: [`initiate`] picks the flow, [`respond`] opens the sealed
//! challenge, checks it is this client's, this pool's, unanswered and for the user named, and hands
//! the answer to the step it belongs to.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognate_proto::auth::param;
use cognate_proto::{AuthFlow, ChallengeName, CognitoError, Exception};
use cognate_srp::{CognitoTimestamp, ServerSession, SrpInt};
use serde_json::Value;

use super::challenge::{invalid_session, open};
use super::context::{
    Context, check_lockout, enabled, failed, find_user, param, unknown_failed, wrong_password,
};
use super::password::{names_challenge_user, password_sign_in, srp_start, stand_in_work};
use crate::domain::attributes::check_write;
use crate::domain::users::{open_verifier, seal_verifier};
use crate::services::{Services, internal, now_ms};
use crate::store::UserStatus;

/// How far a claim's TIMESTAMP may be from the server's clock.
const TIMESTAMP_SKEW_S: i64 = 15 * 60;

/// Starts a sign-in: `flow` with its `params` (InitiateAuth's `AuthFlow` and `AuthParameters`;
/// `admin` for AdminInitiateAuth). Answers tokens or the first challenge.
///
/// # Errors
/// The Cognito error the flow ends in.
pub async fn initiate(
    svc: &Services,
    ctx: &Context,
    admin: bool,
    flow: AuthFlow,
    params: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let admin_only = matches!(flow, AuthFlow::AdminUserPasswordAuth | AuthFlow::AdminNoSrpAuth);
    let both = matches!(
        flow,
        AuthFlow::UserSrpAuth
            | AuthFlow::UserAuth
            | AuthFlow::RefreshTokenAuth
            | AuthFlow::RefreshToken
            | AuthFlow::CustomAuth
    );
    if admin_only != admin && !both {
        return Err(unsupported_flow(flow.as_str()));
    }
    ctx.allows(flow.as_str())?;
    match flow {
        AuthFlow::UserSrpAuth => srp_start(svc, ctx, params, None).await,
        AuthFlow::CustomAuth => super::custom::start(svc, ctx, params).await,
        AuthFlow::UserPasswordAuth | AuthFlow::AdminUserPasswordAuth | AuthFlow::AdminNoSrpAuth => {
            let username = param(params, param::USERNAME)?;
            ctx.check_secret_hash(svc, params, username)?;
            let user = find_user(svc, ctx, username).await?;
            password_sign_in(svc, ctx, username, user, param(params, param::PASSWORD)?).await
        }
        AuthFlow::UserAuth => {
            let username = param(params, param::USERNAME)?;
            ctx.check_secret_hash(svc, params, username)?;
            let user = find_user(svc, ctx, username).await?;
            super::user_auth::start(svc, ctx, params, user).await
        }
        AuthFlow::RefreshTokenAuth | AuthFlow::RefreshToken => {
            let token = param(params, param::REFRESH_TOKEN)?;
            let given = params.get(param::SECRET_HASH).map(String::as_str);
            super::refresh::refresh(svc, ctx, token, super::refresh::Proof::SecretHash(given), false).await
        }
        other => Err(unsupported_flow(other.as_str())),
    }
}

/// Cognito's refusal of a flow this request cannot use.
#[must_use]
pub fn unsupported_flow(flow: &str) -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, format!("Initiate Auth method not supported: {flow}"))
}

/// Answers the challenge `name` of a sign-in: its sealed state comes in `session`
/// (RespondToAuthChallenge's `Session`; PASSWORD_VERIFIER's is in the `PASSWORD_CLAIM_SECRET_BLOCK`
/// answer instead), the answers in `answers` (`ChallengeResponses`). Answers tokens or the next
/// challenge.
///
/// # Errors
/// The Cognito error the step ends in.
pub async fn respond(
    svc: &Services,
    ctx: &Context,
    name: ChallengeName,
    session: Option<&str>,
    answers: &BTreeMap<String, String>,
) -> Result<Value, CognitoError> {
    let state_text = match name {
        // Some clients send no Session here: the state is in the block they echo.
        ChallengeName::PasswordVerifier => param(answers, param::PASSWORD_CLAIM_SECRET_BLOCK)?.to_owned(),
        _ => session.ok_or_else(invalid_session)?.to_owned(),
    };
    let challenge = open(svc, &state_text)?;
    if challenge.name != name.as_str() || challenge.client != ctx.client.id || challenge.pool != ctx.pool.id {
        return Err(invalid_session());
    }
    if !svc.store.consume_challenge(&challenge.id, challenge.expires_ms, now_ms()).await.map_err(internal)? {
        return Err(invalid_session());
    }
    let username = param(answers, param::USERNAME)?;
    ctx.check_secret_hash(svc, answers, username)?;
    if !names_challenge_user(svc, ctx, &challenge, username).await? {
        return Err(CognitoError::new(
            Exception::NotAuthorized,
            "USERNAME does not name the user this challenge was issued to.",
        ));
    }
    if name == ChallengeName::CustomChallenge {
        // Answered for unknown users too (the triggers hear userNotFound), as Cognito does.
        let user = match &challenge.user {
            Some(key) => {
                Some(svc.store.user(&ctx.pool.id, key).await.map_err(internal)?.ok_or_else(invalid_session)?)
            }
            None => None,
        };
        return super::custom::answer(svc, ctx, &challenge, user, answers).await;
    }
    if name == ChallengeName::SelectChallenge {
        // Answered for unknown users too, as for anyone: the factor chosen decides what follows.
        let user = match &challenge.user {
            Some(key) => {
                Some(svc.store.user(&ctx.pool.id, key).await.map_err(internal)?.ok_or_else(invalid_session)?)
            }
            None => None,
        };
        return super::user_auth::answer_select(svc, ctx, &challenge, user, answers).await;
    }
    let Some(key) = &challenge.user else {
        // The stand-in challenge of an unknown user: spend what checking a real proof spends (v^u,
        // then the power of b) before answering as a wrong password does.
        stand_in_work(&challenge);
        return Err(match &challenge.asked {
            Some(asked) => unknown_failed(svc, &ctx.pool.id, asked).await,
            None => wrong_password(),
        });
    };
    let user =
        svc.store.user(&ctx.pool.id, key).await.map_err(internal)?.ok_or_else(|| ctx.unknown_user())?;
    match name {
        ChallengeName::PasswordVerifier => {
            let stamp = param(answers, param::TIMESTAMP)?;
            let parsed = CognitoTimestamp::parse(stamp).map_err(CognitoError::from)?;
            if (parsed.unix() - now_ms() / 1000).abs() > TIMESTAMP_SKEW_S {
                return Err(CognitoError::new(
                    Exception::NotAuthorized,
                    "TIMESTAMP is too far from the server's time.",
                ));
            }
            let failures = check_lockout(svc, &user).await?;
            let verifier = open_verifier(svc, &user).ok_or_else(wrong_password)?;
            let b =
                SrpInt::from_hex("b", challenge.b.as_deref().unwrap_or("")).map_err(|_| invalid_session())?;
            let srp_a = challenge.srp_a.as_deref().unwrap_or("");
            let srp_b = challenge.srp_b.as_deref().unwrap_or("");
            let session =
                ServerSession::resume_with_b(srp_a, &verifier.v, &b, srp_b).map_err(CognitoError::from)?;
            let pool_name = cognate_srp::pool_name(&ctx.pool.id).map_err(CognitoError::from)?;
            let block = STANDARD.decode(&state_text).map_err(|_| invalid_session())?;
            let signature = param(answers, param::PASSWORD_CLAIM_SIGNATURE)?;
            if session.verify_claim(pool_name, &user.username, &block, stamp, signature).is_err() {
                return Err(failed(svc, &user).await);
            }
            enabled(&user)?;
            if challenge.custom.is_some() {
                super::succeeded(svc, &user, failures).await?;
                return super::custom::after_password(svc, ctx, &challenge, &user).await;
            }
            super::mfa::finish(svc, ctx, user, failures).await
        }
        ChallengeName::NewPasswordRequired => {
            let password = param(answers, "NEW_PASSWORD")?;
            ctx.settings.password_policy.check(password)?;
            enabled(&user)?;
            let mut user = user;
            let mut changes: BTreeMap<String, String> = answers
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("userAttributes.")?.to_owned(), v.clone())))
                .collect();
            check_write(&ctx.settings.schema, ctx.writer(), &user.attributes, &changes)?;
            crate::domain::schema::normalize_booleans(&ctx.settings.schema, &mut changes);
            user.attributes.extend(changes);
            crate::domain::schema::check_required(&ctx.settings.schema, &user.attributes)?;
            user.verifier = Some(seal_verifier(svc, &ctx.pool, &user, password)?);
            user.status = UserStatus::Confirmed;
            user.aliases = crate::domain::users::aliases(&ctx.settings, &user.attributes);
            user.modified_ms = now_ms();
            svc.store.update_user(&user, &[], &[]).await.map_err(internal)?;
            super::mfa::finish(svc, ctx, user, 0).await
        }
        ChallengeName::WebAuthn => {
            enabled(&user)?;
            super::user_auth::answer_webauthn(svc, ctx, &challenge, user, answers).await
        }
        ChallengeName::SoftwareTokenMfa
        | ChallengeName::MfaSetup
        | ChallengeName::SmsMfa
        | ChallengeName::EmailOtp
        | ChallengeName::SmsOtp
        | ChallengeName::SelectMfaType => {
            enabled(&user)?;
            super::mfa::answer(svc, ctx, &challenge, &user, answers).await
        }
        other => Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Cognate does not support the challenge {} yet.", other.as_str()),
        )),
    }
}
