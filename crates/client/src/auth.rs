//! Sign-in: USER_SRP_AUTH (the default, through cognate-srp), USER_PASSWORD_AUTH or a passkey
//! (USER_AUTH), and the challenges that can follow, answered with [`Client::confirm_sign_in`]. All
//! of them are one flow, [`SignIn`].

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use cognate_srp::{CognitoTimestamp, PasswordChallenge, SrpClient};
use zeroize::Zeroizing;

use crate::flow::{Flow, Input, NoAuthenticator, Step, out_of_turn};
use crate::{Authenticator, Client, ClientError, Clock, Json, Request, Session, TokenStore, Transport};

/// How to prove the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignInFlow {
    /// USER_SRP_AUTH: the password never leaves the client.
    #[default]
    Srp,
    /// USER_PASSWORD_AUTH: the password is sent (over TLS) for the server to check.
    Password,
    /// CUSTOM_AUTH without a password: the pool's triggers ask their challenges (Amplify's
    /// `CUSTOM_WITHOUT_SRP`); answered with `confirm_sign_in`.
    Custom,
    /// CUSTOM_AUTH after the SRP password proof (`CHALLENGE_NAME: SRP_A`; Amplify's `CUSTOM_WITH_SRP`).
    CustomSrp,
}

/// What the user must do next to finish signing in.
#[derive(Debug, Clone, PartialEq)]
pub enum NextStep {
    /// NEW_PASSWORD_REQUIRED: choose a new password (and give the required attributes).
    NewPasswordRequired {
        /// Attributes the pool requires that the user has not set.
        required_attributes: Vec<String>,
    },
    /// MFA_SETUP: the pool requires MFA and the user has none. Add this secret to an authenticator
    /// app, then answer with a code from it.
    TotpSetup {
        /// The shared secret (base32); [`crate::TotpSetup::uri`] makes the QR code's URI.
        secret: String,
    },
    /// Any other challenge (MFA codes, custom challenges...): answer it with its code or answer.
    Challenge {
        /// Cognito's challenge name.
        name: String,
        /// Its parameters as the server sent them.
        parameters: Json,
    },
}

/// The end of a sign-in step.
#[derive(Debug, Clone, PartialEq)]
pub enum SignInOutcome {
    /// Tokens were issued and stored.
    SignedIn(Session),
    /// Another step is needed.
    Next(NextStep),
}

/// The challenge waiting for an answer.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    name: String,
    session: Option<String>,
    username: String,
}

/// Where a challenge's answer goes in ChallengeResponses.
fn answer_key(challenge: &str) -> &'static str {
    match challenge {
        "NEW_PASSWORD_REQUIRED" => "NEW_PASSWORD",
        "SMS_MFA" => "SMS_MFA_CODE",
        "SOFTWARE_TOKEN_MFA" => "SOFTWARE_TOKEN_MFA_CODE",
        "EMAIL_OTP" => "EMAIL_OTP_CODE",
        "SMS_OTP" => "SMS_OTP_CODE",
        _ => "ANSWER",
    }
}

/// A sign-in, or the answer to its pending challenge, as a [`Flow`].
pub struct SignIn {
    username: String,
    stage: Stage,
}

enum Stage {
    /// Not started: the first request goes out on [`Input::Start`].
    Begin(Begin),
    /// USER_SRP_AUTH sent; PASSWORD_VERIFIER expected.
    Verifier { srp: Box<SrpClient>, password: Zeroizing<String> },
    /// A request sent whose answer is tokens or the next challenge.
    Outcome,
    /// USER_AUTH preferring WEB_AUTHN sent; its challenge expected.
    Passkey,
    /// The authenticator asked to sign the WEB_AUTHN challenge.
    Credential { session: Option<String> },
    /// MFA_SETUP: AssociateSoftwareToken sent for the challenge's session.
    Associate { session: Option<String> },
    /// The MFA_SETUP answer: VerifySoftwareToken sent, the challenge's answer to follow.
    VerifySetup { pending: Pending, responses: Json },
    /// Over.
    Done,
}

enum Begin {
    Password(SignInFlow, Zeroizing<String>),
    Passkey,
    Confirm { answer: Zeroizing<String>, attributes: Vec<(String, String)> },
}

impl SignIn {
    /// Signs `username` in with `password` by `flow`.
    #[must_use]
    pub fn password(username: &str, password: &str, flow: SignInFlow) -> Self {
        Self::at(username, Begin::Password(flow, Zeroizing::new(password.to_owned())))
    }

