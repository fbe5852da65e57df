//! The exports `npm/src/index.js` calls. Every async call returns a Promise of JSON text, or rejects
//! with an `Error` whose `name` is the Cognito exception name.

use std::rc::Rc;

use cognate_client::{
    Authenticator, Client, ClientError, Clock, Config, NextStep, Session, SignInFlow, SignInOutcome,
    TokenStore, Transport,
};
use js_sys::{Function, Object, Promise, Reflect};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
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

fn session_json(s: &Session) -> Value {
    json!({
        "username": s.username,
        "idToken": s.tokens.id_token,
        "accessToken": s.tokens.access_token,
        "refreshToken": s.tokens.refresh_token,
        "idTokenClaims": s.id_claims,
        "accessTokenClaims": s.access_claims,
    })
}

fn outcome_json(outcome: &SignInOutcome) -> Value {
    match outcome {
        SignInOutcome::SignedIn(s) => {
            json!({ "isSignedIn": true, "nextStep": { "signInStep": "DONE" }, "session": session_json(s) })
        }
        SignInOutcome::Next(NextStep::NewPasswordRequired { required_attributes }) => json!({
            "isSignedIn": false,
            "nextStep": { "signInStep": "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", "missingAttributes": required_attributes },
        }),
        SignInOutcome::Next(NextStep::TotpSetup { secret }) => json!({
            "isSignedIn": false,
            "nextStep": { "signInStep": "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", "challengeName": "MFA_SETUP", "totpSetupDetails": { "sharedSecret": secret } },
        }),
        SignInOutcome::Next(NextStep::Challenge { name, parameters }) => json!({
            "isSignedIn": false,
            "nextStep": { "signInStep": step_name(name), "challengeName": name, "challengeParameters": parameters },
        }),
    }
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

/// The asynchronous operations. They all run through one `async fn` ([`dispatch`]), so the wasm
/// carries one future and one Promise adapter rather than one of each per operation (about 30 KB).
#[derive(Clone, Copy)]
enum Op {
    SignUp,
    ConfirmSignUp,
    ResendSignUpCode,
    SignIn,
    SignInWithPassword,
    ConfirmSignIn,
    ForgotPassword,
    ConfirmForgotPassword,
    ChangePassword,
    FetchUserAttributes,
    UpdateUserAttributes,
    ConfirmUserAttribute,
    DeleteUser,
    SignOut,
    SignOutGlobally,
    Refresh,
    ForceRefresh,
    SetUpTotp,
    VerifyTotpSetup,
    UpdateMfaPreference,
    RegisterPasskey,
    SignInWithPasskey,
    ListPasskeys,
    DeletePasskey,
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
                format!("{other} is not ENABLED, DISABLED, PREFERRED or NOT_PREFERRED"),
            ));
        }
    }))
}

fn delivery_json(d: cognate_client::CodeDelivery) -> Value {
    json!({ "deliveryMedium": d.medium, "destination": d.destination, "attributeName": d.attribute })
}

