//! The exports `npm/src/index.js` calls. An operation is a [`Task`] that JavaScript steps through:
//! each step is JSON text (a call to make, a credential to get, or the result), and a failure is
//! an `Error` whose `name` is the Cognito exception name. The wasm itself never waits, so it holds
//! no futures and no `fetch` glue.

use alloc::borrow::ToOwned;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use cognate_client::{
    Client, ClientError, Clock, Config, DeleteUser, Flow, Input, Json, ListPasskeys, NextStep, NoTransport,
    Refresh, RegisterPasskey, Request, Session, SignIn, SignInFlow, SignInOutcome, SignOut, Single, Step,
    TokenStore,
};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

/// Any object with `getItem`, `setItem` and `removeItem`.
struct Storage(JsValue);

impl Storage {
    fn call(&self, method: &str, args: &[&JsValue]) -> Option<JsValue> {
        let f: Function = Reflect::get(&self.0, &method.into()).ok()?.dyn_into().ok()?;
        match args {
            [a] => f.call1(&self.0, a).ok(),
            [a, b] => f.call2(&self.0, a, b).ok(),
            _ => None,
        }
    }
}

impl TokenStore for Storage {
    fn get(&self, key: &str) -> Option<String> {
        self.call("getItem", &[&key.into()]).and_then(|v| v.as_string())
    }
    fn set(&self, key: &str, value: &str) {
        self.call("setItem", &[&key.into(), &value.into()]);
    }
    fn remove(&self, key: &str) {
        self.call("removeItem", &[&key.into()]);
    }
}

struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

type Core = Client<NoTransport, Storage, DateClock>;

fn js_error(e: &ClientError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    error.set_name(&e.name);
    error.into()
}

fn session_json(s: &Session) -> Json {
    Json::object()
        .with("username", &s.username)
        .with("idToken", &s.tokens.id_token)
        .with("accessToken", &s.tokens.access_token)
        .with("refreshToken", &s.tokens.refresh_token)
        .with("idTokenClaims", s.id_claims.clone())
        .with("accessTokenClaims", s.access_claims.clone())
}

fn outcome_json(outcome: SignInOutcome) -> Json {
    let (signed_in, step) = match outcome {
        SignInOutcome::SignedIn(s) => {
            let step = Json::object().with("signInStep", "DONE");
            return Json::object()
                .with("isSignedIn", true)
                .with("nextStep", step)
                .with("session", session_json(&s));
        }
        SignInOutcome::Next(NextStep::NewPasswordRequired { required_attributes }) => (
            false,
            Json::object().with("signInStep", "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED").with(
                "missingAttributes",
                Json::Array(required_attributes.into_iter().map(Json::String).collect()),
            ),
        ),
        SignInOutcome::Next(NextStep::TotpSetup { secret }) => (
            false,
            Json::object()
                .with("signInStep", "CONTINUE_SIGN_IN_WITH_TOTP_SETUP")
                .with("challengeName", "MFA_SETUP")
                .with("totpSetupDetails", Json::object().with("sharedSecret", secret)),
        ),
        SignInOutcome::Next(NextStep::Challenge { name, parameters }) => (
            false,
            Json::object()
                .with("signInStep", step_name(&name))
                .with("challengeName", name)
                .with("challengeParameters", parameters),
        ),
    };
    Json::object().with("isSignedIn", signed_in).with("nextStep", step)
}

/// Amplify's names for the steps, so apps moving from it read familiar values.
fn step_name(challenge: &str) -> &'static str {
    match challenge {
        "SOFTWARE_TOKEN_MFA" => "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        "SMS_MFA" | "SMS_OTP" => "CONFIRM_SIGN_IN_WITH_SMS_CODE",
        "EMAIL_OTP" => "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "SELECT_MFA_TYPE" => "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        "MFA_SETUP" => "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "SELECT_CHALLENGE" => "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "WEB_AUTHN" => "CONFIRM_SIGN_IN_WITH_PASSKEY",
        _ => "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
    }
}

/// The engine behind `CognateAuth` in npm/src/index.js.
#[wasm_bindgen]
pub struct Engine {
    core: Rc<Core>,
}

fn preference(text: &str) -> Result<Option<cognate_client::MfaPreference>, ClientError> {
    use cognate_client::MfaPreference::{Disabled, Enabled, NotPreferred, Preferred};
    Ok(Some(match text {
        "" => return Ok(None),
        "ENABLED" => Enabled,
        "DISABLED" => Disabled,
        "PREFERRED" => Preferred,
        "NOT_PREFERRED" => NotPreferred,
        other => {
            return Err(ClientError::new(
                "InvalidParameterException",
                [other, " is not ENABLED, DISABLED, PREFERRED or NOT_PREFERRED"].concat(),
            ));
        }
    }))
}

fn delivery_json(d: cognate_client::CodeDelivery) -> Json {
    Json::object()
        .with("deliveryMedium", d.medium)
        .with("destination", d.destination)
        .with("attributeName", d.attribute)
}

