//! Cognito's Lambda triggers, as signed webhooks. A pool configures them with Cognito's own
//! `LambdaConfig`: an `http(s)://` URL in a trigger's field is called directly; a Lambda ARN
//! (`arn:aws:lambda:<region>:<account>:function:<name>`) is called at the URL the server's
//! configuration gives that function (`COGNATE_TRIGGER_FUNCTIONS=name=url,...`), so templates that
//! check ARN syntax keep working. Every call is signed with the server's trigger secret
//! (`COGNATE_TRIGGER_SECRET`, or one generated into `<data dir>/trigger-secret`), never returned by
//! any API.
//!
//! The event is Cognito's (`version`, `triggerSource`, `region`, `userPoolId`, `userName`,
//! `callerContext`, `request`, `response`), the answer is the event with `response` filled in, and
//! failures are Cognito's exceptions: the function's own error is `UserLambdaValidationException`
//! "<Trigger> failed with error <message>.", a timeout or unreachable function
//! `UnexpectedLambdaException`, an answer that cannot be used `InvalidLambdaResponseException`.
//!
//! | trigger | where it runs |
//! | --- | --- |
//! | PreSignUp | `api/account.rs::sign_up`, `api/user.rs::admin_create` |
//! | PostConfirmation | `api/account.rs` (`confirm_sign_up`, `confirm_forgot_password`), `api/user.rs::admin_confirm_sign_up` |
//! | PreAuthentication | `signin/context.rs::pre_authentication` (every first factor of a known user) |
//! | PostAuthentication, PreTokenGeneration | `signin/context.rs::Context::tokens`, `signin/refresh.rs`, `oauth` |
//! | UserMigration | `signin/password.rs::password_sign_in`, `api/account.rs::forgot_password` |
//! | CustomMessage | `domain/codes.rs::compose` |
//! | Define/Create/VerifyAuthChallenge | `signin/custom.rs` (CUSTOM_AUTH) |

pub mod events;
pub mod webhook;

use std::collections::BTreeMap;
use std::time::Duration;

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::domain::pools::PoolSettings;
use crate::services::Services;
use webhook::Failure;

/// A trigger: its `LambdaConfig` member and its name in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Before a user is created.
    PreSignUp,
    /// After a user is confirmed, or confirms a new password.
    PostConfirmation,
    /// Before a sign-in checks its first factor.
    PreAuthentication,
    /// After a sign-in succeeded.
    PostAuthentication,
    /// Before tokens are issued.
    PreTokenGeneration,
    /// When a password sign-in or ForgotPassword names an unknown user.
    UserMigration,
    /// Before a message with a code is queued.
    CustomMessage,
    /// CUSTOM_AUTH: what comes next.
    DefineAuthChallenge,
    /// CUSTOM_AUTH: the challenge.
    CreateAuthChallenge,
    /// CUSTOM_AUTH: is the answer right.
    VerifyAuthChallengeResponse,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: [Self; 10] = [
        Self::PreSignUp,
        Self::PostConfirmation,
        Self::PreAuthentication,
        Self::PostAuthentication,
        Self::PreTokenGeneration,
        Self::UserMigration,
        Self::CustomMessage,
        Self::DefineAuthChallenge,
        Self::CreateAuthChallenge,
        Self::VerifyAuthChallengeResponse,
    ];

    /// Its `LambdaConfig` member, which is also its name in Cognito's messages.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::PostConfirmation => "PostConfirmation",
            Self::PreAuthentication => "PreAuthentication",
            Self::PostAuthentication => "PostAuthentication",
            Self::PreTokenGeneration => "PreTokenGeneration",
            Self::UserMigration => "UserMigration",
            Self::CustomMessage => "CustomMessage",
            Self::DefineAuthChallenge => "DefineAuthChallenge",
            Self::CreateAuthChallenge => "CreateAuthChallenge",
            Self::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
        }
    }
}

