//! Sign-in: USER_SRP_AUTH (the default, through cognate-srp) or USER_PASSWORD_AUTH, and the
//! challenges that can follow, answered with [`Client::confirm_sign_in`].

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use crate::{Client, ClientError, Clock, Json, Session, TokenStore, Transport};
use cognate_srp::{CognitoTimestamp, PasswordChallenge, SrpClient};

/// How to prove the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignInFlow {
    /// USER_SRP_AUTH: the password never leaves the client.
    #[default]
    Srp,
    /// USER_PASSWORD_AUTH: the password is sent (over TLS) for the server to check.
    Password,
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

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// Signs `username` in with `password` by `flow`.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        flow: SignInFlow,
    ) -> Result<SignInOutcome, ClientError> {
        match flow {
            SignInFlow::Password => {
                let params = self.auth_parameters(username).with("PASSWORD", password);
                let answer = self.initiate_auth("USER_PASSWORD_AUTH", params).await?;
                self.outcome(answer, username).await
            }
            SignInFlow::Srp => {
                let srp = SrpClient::new().map_err(|_| {
                    ClientError::new("InternalErrorException", "the random number source failed")
                })?;
                let params = self.auth_parameters(username).with("SRP_A", srp.srp_a());
                let answer = self.initiate_auth("USER_SRP_AUTH", params).await?;
                if answer.get_str("ChallengeName") != Some("PASSWORD_VERIFIER") {
                    return self.outcome(answer, username).await;
                }
                let answer = self.password_verifier(&srp, &answer, password).await?;
                self.outcome(answer, username).await
            }
        }
    }

    /// `USERNAME` and, for a client with a secret, `SECRET_HASH`: the parameters every flow starts with.
    pub(crate) fn auth_parameters(&self, username: &str) -> Json {
        Json::object().with("USERNAME", username).with_opt("SECRET_HASH", self.secret_hash(username))
    }

    /// InitiateAuth with `flow` and its parameters.
    pub(crate) async fn initiate_auth(&self, flow: &str, params: Json) -> Result<Json, ClientError> {
        let body = Json::object()
            .with("AuthFlow", flow)
            .with("ClientId", &self.config.client_id)
            .with("AuthParameters", params);
        self.call("InitiateAuth", body).await
    }

    /// RespondToAuthChallenge to `challenge`, continuing `session`; SECRET_HASH is added for
    /// `username` when the client has a secret.
    pub(crate) async fn respond(
        &self,
        challenge: &str,
        username: &str,
        responses: Json,
        session: Option<&str>,
    ) -> Result<Json, ClientError> {
        let responses =
            responses.with("USERNAME", username).with_opt("SECRET_HASH", self.secret_hash(username));
        let body = Json::object()
            .with("ChallengeName", challenge)
            .with("ClientId", &self.config.client_id)
            .with("ChallengeResponses", responses)
            .with_opt("Session", session);
        self.call("RespondToAuthChallenge", body).await
    }

    async fn password_verifier(
        &self,
        srp: &SrpClient,
        answer: &Json,
        password: &str,
    ) -> Result<Json, ClientError> {
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
        self.respond("PASSWORD_VERIFIER", username, responses, answer.get_str("Session")).await
    }

    /// Tokens, or the next challenge (remembered for [`Client::confirm_sign_in`]).
    pub(crate) async fn outcome(&self, answer: Json, username: &str) -> Result<SignInOutcome, ClientError> {
        if let Some(result) = answer.get("AuthenticationResult") {
            *self.pending.borrow_mut() = None;
            return self.store_tokens(result, None).map(SignInOutcome::SignedIn);
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
        let username = parameters
            .get_str("USER_ID_FOR_SRP")
            .or_else(|| parameters.get_str("USERNAME"))
            .unwrap_or(username);
        let mut session = answer.get_str("Session").map(str::to_owned);
        if name == "MFA_SETUP" {
            // The secret comes with the next step, as Amplify's does, so the app can show it at once.
            let associated = self
                .call("AssociateSoftwareToken", Json::object().with_opt("Session", session.as_deref()))
                .await?;
            let secret = associated
                .get_str("SecretCode")
                .ok_or_else(|| ClientError::invalid_response("has no SecretCode"))?;
            session = associated.get_str("Session").map(str::to_owned).or(session);
            *self.pending.borrow_mut() =
                Some(Pending { name: name.to_owned(), session, username: username.to_owned() });
            return Ok(SignInOutcome::Next(crate::NextStep::TotpSetup { secret: secret.to_owned() }));
        }
        *self.pending.borrow_mut() =
            Some(Pending { name: name.to_owned(), session, username: username.to_owned() });
        Ok(SignInOutcome::Next(match name {
            "NEW_PASSWORD_REQUIRED" => {
                let listed =
                    parameters.get_str("requiredAttributes").and_then(Json::parse).unwrap_or_default();
                let required = (listed.as_array().unwrap_or_default().iter())
                    .filter_map(Json::as_str)
                    .map(|a| a.strip_prefix("userAttributes.").unwrap_or(a).to_owned())
                    .collect();
                crate::NextStep::NewPasswordRequired { required_attributes: required }
            }
            other => crate::NextStep::Challenge { name: other.to_owned(), parameters },
        }))
    }

    /// Answers the pending challenge: the new password for NEW_PASSWORD_REQUIRED, the code for an
    /// MFA challenge. `attributes` go along as `userAttributes.<name>` (NEW_PASSWORD_REQUIRED).
    pub async fn confirm_sign_in(
        &self,
        answer: &str,
        attributes: &[(String, String)],
    ) -> Result<SignInOutcome, ClientError> {
        let pending = self.pending.borrow().clone().ok_or_else(|| {
            ClientError::new("InvalidStateException", "no sign-in is waiting for an answer")
        })?;
        let mut responses = Json::object();
        let mut pending = pending;
        if pending.name == "MFA_SETUP" {
            // The answer is the app's first code: it verifies the setup, then the challenge is answered.
            let body =
                Json::object().with_opt("Session", pending.session.as_deref()).with("UserCode", answer);
            let verified = self.call("VerifySoftwareToken", body).await?;
            pending.session = verified.get_str("Session").map(str::to_owned);
        } else {
            responses.set(answer_key(&pending.name), answer.into());
        }
        for (name, value) in attributes {
            responses.set(&["userAttributes.", name].concat(), value.into());
        }
        let answer =
            self.respond(&pending.name, &pending.username, responses, pending.session.as_deref()).await?;
        self.outcome(answer, &pending.username).await
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