    /// Signs `username` in with a passkey: USER_AUTH preferring WEB_AUTHN. When the user has no
    /// passkey here, the server offers the other first factors: that comes back as the next step
    /// (SELECT_CHALLENGE with its `AvailableChallenges`).
    #[must_use]
    pub fn passkey(username: &str) -> Self {
        Self::at(username, Begin::Passkey)
    }

    /// Answers the pending challenge: the new password for NEW_PASSWORD_REQUIRED, the code for an
    /// MFA challenge. `attributes` go along as `userAttributes.<name>` (NEW_PASSWORD_REQUIRED).
    #[must_use]
    pub fn confirm(answer: &str, attributes: &[(String, String)]) -> Self {
        let answer = Zeroizing::new(answer.to_owned());
        Self::at("", Begin::Confirm { answer, attributes: attributes.to_vec() })
    }

    fn at(username: &str, begin: Begin) -> Self {
        Self { username: username.to_owned(), stage: Stage::Begin(begin) }
    }
}

impl Flow for SignIn {
    type Output = SignInOutcome;

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        c: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<SignInOutcome>, ClientError> {
        let (next, step) = match core::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Begin(begin) => self.begin(c, begin)?,
            Stage::Verifier { srp, password } => {
                let answer = input.answer()?;
                if answer.get_str("ChallengeName") != Some("PASSWORD_VERIFIER") {
                    return self.outcome(c, answer);
                }
                (Stage::Outcome, Step::Call(c.password_verifier(&srp, &answer, &password)?))
            }
            Stage::Outcome => return self.outcome(c, input.answer()?),
            Stage::Passkey => {
                let answer = input.answer()?;
                if answer.get_str("ChallengeName") != Some("WEB_AUTHN") {
                    return self.outcome(c, answer);
                }
                let params = &answer["ChallengeParameters"];
                let options = params
                    .get_str("CREDENTIAL_REQUEST_OPTIONS")
                    .ok_or_else(|| ClientError::invalid_response("has no CREDENTIAL_REQUEST_OPTIONS"))?;
                if let Some(name) = params.get_str("USERNAME") {
                    name.clone_into(&mut self.username);
                }
                let session = answer.get_str("Session").map(str::to_owned);
                (Stage::Credential { session }, Step::Get(options.to_owned()))
            }
            Stage::Credential { session } => {
                let responses = Json::object().with("CREDENTIAL", input.credential()?);
                let request = c.respond("WEB_AUTHN", &self.username, responses, session.as_deref());
                (Stage::Outcome, Step::Call(request))
            }
            Stage::Associate { session } => {
                let associated = input.answer()?;
                let secret = associated
                    .get_str("SecretCode")
                    .ok_or_else(|| ClientError::invalid_response("has no SecretCode"))?;
                let session = associated.get_str("Session").map(str::to_owned).or(session);
                let name = "MFA_SETUP".to_owned();
                *c.pending.borrow_mut() = Some(Pending { name, session, username: self.username.clone() });
                return Ok(Step::Done(SignInOutcome::Next(NextStep::TotpSetup {
                    secret: secret.to_owned(),
                })));
            }
            Stage::VerifySetup { mut pending, responses } => {
                pending.session = input.answer()?.get_str("Session").map(str::to_owned);
                let request =
                    c.respond(&pending.name, &pending.username, responses, pending.session.as_deref());
                (Stage::Outcome, Step::Call(request))
            }
            Stage::Done => return Err(out_of_turn()),
        };
        self.stage = next;
        Ok(step)
    }
}