/// How the server calls triggers.
#[derive(Clone)]
pub struct Settings {
    client: reqwest::Client,
    secret: std::sync::Arc<Zeroizing<Vec<u8>>>,
    functions: std::sync::Arc<BTreeMap<String, String>>,
    timeout: Duration,
    allow_link_local: bool,
    allow_http: bool,
}

impl Settings {
    /// Settings with the signing `secret`, the URLs of named functions, the deadline of a call,
    /// whether link-local addresses may be called, and whether `http://` URLs other than loopback may.
    #[must_use]
    pub fn new(
        secret: Vec<u8>,
        functions: BTreeMap<String, String>,
        timeout: Duration,
        allow_link_local: bool,
        allow_http: bool,
    ) -> Self {
        Self {
            client: webhook::client(allow_link_local),
            secret: std::sync::Arc::new(Zeroizing::new(secret)),
            functions: std::sync::Arc::new(functions),
            timeout,
            allow_link_local,
            allow_http,
        }
    }

    /// The URL a `LambdaConfig` value calls: the URL itself, or a named function's.
    fn url_of(&self, value: &str) -> Result<String, String> {
        if let Some(rest) = value.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.split(':').collect();
            let name = match parts.as_slice() {
                [_, "lambda", _, _, "function", name, ..] => *name,
                _ => return Err(format!("{value} is neither a URL nor a Lambda function ARN")),
            };
            return self.functions.get(name).cloned().ok_or_else(|| {
                format!("The Lambda function {name} has no URL in the server's configuration (COGNATE_TRIGGER_FUNCTIONS).")
            });
        }
        let url = reqwest::Url::parse(value)
            .map_err(|_| format!("{value} is neither a URL nor a Lambda function ARN"))?;
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        match url.scheme() {
            "https" => Ok(value.to_owned()),
            "http" if loopback || self.allow_http => Ok(value.to_owned()),
            _ => Err(format!("{value}: triggers are called over https (http only on loopback)")),
        }
    }
}

/// The `LambdaConfig` member a trigger reads, and the event version: PreTokenGeneration prefers
/// `PreTokenGenerationConfig {LambdaVersion, LambdaArn}` over the legacy member.
fn configured(config: &Value, trigger: Trigger) -> Option<(String, &'static str)> {
    if trigger == Trigger::PreTokenGeneration
        && let Some(c) = config.get("PreTokenGenerationConfig")
        && let Some(arn) = c.get("LambdaArn").and_then(Value::as_str)
    {
        let version = match c.get("LambdaVersion").and_then(Value::as_str) {
            Some("V2_0") => "2",
            Some("V3_0") => "3",
            _ => "1",
        };
        return Some((arn.to_owned(), version));
    }
    config.get(trigger.name()).and_then(Value::as_str).map(|v| (v.to_owned(), "1"))
}

/// Checks a `LambdaConfig` as CreateUserPool / UpdateUserPool receive it: every trigger names a URL
/// or a function the server knows.
///
/// # Errors
/// `InvalidParameterException` naming the member.
pub fn check_config(svc: &Services, config: &Value) -> Result<(), CognitoError> {
    let Some(members) = config.as_object() else {
        return Err(CognitoError::new(Exception::InvalidParameter, "LambdaConfig must be an object."));
    };
    for (member, value) in members {
        let target = match value {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("LambdaArn").and_then(Value::as_str),
            _ => None,
        };
        if member == "KMSKeyID" {
            continue;
        }
        let Some(target) = target else {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("LambdaConfig.{member} is malformed."),
            ));
        };
        if target.len() > 2048 {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                format!("LambdaConfig.{member} is too long."),
            ));
        }
        svc.triggers.url_of(target).map_err(|why| {
            CognitoError::new(Exception::InvalidParameter, format!("LambdaConfig.{member}: {why}"))
        })?;
    }
    if let (Some(legacy), Some(arn)) = (
        members.get("PreTokenGeneration").and_then(Value::as_str),
        members.get("PreTokenGenerationConfig").and_then(|c| c.get("LambdaArn")).and_then(Value::as_str),
    ) && legacy != arn
    {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function.",
        ));
    }
    Ok(())
}