fn passkey_json(p: cognate_client::Passkey) -> Json {
    // Whole seconds: printing a float would bring float formatting into the wasm.
    #[allow(clippy::cast_possible_truncation)]
    let created = cognate_client::json::integer(p.created_at as i64);
    Json::object()
        .with("credentialId", p.id)
        .with("friendlyCredentialName", p.name)
        .with("relyingPartyId", p.relying_party_id)
        .with("authenticatorAttachment", p.attachment.map_or(Json::Null, Json::String))
        .with("authenticatorTransports", Json::Array(p.transports.into_iter().map(Json::String).collect()))
        .with("createdAt", created)
}

/// The request of a single-call operation (see [`cognate_client::Request`]), or `None` for the others.
fn simple_request(c: &Core, op: &str, arg: impl Fn(usize) -> String) -> Result<Option<Request>, ClientError> {
    Ok(Some(match op {
        "signUp" => c.sign_up_request(&arg(0), &arg(1), &crate::attributes(&arg(2))?),
        "confirmSignUp" => c.confirm_sign_up_request(&arg(0), &arg(1)),
        "resendSignUpCode" => c.resend_sign_up_code_request(&arg(0)),
        "forgotPassword" => c.forgot_password_request(&arg(0)),
        "confirmForgotPassword" => c.confirm_forgot_password_request(&arg(0), &arg(1), &arg(2)),
        "changePassword" => c.change_password_request(&arg(0), &arg(1)),
        "fetchUserAttributes" => c.fetch_user_attributes_request(),
        "updateUserAttributes" => c.update_user_attributes_request(&crate::attributes(&arg(0))?),
        "confirmUserAttribute" => c.confirm_user_attribute_request(&arg(0), &arg(1)),
        "setUpTotp" => c.set_up_totp_request(),
        "verifyTotpSetup" => {
            c.verify_totp_setup_request(&arg(0), Some(arg(1)).filter(|n| !n.is_empty()).as_deref())
        }
        "updateMfaPreference" => {
            c.update_mfa_preference_request(preference(&arg(0))?, preference(&arg(1))?, preference(&arg(2))?)
        }
        "deletePasskey" => c.delete_passkey_request(&arg(0)),
        _ => return Ok(None),
    }))
}

/// What a single-call operation answers JavaScript.
fn simple_answer(operation: &str, answer: &Json) -> Result<Json, ClientError> {
    Ok(match operation {
        "SignUp" => {
            let r = cognate_client::SignUpResult::read(answer);
            Json::object()
                .with("userSub", r.user_sub)
                .with("userConfirmed", r.confirmed)
                .with("codeDelivery", r.delivery.map_or(Json::Null, delivery_json))
        }
        "GetUser" => Json::Object(
            cognate_client::read_attributes(answer)
                .into_iter()
                .map(|(name, value)| (name, Json::String(value)))
                .collect(),
        ),
        "UpdateUserAttributes" => {
            Json::Array(cognate_client::read_deliveries(answer).into_iter().map(delivery_json).collect())
        }
        "AssociateSoftwareToken" => {
            Json::object().with("sharedSecret", cognate_client::TotpSetup::read(answer)?.secret)
        }
        _ => Json::Null,
    })
}

/// An operation in progress, driven by npm/src/index.js: it does the `fetch` and WebAuthn calls
/// the operation asks for (see [`cognate_client::Flow`]).
enum Op {
    Single(Single, &'static str),
    SignIn(SignIn),
    Refresh(Refresh),
    SignOut(SignOut),
    DeleteUser(DeleteUser),
    RegisterPasskey(RegisterPasskey),
    ListPasskeys(ListPasskeys),
}

fn op(c: &Core, name: &str, args: &[String]) -> Result<Op, ClientError> {
    let arg = |i: usize| args.get(i).map_or("", String::as_str);
    if let Some(request) = simple_request(c, name, |i| arg(i).to_owned())? {
        let operation = request.operation();
        return Ok(Op::Single(Single::new(request), operation));
    }
    Ok(match name {
        "signIn" => Op::SignIn(SignIn::password(arg(0), arg(1), SignInFlow::Srp)),
        "signInWithPassword" => Op::SignIn(SignIn::password(arg(0), arg(1), SignInFlow::Password)),
        "signInCustom" => Op::SignIn(SignIn::password(arg(0), "", SignInFlow::Custom)),
        "signInCustomSrp" => Op::SignIn(SignIn::password(arg(0), arg(1), SignInFlow::CustomSrp)),
        "signInWithPasskey" => Op::SignIn(SignIn::passkey(arg(0))),
        "confirmSignIn" => Op::SignIn(SignIn::confirm(arg(0), &crate::attributes(arg(1))?)),
        "deleteUser" => Op::DeleteUser(DeleteUser::default()),
        "signOut" => Op::SignOut(SignOut::new(arg(0) == "global")),
        "registerPasskey" => Op::RegisterPasskey(RegisterPasskey::default()),
        "listPasskeys" => Op::ListPasskeys(ListPasskeys::default()),
        // Inside the cross-tab lock: refresh if the stored session still needs it ("force": regardless).
        "refresh" => Op::Refresh(Refresh::new(arg(0) == "force")),
        _ => {
            return Err(ClientError::new(
                "InvalidParameterException",
                ["no operation is named ", name].concat(),
            ));
        }
    })
}

/// The step a flow asks for, as JSON for npm/src/index.js: `{call, url, body}` (the call's
/// `X-Amz-Target`, endpoint and body), `{create}` / `{get}` (WebAuthn options) or `{done}`.
fn step_json<T>(
    c: &Core,
    step: Step<T>,
    done: impl FnOnce(T) -> Result<Json, ClientError>,
) -> Result<Json, ClientError> {
    Ok(match step {
        Step::Call(request) => {
            let (target, body) = c.prepare(request)?;
            Json::object().with("call", target).with("url", c.config().endpoint()).with("body", body)
        }
        Step::Create(options) => Json::object().with("create", options),
        Step::Get(options) => Json::object().with("get", options),
        Step::Done(output) => Json::object().with("done", done(output)?),
    })
}

/// What JavaScript resumes a task with: `null` (the start), `{status, body}` (a call's answer),
/// `{error}` (a call that got no answer) or `{credential}` (WebAuthn's JSON).
fn input(text: &str) -> Input {
    let v = Json::parse(text).unwrap_or_default();
    if let Some(credential) = v.get_str("credential") {
        return Input::Credential(credential.to_owned());
    }
    if let Some(message) = v.get_str("error") {
        return Input::network_error(message);
    }
    match v.get("status").and_then(Json::as_f64) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(status) => Input::response(status as u16, v.get_str("body").unwrap_or_default()),
        None => Input::Start,
    }
}