impl SignIn {
    fn begin<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        c: &Client<T, S, C>,
        begin: Begin,
    ) -> Result<(Stage, Step<SignInOutcome>), ClientError> {
        let params = c.auth_parameters(&self.username);
        Ok(match begin {
            Begin::Password(SignInFlow::Password, password) => {
                let params = params.with("PASSWORD", password.as_str());
                (Stage::Outcome, Step::Call(c.initiate_auth("USER_PASSWORD_AUTH", params)))
            }
            Begin::Password(SignInFlow::Custom, _) => {
                (Stage::Outcome, Step::Call(c.initiate_auth("CUSTOM_AUTH", params)))
            }
            Begin::Password(flow @ (SignInFlow::Srp | SignInFlow::CustomSrp), password) => {
                let srp = SrpClient::new().map_err(|_| {
                    ClientError::new("InternalErrorException", "the random number source failed")
                })?;
                let (name, params) = if flow == SignInFlow::CustomSrp {
                    ("CUSTOM_AUTH", params.with("CHALLENGE_NAME", "SRP_A"))
                } else {
                    ("USER_SRP_AUTH", params)
                };
                let request = c.initiate_auth(name, params.with("SRP_A", srp.srp_a()));
                (Stage::Verifier { srp: Box::new(srp), password }, Step::Call(request))
            }
            Begin::Passkey => {
                let params = params.with("PREFERRED_CHALLENGE", "WEB_AUTHN");
                (Stage::Passkey, Step::Call(c.initiate_auth("USER_AUTH", params)))
            }
            Begin::Confirm { answer, attributes } => {
                let mut pending = c.pending.borrow().clone().ok_or_else(|| {
                    ClientError::new("InvalidStateException", "no sign-in is waiting for an answer")
                })?;
                pending.username.clone_into(&mut self.username);
                let mut responses = Json::object();
                for (name, value) in &attributes {
                    responses.set(&["userAttributes.", name].concat(), value.into());
                }
                if pending.name == "MFA_SETUP" {
                    // The answer is the app's first code: it verifies the setup, then the challenge
                    // is answered.
                    let body = Json::object()
                        .with_opt("Session", pending.session.as_deref())
                        .with("UserCode", answer.as_str());
                    let request = Request::new("VerifySoftwareToken", body);
                    (Stage::VerifySetup { pending, responses }, Step::Call(request))
                } else {
                    responses.set(answer_key(&pending.name), answer.as_str().into());
                    let session = pending.session.take();
                    let request = c.respond(&pending.name, &pending.username, responses, session.as_deref());
                    (Stage::Outcome, Step::Call(request))
                }
            }
        })
    }

    /// Tokens, or the next challenge (remembered for [`Client::confirm_sign_in`]).
    fn outcome<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        c: &Client<T, S, C>,
        answer: Json,
    ) -> Result<Step<SignInOutcome>, ClientError> {
        if let Some(result) = answer.get("AuthenticationResult") {
            *c.pending.borrow_mut() = None;
            return c.store_tokens(result, None).map(|s| Step::Done(SignInOutcome::SignedIn(s)));
        }
        let name = answer
            .get_str("ChallengeName")
            .ok_or_else(|| ClientError::invalid_response("has neither tokens nor a challenge"))?;
        let mut parameters = match answer.get("ChallengeParameters") {
            Some(p @ Json::Object(_)) => p.clone(),
            _ => Json::object(),
        };
        // SELECT_CHALLENGE lists the factors beside its parameters: keep them with the step.
        if let Some(offered) = answer.get("AvailableChallenges") {
            parameters.set("AvailableChallenges", offered.clone());
        }
        if let Some(name) = parameters.get_str("USER_ID_FOR_SRP").or_else(|| parameters.get_str("USERNAME")) {
            name.clone_into(&mut self.username);
        }
        let session = answer.get_str("Session").map(str::to_owned);
        if name == "MFA_SETUP" {
            // The secret comes with the next step, as Amplify's does, so the app can show it at once.
            let body = Json::object().with_opt("Session", session.as_deref());
            self.stage = Stage::Associate { session };
            return Ok(Step::Call(Request::new("AssociateSoftwareToken", body)));
        }
        *c.pending.borrow_mut() =
            Some(Pending { name: name.to_owned(), session, username: self.username.clone() });
        Ok(Step::Done(SignInOutcome::Next(match name {
            "NEW_PASSWORD_REQUIRED" => {
                let listed =
                    parameters.get_str("requiredAttributes").and_then(Json::parse).unwrap_or_default();
                let required = (listed.as_array().unwrap_or_default().iter())
                    .filter_map(Json::as_str)
                    .map(|a| a.strip_prefix("userAttributes.").unwrap_or(a).to_owned())
                    .collect();
                NextStep::NewPasswordRequired { required_attributes: required }
            }
            other => NextStep::Challenge { name: other.to_owned(), parameters },
        })))
    }
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// Signs `username` in with `password` by `flow`.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        flow: SignInFlow,
    ) -> Result<SignInOutcome, ClientError> {
        self.drive(SignIn::password(username, password, flow), &NoAuthenticator).await
    }

    /// Signs `username` in with a passkey from `authenticator` (see [`SignIn::passkey`]).
    pub async fn sign_in_with_passkey(
        &self,
        username: &str,
        authenticator: &impl Authenticator,
    ) -> Result<SignInOutcome, ClientError> {
        self.drive(SignIn::passkey(username), authenticator).await
    }

    /// Answers the pending challenge (see [`SignIn::confirm`]).
    pub async fn confirm_sign_in(
        &self,
        answer: &str,
        attributes: &[(String, String)],
    ) -> Result<SignInOutcome, ClientError> {
        self.drive(SignIn::confirm(answer, attributes), &NoAuthenticator).await
    }

    /// `USERNAME` and, for a client with a secret, `SECRET_HASH`: the parameters every flow starts with.
    fn auth_parameters(&self, username: &str) -> Json {
        Json::object().with("USERNAME", username).with_opt("SECRET_HASH", self.secret_hash(username))
    }

    /// InitiateAuth with `flow` and its parameters.
    pub(crate) fn initiate_auth(&self, flow: &str, params: Json) -> Request {
        let body = Json::object()
            .with("AuthFlow", flow)
            .with("ClientId", &self.config.client_id)
            .with("AuthParameters", params);
        Request::new("InitiateAuth", body)
    }

    /// RespondToAuthChallenge to `challenge`, continuing `session`; SECRET_HASH is added for
    /// `username` when the client has a secret.
    fn respond(&self, challenge: &str, username: &str, responses: Json, session: Option<&str>) -> Request {
        let responses =
            responses.with("USERNAME", username).with_opt("SECRET_HASH", self.secret_hash(username));
        let body = Json::object()
            .with("ChallengeName", challenge)
            .with("ClientId", &self.config.client_id)
            .with("ChallengeResponses", responses)
            .with_opt("Session", session);
        Request::new("RespondToAuthChallenge", body)
    }

    /// The answer to PASSWORD_VERIFIER: the SRP proof of `password`.
    fn password_verifier(
        &self,
        srp: &SrpClient,
        answer: &Json,
        password: &str,
    ) -> Result<Request, ClientError> {
        let params = &answer["ChallengeParameters"];
        let field = |k: &str| {
            params.get_str(k).ok_or_else(|| ClientError::invalid_response(&["has no ", k].concat()))
        };
        let user_id = field("USER_ID_FOR_SRP")?;
        let challenge = PasswordChallenge {
            pool_name: cognate_srp::pool_name(&self.config.user_pool_id).map_err(|_| {
                ClientError::new(
                    "InvalidParameterException",
                    "the user pool id must look like <region>_<name>",
                )
            })?,
            user_id_for_srp: user_id,
            salt: field("SALT")?,
            srp_b: field("SRP_B")?,
            secret_block: field("SECRET_BLOCK")?,
        };
        let claim = srp.password_claim(&challenge, password, CognitoTimestamp::now()).map_err(|e| {
            ClientError::new(
                "InvalidResponseException",
                ["the PASSWORD_VERIFIER challenge ", srp_fault(&e)].concat(),
            )
        })?;
        // Cognito's own clients answer with USER_ID_FOR_SRP as USERNAME; SECRET_HASH follows it.
        let username = params.get_str("USERNAME").unwrap_or(user_id);
        let responses = Json::object()
            .with("PASSWORD_CLAIM_SECRET_BLOCK", challenge.secret_block)
            .with("PASSWORD_CLAIM_SIGNATURE", claim.signature)
            .with("TIMESTAMP", claim.timestamp);
        Ok(self.respond("PASSWORD_VERIFIER", username, responses, answer.get_str("Session")))
    }
}

/// What was wrong with a challenge, in words (without `core::fmt`).
fn srp_fault(e: &cognate_srp::SrpError) -> &'static str {
    use cognate_srp::SrpError;
    match e {
        SrpError::InvalidHex(_) | SrpError::InvalidBase64(_) | SrpError::OutOfRange(_) => "is malformed",
        SrpError::IllegalB => "has an SRP_B of 0 mod N",
        SrpError::IllegalU => "hashes to a scrambling parameter of 0",
        _ => "cannot be answered",
    }
}

/// The pending-challenge slot a client holds.
pub(crate) type PendingSlot = RefCell<Option<Pending>>;
