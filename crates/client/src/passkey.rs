//! Passkeys: registering one for the signed-in user (StartWebAuthnRegistration, the authenticator,
//! CompleteWebAuthnRegistration), signing in with one (USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN,
//! the authenticator, RespondToAuthChallenge), listing and deleting them.

use serde_json::{Map, Value, json};

use crate::auth::text;
use crate::{Authenticator, Client, ClientError, Clock, SignInOutcome, TokenStore, Transport};

/// A registered passkey, as ListWebAuthnCredentials describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Passkey {
    /// The credential id (base64url).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The relying party it is bound to.
    pub relying_party_id: String,
    /// `platform` or `cross-platform`, when known.
    pub attachment: Option<String>,
    /// How the browser reaches it.
    pub transports: Vec<String>,
    /// When it was registered, epoch seconds.
    pub created_at: f64,
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// Registers a passkey for the signed-in user with `authenticator`.
    pub async fn register_passkey(&self, authenticator: &impl Authenticator) -> Result<(), ClientError> {
        let token = self.access_token().await?;
        let started = self.call("StartWebAuthnRegistration", json!({ "AccessToken": token })).await?;
        let options = started
            .get("CredentialCreationOptions")
            .ok_or_else(|| ClientError::invalid_response("has no CredentialCreationOptions"))?;
        let credential = authenticator.create(&options.to_string()).await?;
        let credential: Value = serde_json::from_str(&credential).map_err(|_| {
            ClientError::new("InvalidParameterException", "the authenticator's credential is not JSON")
        })?;
        self.call("CompleteWebAuthnRegistration", json!({ "AccessToken": token, "Credential": credential }))
            .await
            .map(drop)
    }

    /// Signs `username` in with a passkey: USER_AUTH preferring WEB_AUTHN. When the user has no
    /// passkey here, the server offers the other first factors: that comes back as the next step
    /// (SELECT_CHALLENGE with its `AvailableChallenges`).
    pub async fn sign_in_with_passkey(
        &self,
        username: &str,
        authenticator: &impl Authenticator,
    ) -> Result<SignInOutcome, ClientError> {
        let mut params = Map::new();
        params.insert("USERNAME".into(), json!(username));
        params.insert("PREFERRED_CHALLENGE".into(), json!("WEB_AUTHN"));
        if let Some(hash) = self.secret_hash(username) {
            params.insert("SECRET_HASH".into(), json!(hash));
        }
        let body =
            json!({ "AuthFlow": "USER_AUTH", "ClientId": self.config.client_id, "AuthParameters": params });
        let answer = self.call("InitiateAuth", body).await?;
        if text(&answer, "ChallengeName") != Some("WEB_AUTHN") {
            return self.outcome(answer, username).await;
        }
        let params = answer.get("ChallengeParameters").unwrap_or(&Value::Null);
        let options = text(params, "CREDENTIAL_REQUEST_OPTIONS")
            .ok_or_else(|| ClientError::invalid_response("has no CREDENTIAL_REQUEST_OPTIONS"))?;
        let credential = authenticator.get(options).await?;
        let name = text(params, "USERNAME").unwrap_or(username).to_owned();
        let mut responses = json!({ "USERNAME": name, "CREDENTIAL": credential });
        if let Some(hash) = self.secret_hash(&name) {
            responses["SECRET_HASH"] = json!(hash);
        }
        let mut body = json!({ "ChallengeName": "WEB_AUTHN", "ClientId": self.config.client_id, "ChallengeResponses": responses });
        if let Some(session) = text(&answer, "Session") {
            body["Session"] = json!(session);
        }
        let answer = self.call("RespondToAuthChallenge", body).await?;
        self.outcome(answer, &name).await
    }

    /// The signed-in user's passkeys.
    pub async fn list_passkeys(&self) -> Result<Vec<Passkey>, ClientError> {
        let token = self.access_token().await?;
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let mut body = json!({ "AccessToken": token, "MaxResults": 20 });
            if let Some(n) = &next {
                body["NextToken"] = json!(n);
            }
            let page = self.call("ListWebAuthnCredentials", body).await?;
            for c in page.get("Credentials").and_then(Value::as_array).into_iter().flatten() {
                let s = |k: &str| text(c, k).map(str::to_owned);
                out.push(Passkey {
                    id: s("CredentialId").unwrap_or_default(),
                    name: s("FriendlyCredentialName").unwrap_or_default(),
                    relying_party_id: s("RelyingPartyId").unwrap_or_default(),
                    attachment: s("AuthenticatorAttachment"),
                    transports: c
                        .get("AuthenticatorTransports")
                        .and_then(Value::as_array)
                        .map(|t| t.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                        .unwrap_or_default(),
                    created_at: c.get("CreatedAt").and_then(Value::as_f64).unwrap_or_default(),
                });
            }
            next = text(&page, "NextToken").map(str::to_owned);
            if next.is_none() {
                return Ok(out);
            }
        }
    }

    /// Deletes one of the signed-in user's passkeys.
    pub async fn delete_passkey(&self, credential_id: &str) -> Result<(), ClientError> {
        let token = self.access_token().await?;
        self.call("DeleteWebAuthnCredential", json!({ "AccessToken": token, "CredentialId": credential_id }))
            .await
            .map(drop)
    }
}
