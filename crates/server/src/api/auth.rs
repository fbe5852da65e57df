//! Sign-in operations: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
//! AdminRespondToAuthChallenge, GetTokensFromRefreshToken. Each reads its request and calls the
//! sign-in engine (`crate::signin`), which does the rest.

use std::collections::BTreeMap;

use cognate_proto::{AuthFlow, ChallengeName, CognitoError};

use serde_json::{Value, json};

use super::wire::invalid;
use super::{Request, Services};
use crate::signin::{self, Context, Proof};

/// The context of a request naming `ClientId` (and `UserPoolId` when `admin`).
pub(super) async fn context(svc: &Services, req: &Request, admin: bool) -> Result<Context, CognitoError> {
    let client_id = req.string("ClientId")?;
    let pool_id = if admin { Some(req.string("UserPoolId")?) } else { None };
    signin::context(svc, &client_id, pool_id.as_deref()).await
}

/// A map of string parameters. A `null` value counts as absent: amazon-cognito-identity-js sends
/// `DEVICE_KEY: null` when refreshing without a remembered device, and Cognito accepts it.
fn parameters(req: &Request, member: &str) -> Result<BTreeMap<String, String>, CognitoError> {
    let map: BTreeMap<String, Option<String>> = req.opt(member)?.unwrap_or_default();
    Ok(map.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect())
}

/// InitiateAuth (`admin` false) and AdminInitiateAuth.
pub async fn initiate(svc: &Services, req: Request, admin: bool) -> Result<Value, CognitoError> {
    let flow = req.string("AuthFlow")?;
    let ctx = context(svc, &req, admin).await?;
    let params = parameters(&req, "AuthParameters")?;
    let flow = AuthFlow::from_name(&flow).ok_or_else(|| signin::unsupported_flow(&flow))?;
    signin::initiate(svc, &ctx, admin, flow, &params).await
}

/// RespondToAuthChallenge (`admin` false) and AdminRespondToAuthChallenge.
pub async fn respond(svc: &Services, req: Request, admin: bool) -> Result<Value, CognitoError> {
    let given = req.string("ChallengeName")?;
    let name = ChallengeName::from_name(&given).ok_or_else(|| {
        let names: Vec<&str> = ChallengeName::ALL.iter().map(|n| n.as_str()).collect();
        invalid(
            "ChallengeName",
            &given,
            &format!("Member must satisfy enum value set: [{}]", names.join(", ")),
        )
    })?;
    let ctx = context(svc, &req, admin).await?;
    let answers = parameters(&req, "ChallengeResponses")?;
    // PASSWORD_VERIFIER's state is in its answers; every other challenge's is in the Session.
    let session = if name == ChallengeName::PasswordVerifier { None } else { Some(req.string("Session")?) };
    signin::respond(svc, &ctx, name, session.as_deref(), &answers).await
}

/// GetTokensFromRefreshToken.
pub async fn get_tokens_from_refresh_token(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let ctx = context(svc, &req, false).await?;
    let token = req.string("RefreshToken")?;
    let secret = req.opt_string("ClientSecret")?;
    let mut out = signin::refresh(svc, &ctx, &token, Proof::ClientSecret(secret.as_deref()), true).await?;
    // This operation answers the result alone.
    Ok(out
        .get_mut("AuthenticationResult")
        .map(Value::take)
        .map_or_else(|| json!({}), |r| json!({ "AuthenticationResult": r })))
}
