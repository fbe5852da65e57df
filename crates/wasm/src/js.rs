//! The exports `npm/src/index.js` calls. Every async call returns a Promise of JSON text, or rejects
//! with an `Error` whose `name` is the Cognito exception name.

use alloc::borrow::ToOwned;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use cognate_client::{
    Authenticator, Client, ClientError, Clock, Config, Json, NextStep, Request, Session, SignInFlow,
    SignInOutcome, TokenStore, Transport,
};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the call failed".to_owned())
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// `fetch`, as Cognito's JSON 1.1 protocol wants it.
struct Fetch;

impl Transport for Fetch {
    async fn post(&self, endpoint: &str, target: &str, body: &str) -> Result<(u16, String), ClientError> {
        let network = |e: JsValue| ClientError::new("NetworkError", describe(&e));
        let headers = Object::new();
        set(&headers, "content-type", &"application/x-amz-json-1.1".into());
        set(&headers, "x-amz-target", &target.into());
        let init = Object::new();
        set(&init, "method", &"POST".into());
        set(&init, "headers", &headers);
        set(&init, "body", &body.into());
        set(&init, "cache", &"no-store".into());
        let response = JsFuture::from(global_fetch(endpoint, &init)).await.map_err(network)?;
        let status = Reflect::get(&response, &"status".into()).ok().and_then(|s| s.as_f64()).unwrap_or(0.0);
        let text = Reflect::get(&response, &"text".into()).map_err(network)?;
        let text: Function = text.dyn_into().map_err(network)?;
        let promise: Promise = text.call0(&response).map_err(network)?.dyn_into().map_err(network)?;
        let body = JsFuture::from(promise).await.map_err(network)?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok((status as u16, body.as_string().unwrap_or_default()))
    }
}

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

/// The page's WebAuthn, through the `create(optionsJson)` / `get(optionsJson)` functions
/// npm/src/passkey.js passes in (they convert JSON and ArrayBuffers around `navigator.credentials`).
struct JsAuthenticator(JsValue);

impl JsAuthenticator {
    async fn call(&self, method: &str, options: &str) -> Result<String, ClientError> {
        let missing = || ClientError::new("PasskeyNotSupported", "this environment has no WebAuthn");
        let f: Function =
            Reflect::get(&self.0, &method.into()).ok().and_then(|f| f.dyn_into().ok()).ok_or_else(missing)?;
        let promise: Promise = f
            .call1(&self.0, &options.into())
            .map_err(|e| js_client_error(&e))?
            .dyn_into()
            .map_err(|_| missing())?;
        let value = JsFuture::from(promise).await.map_err(|e| js_client_error(&e))?;
        value.as_string().ok_or_else(missing)
    }
}

impl Authenticator for JsAuthenticator {
    async fn create(&self, options: &str) -> Result<String, ClientError> {
        self.call("create", options).await
    }
    async fn get(&self, options: &str) -> Result<String, ClientError> {
        self.call("get", options).await
    }
}

/// A JavaScript error as a client error, keeping its name (`NotAllowedError`, `PasskeyNotSupported`, ...).
fn js_client_error(e: &JsValue) -> ClientError {
    let name = e.dyn_ref::<js_sys::Error>().map_or_else(|| "Error".to_owned(), |e| String::from(e.name()));
    ClientError::new(name, describe(e))
}

struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

type Core = Client<Fetch, Storage, DateClock>;

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

/// Runs operation `op` (the names npm/src/index.js uses) with its string arguments. Every
/// operation runs through this one `async fn`, so the wasm carries one future and one Promise
/// adapter rather than one of each per operation; single-call operations share one await.
async fn dispatch(
    c: Rc<Core>,
    op: String,
    args: Vec<String>,
    webauthn: JsValue,
) -> Result<Json, ClientError> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    if let Some(request) = simple_request(&c, &op, arg)? {
        let operation = request.operation();
        let answer = c.send(request).await?;
        return simple_answer(operation, &answer);
    }
    let webauthn = JsAuthenticator(webauthn);
    let arg = |i: usize| args.get(i).map_or("", String::as_str);
    let done = |()| Json::Null;
    match op.as_str() {
        "signIn" => c.sign_in(arg(0), arg(1), SignInFlow::Srp).await.map(outcome_json),
        "signInWithPassword" => c.sign_in(arg(0), arg(1), SignInFlow::Password).await.map(outcome_json),
        "confirmSignIn" => c.confirm_sign_in(arg(0), &crate::attributes(arg(1))?).await.map(outcome_json),
        "deleteUser" => c.delete_user().await.map(done),
        "signOut" => c.sign_out(arg(0) == "global").await.map(done),
        "registerPasskey" => c.register_passkey(&webauthn).await.map(done),
        "signInWithPasskey" => c.sign_in_with_passkey(arg(0), &webauthn).await.map(outcome_json),
        "listPasskeys" => {
            c.list_passkeys().await.map(|list| Json::Array(list.into_iter().map(passkey_json).collect()))
        }
        "refresh" => {
            // Inside the cross-tab lock: refresh if the stored session still needs it ("force": regardless).
            let (session, refreshed) =
                if arg(0) == "force" { (c.refresh_now().await?, true) } else { c.refresh().await? };
            Ok(session_json(&session).with("refreshed", refreshed))
        }
        _ => Err(ClientError::new("InvalidParameterException", ["no operation is named ", &op].concat())),
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
        Engine { core: Rc::new(Client::new(config, Fetch, Storage(storage), DateClock)) }
    }

    /// Runs the operation `op` with `args`, a JSON array of strings; `webauthn` is the
    /// authenticator passkey operations use (`create` / `get` on options JSON). Resolves with the
    /// answer's JSON text, or rejects with an `Error` named after the Cognito exception.
    pub fn run(&self, op: String, args: &str, webauthn: JsValue) -> Promise {
        let core = self.core.clone();
        let args = Json::parse(args);
        future_to_promise(async move {
            let args = args.as_ref().and_then(Json::as_array).unwrap_or_default();
            let args = args.iter().map(|a| a.as_str().unwrap_or_default().to_owned()).collect();
            match dispatch(core, op, args, webauthn).await {
                Ok(v) => Ok(JsValue::from_str(&v.to_text())),
                Err(e) => Err(js_error(&e)),
            }
        })
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