/// An operation in progress (see [`Op`]).
#[wasm_bindgen]
pub struct Task {
    core: Rc<Core>,
    op: Op,
}

#[wasm_bindgen]
impl Task {
    /// Resumes the operation with `input` (see [`input`]); returns its next step (see
    /// [`step_json`]) as JSON text, or throws an `Error` named after the Cognito exception.
    pub fn next(&mut self, input_json: &str) -> Result<String, JsValue> {
        self.advance(input(input_json)).map(|step| step.to_text()).map_err(|e| js_error(&e))
    }
}

impl Task {
    fn advance(&mut self, input: Input) -> Result<Json, ClientError> {
        let c = &*self.core;
        match &mut self.op {
            Op::Single(flow, operation) => {
                let operation = *operation;
                step_json(c, flow.resume(c, input)?, |answer| simple_answer(operation, &answer))
            }
            Op::SignIn(flow) => step_json(c, flow.resume(c, input)?, |o| Ok(outcome_json(o))),
            Op::Refresh(flow) => step_json(c, flow.resume(c, input)?, |(session, refreshed)| {
                Ok(session_json(&session).with("refreshed", refreshed))
            }),
            Op::SignOut(flow) => step_json(c, flow.resume(c, input)?, |()| Ok(Json::Null)),
            Op::DeleteUser(flow) => step_json(c, flow.resume(c, input)?, |()| Ok(Json::Null)),
            Op::RegisterPasskey(flow) => step_json(c, flow.resume(c, input)?, |()| Ok(Json::Null)),
            Op::ListPasskeys(flow) => step_json(c, flow.resume(c, input)?, |list| {
                Ok(Json::Array(list.into_iter().map(passkey_json).collect()))
            }),
        }
    }
}

#[wasm_bindgen]
impl Engine {
    /// An engine for a pool and app client; `storage` is an object with getItem/setItem/removeItem.
    #[wasm_bindgen(constructor)]
    pub fn new(
        user_pool_id: String,
        client_id: String,
        client_secret: Option<String>,
        endpoint: Option<String>,
        storage: JsValue,
    ) -> Engine {
        let config = Config { user_pool_id, client_id, client_secret, endpoint };
        Engine { core: Rc::new(Client::new(config, NoTransport, Storage(storage), DateClock)) }
    }

    /// Starts the operation `op` (the names npm/src/index.js uses) with `args`, a JSON array of
    /// strings; throws an `Error` named after the Cognito exception for bad arguments.
    pub fn start(&self, op: &str, args: &str) -> Result<Task, JsValue> {
        let args = Json::parse(args);
        let args = args.as_ref().and_then(Json::as_array).unwrap_or_default();
        let args: Vec<String> = args.iter().map(|a| a.as_str().unwrap_or_default().to_owned()).collect();
        let op = self::op(&self.core, op, &args).map_err(|e| js_error(&e))?;
        Ok(Task { core: self.core.clone(), op })
    }

    /// The stored session without any call: JSON with `needsRefresh`, or `null` when signed out.
    #[wasm_bindgen(js_name = storedSession)]
    pub fn stored_session(&self) -> String {
        match self.core.stored_session() {
            Some(s) => session_json(&s).with("needsRefresh", self.core.needs_refresh(&s)).to_text(),
            None => "null".to_owned(),
        }
    }
}
