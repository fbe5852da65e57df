//! Sign-in: USER_SRP_AUTH (the default, through cognate-srp) or USER_PASSWORD_AUTH, and the
//! challenges that can follow, answered with [`Client::confirm_sign_in`].

use std::sync::Mutex;

use cognate_srp::{CognitoTimestamp, PasswordChallenge, SrpClient};
use serde_json::{Map, Value, json};

use crate::{Client, ClientError, Clock, Session, TokenStore, Transport};

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
        parameters: Value,
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

pub(crate) fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// Signs `username` in with `password` by `flow`.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        flow: SignInFlow,
    ) -> Result<SignInOutcome, ClientError> {
        let mut params = Map::new();
        params.insert("USERNAME".into(), json!(username));
        if let Some(hash) = self.secret_hash(username) {
            params.insert("SECRET_HASH".into(), json!(hash));
        }
        match flow {
            SignInFlow::Password => {
                params.insert("PASSWORD".into(), json!(password));
                let body = json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.config.client_id, "AuthParameters": params });
                let answer = self.call("InitiateAuth", body).await?;
                self.outcome(answer, username).await
            }
            SignInFlow::Srp => {
                let srp = SrpClient::new()
                    .map_err(|e| ClientError::new("InternalErrorException", e.to_string()))?;
                params.insert("SRP_A".into(), json!(srp.srp_a()));
                let body = json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": self.config.client_id, "AuthParameters": params });
                let answer = self.call("InitiateAuth", body).await?;
                if text(&answer, "ChallengeName") != Some("PASSWORD_VERIFIER") {
                    return self.outcome(answer, username).await;
                }
                let answer = self.password_verifier(&srp, &answer, password).await?;
                self.outcome(answer, username).await
            }
        }
    }

    async fn password_verifier(
        &self,
        srp: &SrpClient,
        answer: &Value,
        password: &str,
    ) -> Result<Value, ClientError> {
        let params = answer.get("ChallengeParameters").unwrap_or(&Value::Null);
        let field =
            |k: &str| text(params, k).ok_or_else(|| ClientError::invalid_response(&format!("has no {k}")));
        let user_id = field("USER_ID_FOR_SRP")?;
        let challenge = PasswordChallenge {
            pool_name: cognate_srp::pool_name(&self.config.user_pool_id)
                .map_err(|e| ClientError::new("InvalidParameterException", e.to_string()))?,
            user_id_for_srp: user_id,
            salt: field("SALT")?,
            srp_b: field("SRP_B")?,
            secret_block: field("SECRET_BLOCK")?,
        };
        let claim = srp
            .password_claim(&challenge, password, CognitoTimestamp::now())
            .map_err(|e| ClientError::new("InvalidParameterException", e.to_string()))?;
        // Cognito's own clients answer with USER_ID_FOR_SRP as USERNAME; SECRET_HASH follows it.
        let username = text(params, "USERNAME").unwrap_or(user_id);
        let mut responses = json!({
            "USERNAME": username,
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge.secret_block,
            "PASSWORD_CLAIM_SIGNATURE": claim.signature,
            "TIMESTAMP": claim.timestamp,
        });
        if let Some(hash) = self.secret_hash(username) {
            responses["SECRET_HASH"] = json!(hash);
        }
        let mut body = json!({ "ChallengeName": "PASSWORD_VERIFIER", "ClientId": self.config.client_id, "ChallengeResponses": responses });
        if let Some(session) = text(answer, "Session") {
            body["Session"] = json!(session);
        }
        self.call("RespondToAuthChallenge", body).await
    }

    /// Tokens, or the next challenge (remembered for [`Client::confirm_sign_in`]).
    pub(crate) async fn outcome(&self, answer: Value, username: &str) -> Result<SignInOutcome, ClientError> {
        if let Some(result) = answer.get("AuthenticationResult") {
            *lock(&self.pending) = None;
            return self.store_tokens(result, None).map(SignInOutcome::SignedIn);
        }
        let name = text(&answer, "ChallengeName")
            .ok_or_else(|| ClientError::invalid_response("has neither tokens nor a challenge"))?;
        let mut parameters = answer.get("ChallengeParameters").cloned().unwrap_or_else(|| json!({}));
        // SELECT_CHALLENGE lists the factors beside its parameters: keep them with the step.
        if let (Some(offered), Some(p)) = (answer.get("AvailableChallenges"), parameters.as_object_mut()) {
            p.insert("AvailableChallenges".into(), offered.clone());
        }
        let username = text(&parameters, "USER_ID_FOR_SRP")
            .or_else(|| text(&parameters, "USERNAME"))
            .unwrap_or(username);
        let mut session = text(&answer, "Session").map(str::to_owned);
        if name == "MFA_SETUP" {
            // The secret comes with the next step, as Amplify's does, so the app can show it at once.
            let associated = self.call("AssociateSoftwareToken", json!({ "Session": session })).await?;
            let secret = text(&associated, "SecretCode")
                .ok_or_else(|| ClientError::invalid_response("has no SecretCode"))?;
            session = text(&associated, "Session").map(str::to_owned).or(session);
            *lock(&self.pending) =
                Some(Pending { name: name.to_owned(), session, username: username.to_owned() });
            return Ok(SignInOutcome::Next(crate::NextStep::TotpSetup { secret: secret.to_owned() }));
        }
        *lock(&self.pending) =
            Some(Pending { name: name.to_owned(), session, username: username.to_owned() });
        Ok(SignInOutcome::Next(match name {
            "NEW_PASSWORD_REQUIRED" => {
                let required = text(&parameters, "requiredAttributes")
                    .and_then(|r| serde_json::from_str::<Value>(r).ok())
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|a| a.trim_start_matches("userAttributes.").to_owned())
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
        let pending = lock(&self.pending).clone().ok_or_else(|| {
            ClientError::new("InvalidStateException", "no sign-in is waiting for an answer")
        })?;
        let mut responses = Map::new();
        responses.insert("USERNAME".into(), json!(pending.username));
        let mut pending = pending;
        if pending.name == "MFA_SETUP" {
            // The answer is the app's first code: it verifies the setup, then the challenge is answered.
            let verified = self
                .call("VerifySoftwareToken", json!({ "Session": pending.session, "UserCode": answer }))
                .await?;
            pending.session = text(&verified, "Session").map(str::to_owned);
        } else {
            responses.insert(answer_key(&pending.name).into(), json!(answer));
        }
        for (name, value) in attributes {
            responses.insert(format!("userAttributes.{name}"), json!(value));
        }
        if let Some(hash) = self.secret_hash(&pending.username) {
            responses.insert("SECRET_HASH".into(), json!(hash));
        }
        let mut body = json!({ "ChallengeName": pending.name, "ClientId": self.config.client_id, "ChallengeResponses": responses });
        if let Some(session) = &pending.session {
            body["Session"] = json!(session);
        }
        let answer = self.call("RespondToAuthChallenge", body).await?;
        self.outcome(answer, &pending.username).await
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The pending-challenge slot a client holds.
pub(crate) type PendingSlot = Mutex<Option<Pending>>;