async fn dispatch(c: Rc<Core>, op: Op, args: Vec<String>, webauthn: JsValue) -> Result<Value, ClientError> {
    let webauthn = JsAuthenticator(webauthn);
    let arg = |i: usize| args.get(i).map_or("", String::as_str);
    let done = |()| Value::Null;
    match op {
        Op::SignUp => {
            let r = c.sign_up(arg(0), arg(1), &attrs(arg(2))?).await?;
            Ok(
                json!({ "userSub": r.user_sub, "userConfirmed": r.confirmed, "codeDelivery": r.delivery.map(delivery_json) }),
            )
        }
        Op::ConfirmSignUp => c.confirm_sign_up(arg(0), arg(1)).await.map(done),
        Op::ResendSignUpCode => c.resend_sign_up_code(arg(0)).await.map(|_| Value::Null),
        Op::SignIn => c.sign_in(arg(0), arg(1), SignInFlow::Srp).await.map(|o| outcome_json(&o)),
        Op::SignInWithPassword => {
            c.sign_in(arg(0), arg(1), SignInFlow::Password).await.map(|o| outcome_json(&o))
        }
        Op::ConfirmSignIn => c.confirm_sign_in(arg(0), &attrs(arg(1))?).await.map(|o| outcome_json(&o)),
        Op::ForgotPassword => c.forgot_password(arg(0)).await.map(|_| Value::Null),
        Op::ConfirmForgotPassword => c.confirm_forgot_password(arg(0), arg(1), arg(2)).await.map(done),
        Op::ChangePassword => c.change_password(arg(0), arg(1)).await.map(done),
        Op::FetchUserAttributes => c.fetch_user_attributes().await.map(Value::Object),
        Op::UpdateUserAttributes => {
            let sent = c.update_user_attributes(&attrs(arg(0))?).await?;
            Ok(Value::Array(sent.into_iter().map(delivery_json).collect()))
        }
        Op::ConfirmUserAttribute => c.confirm_user_attribute(arg(0), arg(1)).await.map(done),
        Op::DeleteUser => c.delete_user().await.map(done),
        Op::SignOut => c.sign_out(false).await.map(done),
        Op::SignOutGlobally => c.sign_out(true).await.map(done),
        Op::SetUpTotp => c.set_up_totp().await.map(|t| json!({ "sharedSecret": t.secret })),
        Op::VerifyTotpSetup => {
            let name = Some(arg(1)).filter(|n| !n.is_empty());
            c.verify_totp_setup(arg(0), name).await.map(done)
        }
        Op::UpdateMfaPreference => c
            .update_mfa_preference(preference(arg(0))?, preference(arg(1))?, preference(arg(2))?)
            .await
            .map(done),
        Op::RegisterPasskey => c.register_passkey(&webauthn).await.map(done),
        Op::SignInWithPasskey => c.sign_in_with_passkey(arg(0), &webauthn).await.map(|o| outcome_json(&o)),
        Op::ListPasskeys => c.list_passkeys().await.map(|list| {
            Value::Array(
                list.into_iter()
                    .map(|p| {
                        json!({ "credentialId": p.id, "friendlyCredentialName": p.name, "relyingPartyId": p.relying_party_id,
                                "authenticatorAttachment": p.attachment, "authenticatorTransports": p.transports,
                                "createdAt": p.created_at })
                    })
                    .collect(),
            )
        }),
        Op::DeletePasskey => c.delete_passkey(arg(0)).await.map(done),
        Op::Refresh | Op::ForceRefresh => {
            let (session, refreshed) = if matches!(op, Op::ForceRefresh) {
                (c.refresh_now().await?, true)
            } else {
                c.refresh().await?
            };
            let mut v = session_json(&session);
            v["refreshed"] = json!(refreshed);
            Ok(v)
        }
    }
}