/// One trigger call: who and what, and the event's `request`.
pub struct Event<'a> {
    /// Which trigger.
    pub trigger: Trigger,
    /// `triggerSource`, e.g. `PreSignUp_SignUp`.
    pub source: &'a str,
    /// The pool.
    pub pool_id: &'a str,
    /// `userName`.
    pub user_name: &'a str,
    /// The app client, or none for admin operations (`CLIENT_ID_NOT_APPLICABLE`).
    pub client_id: Option<&'a str>,
    /// `request`.
    pub request: Value,
}

/// Whether the pool configures `trigger`.
#[must_use]
pub fn is_configured(settings: &PoolSettings, trigger: Trigger) -> bool {
    settings.echoed.get("LambdaConfig").is_some_and(|c| configured(c, trigger).is_some())
}

/// The version the pool's pre token generation trigger speaks ("1", "2" or "3"), if configured.
#[must_use]
pub fn token_version(settings: &PoolSettings) -> Option<&'static str> {
    settings
        .echoed
        .get("LambdaConfig")
        .and_then(|c| configured(c, Trigger::PreTokenGeneration))
        .map(|(_, v)| v)
}

/// Calls the pool's `event.trigger`, if it configures one; the answer's `response` object.
///
/// # Errors
/// Cognito's exception for the failure (see the module).
pub async fn call(
    svc: &Services,
    settings: &PoolSettings,
    event: Event<'_>,
) -> Result<Option<Value>, CognitoError> {
    let Some(config) = settings.echoed.get("LambdaConfig") else { return Ok(None) };
    let Some((target, version)) = configured(config, event.trigger) else { return Ok(None) };
    let name = event.trigger.name();
    let unexpected = |why: &str| {
        CognitoError::new(Exception::UnexpectedLambda, format!("{name} invocation failed due to error {why}"))
    };
    let url = svc.triggers.url_of(&target).map_err(|why| unexpected(&why))?;
    let region = event.pool_id.split('_').next().unwrap_or("us-east-1");
    let body = json!({
        "version": version,
        "triggerSource": event.source,
        "region": region,
        "userPoolId": event.pool_id,
        "userName": event.user_name,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": event.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
        },
        "request": event.request,
        "response": {},
    });
    let started = std::time::Instant::now();
    let t = &svc.triggers;
    let result = webhook::post(
        &t.client,
        &t.secret,
        &url,
        name,
        body.to_string().into_bytes(),
        t.timeout,
        t.allow_link_local,
    )
    .await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(Failure::Function(_)) => "function_error",
        Err(Failure::Invocation(_)) => "invocation_failed",
        Err(Failure::Output) => "invalid_output",
    };
    // The audit line: which trigger, for which pool, how it ended; never the body.
    tracing::info!(
        target: "cognate::audit",
        trigger = name,
        source = event.source,
        pool = event.pool_id,
        outcome,
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "trigger called"
    );
    match result {
        Ok(answer) => match answer.get("response") {
            None | Some(Value::Null) => Ok(Some(json!({}))),
            Some(r @ Value::Object(_)) => Ok(Some(r.clone())),
            Some(_) => Err(invalid_output()),
        },
        Err(Failure::Function(message)) => Err(CognitoError::new(
            Exception::UserLambdaValidation,
            format!("{name} failed with error {message}."),
        )),
        Err(Failure::Invocation(why)) => Err(unexpected(&why)),
        Err(Failure::Output) => Err(invalid_output()),
    }
}

/// `InvalidLambdaResponseException` for an answer Cognate cannot use.
#[must_use]
pub fn invalid_output() -> CognitoError {
    CognitoError::new(Exception::InvalidLambdaResponse, "Unrecognizable lambda output")
}

/// A user's attributes as events carry them: strings, with `cognito:user_status`.
#[must_use]
pub fn user_attributes(user: &crate::store::UserRecord) -> Value {
    let mut out: serde_json::Map<String, Value> =
        user.attributes.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    out.insert("cognito:user_status".into(), json!(user.status.as_str()));
    Value::Object(out)
}