fn attrs(json: &str) -> Result<Vec<(String, String)>, ClientError> {
    crate::attributes(json)
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

    fn run(&self, op: Op, args: Vec<String>) -> Promise {
        self.run_with(op, args, JsValue::UNDEFINED)
    }

    fn run_with(&self, op: Op, args: Vec<String>, webauthn: JsValue) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            match dispatch(core, op, args, webauthn).await {
                Ok(v) => Ok(JsValue::from_str(&v.to_string())),
                Err(e) => Err(js_error(&e)),
            }
        })
    }

    /// SignUp; `attributes` is a JSON object of strings.
    #[wasm_bindgen(js_name = signUp)]
    pub fn sign_up(&self, username: String, password: String, attributes: String) -> Promise {
        self.run(Op::SignUp, vec![username, password, attributes])
    }

    /// ConfirmSignUp.
    #[wasm_bindgen(js_name = confirmSignUp)]
    pub fn confirm_sign_up(&self, username: String, code: String) -> Promise {
        self.run(Op::ConfirmSignUp, vec![username, code])
    }

    /// ResendConfirmationCode.
    #[wasm_bindgen(js_name = resendSignUpCode)]
    pub fn resend_sign_up_code(&self, username: String) -> Promise {
        self.run(Op::ResendSignUpCode, vec![username])
    }

    /// Sign-in by SRP (`password_flow` false) or USER_PASSWORD_AUTH.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self, username: String, password: String, password_flow: bool) -> Promise {
        self.run(if password_flow { Op::SignInWithPassword } else { Op::SignIn }, vec![username, password])
    }

    /// Answers the pending challenge.
    #[wasm_bindgen(js_name = confirmSignIn)]
    pub fn confirm_sign_in(&self, answer: String, attributes: String) -> Promise {
        self.run(Op::ConfirmSignIn, vec![answer, attributes])
    }

    /// ForgotPassword.
    #[wasm_bindgen(js_name = forgotPassword)]
    pub fn forgot_password(&self, username: String) -> Promise {
        self.run(Op::ForgotPassword, vec![username])
    }

    /// ConfirmForgotPassword.
    #[wasm_bindgen(js_name = confirmForgotPassword)]
    pub fn confirm_forgot_password(&self, username: String, code: String, new_password: String) -> Promise {
        self.run(Op::ConfirmForgotPassword, vec![username, code, new_password])
    }

    /// ChangePassword.
    #[wasm_bindgen(js_name = changePassword)]
    pub fn change_password(&self, old: String, new: String) -> Promise {
        self.run(Op::ChangePassword, vec![old, new])
    }

    /// GetUser's attributes.
    #[wasm_bindgen(js_name = fetchUserAttributes)]
    pub fn fetch_user_attributes(&self) -> Promise {
        self.run(Op::FetchUserAttributes, Vec::new())
    }

    /// UpdateUserAttributes.
    #[wasm_bindgen(js_name = updateUserAttributes)]
    pub fn update_user_attributes(&self, attributes: String) -> Promise {
        self.run(Op::UpdateUserAttributes, vec![attributes])
    }

    /// VerifyUserAttribute.
    #[wasm_bindgen(js_name = confirmUserAttribute)]
    pub fn confirm_user_attribute(&self, attribute: String, code: String) -> Promise {
        self.run(Op::ConfirmUserAttribute, vec![attribute, code])
    }

    /// DeleteUser.
    #[wasm_bindgen(js_name = deleteUser)]
    pub fn delete_user(&self) -> Promise {
        self.run(Op::DeleteUser, Vec::new())
    }

    /// Sign-out, local (revoking the refresh token) or global.
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&self, global: bool) -> Promise {
        self.run(if global { Op::SignOutGlobally } else { Op::SignOut }, Vec::new())
    }

    /// AssociateSoftwareToken: a new authenticator secret.
    #[wasm_bindgen(js_name = setUpTotp)]
    pub fn set_up_totp(&self) -> Promise {
        self.run(Op::SetUpTotp, Vec::new())
    }

    /// VerifySoftwareToken with the app's code.
    #[wasm_bindgen(js_name = verifyTotpSetup)]
    pub fn verify_totp_setup(&self, code: String, device_name: String) -> Promise {
        self.run(Op::VerifyTotpSetup, vec![code, device_name])
    }

    /// SetUserMFAPreference; each of ENABLED, DISABLED, PREFERRED, NOT_PREFERRED or "" (unchanged).
    #[wasm_bindgen(js_name = updateMfaPreference)]
    pub fn update_mfa_preference(&self, totp: String, sms: String, email: String) -> Promise {
        self.run(Op::UpdateMfaPreference, vec![totp, sms, email])
    }

    /// Registers a passkey; `webauthn` has `create(optionsJson)` resolving to the credential's JSON.
    #[wasm_bindgen(js_name = registerPasskey)]
    pub fn register_passkey(&self, webauthn: JsValue) -> Promise {
        self.run_with(Op::RegisterPasskey, Vec::new(), webauthn)
    }

    /// Signs in with a passkey; `webauthn` has `get(optionsJson)` resolving to the assertion's JSON.
    #[wasm_bindgen(js_name = signInWithPasskey)]
    pub fn sign_in_with_passkey(&self, username: String, webauthn: JsValue) -> Promise {
        self.run_with(Op::SignInWithPasskey, vec![username], webauthn)
    }

    /// ListWebAuthnCredentials, every page.
    #[wasm_bindgen(js_name = listPasskeys)]
    pub fn list_passkeys(&self) -> Promise {
        self.run(Op::ListPasskeys, Vec::new())
    }

    /// DeleteWebAuthnCredential.
    #[wasm_bindgen(js_name = deletePasskey)]
    pub fn delete_passkey(&self, credential_id: String) -> Promise {
        self.run(Op::DeletePasskey, vec![credential_id])
    }

    /// The stored session without any call: JSON with `needsRefresh`, or `null` when signed out.
    #[wasm_bindgen(js_name = storedSession)]
    pub fn stored_session(&self) -> String {
        match self.core.stored_session() {
            Some(s) => {
                let mut v = session_json(&s);
                v["needsRefresh"] = json!(self.core.needs_refresh(&s));
                v.to_string()
            }
            None => "null".to_owned(),
        }
    }

    /// Refreshes if the stored session still needs it (`force`: regardless); JSON of the session
    /// and `refreshed`. Call it inside the cross-tab lock.
    pub fn refresh(&self, force: bool) -> Promise {
        self.run(if force { Op::ForceRefresh } else { Op::Refresh }, Vec::new())
    }
}
