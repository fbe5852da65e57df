//! Passkeys: registering one for the signed-in user (StartWebAuthnRegistration, the authenticator,
//! CompleteWebAuthnRegistration), signing in with one (USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN,
//! the authenticator, RespondToAuthChallenge), listing and deleting them.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{Authenticator, Client, ClientError, Clock, Json, Request, SignInOutcome, TokenStore, Transport};

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
        let body = self.with_access_token().await?;
        let started = self.call("StartWebAuthnRegistration", body.clone()).await?;
        let options = started
            .get("CredentialCreationOptions")
            .ok_or_else(|| ClientError::invalid_response("has no CredentialCreationOptions"))?;
        let credential = authenticator.create(&options.to_text()).await?;
        let credential = Json::parse(&credential).ok_or_else(|| {
            ClientError::new("InvalidParameterException", "the authenticator's credential is not JSON")
        })?;
        self.call("CompleteWebAuthnRegistration", body.with("Credential", credential)).await.map(drop)
    }

    /// Signs `username` in with a passkey: USER_AUTH preferring WEB_AUTHN. When the user has no
    /// passkey here, the server offers the other first factors: that comes back as the next step
    /// (SELECT_CHALLENGE with its `AvailableChallenges`).
    pub async fn sign_in_with_passkey(
        &self,
        username: &str,
        authenticator: &impl Authenticator,
    ) -> Result<SignInOutcome, ClientError> {
        let params = self.auth_parameters(username).with("PREFERRED_CHALLENGE", "WEB_AUTHN");
        let answer = self.initiate_auth("USER_AUTH", params).await?;
        if answer.get_str("ChallengeName") != Some("WEB_AUTHN") {
            return self.outcome(answer, username).await;
        }
        let params = &answer["ChallengeParameters"];
        let options = params
            .get_str("CREDENTIAL_REQUEST_OPTIONS")
            .ok_or_else(|| ClientError::invalid_response("has no CREDENTIAL_REQUEST_OPTIONS"))?;
        let credential = authenticator.get(options).await?;
        let name = params.get_str("USERNAME").unwrap_or(username);
        let responses = Json::object().with("CREDENTIAL", credential);
        let next = self.respond("WEB_AUTHN", name, responses, answer.get_str("Session")).await?;
        self.outcome(next, name).await
    }

    /// The signed-in user's passkeys.
    pub async fn list_passkeys(&self) -> Result<Vec<Passkey>, ClientError> {
        let first = self.with_access_token().await?.with("MaxResults", crate::json::integer(20));
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let body = first.clone().with_opt("NextToken", next.as_deref());
            let page = self.call("ListWebAuthnCredentials", body).await?;
            for c in page.get("Credentials").and_then(Json::as_array).unwrap_or_default() {
                let s = |k: &str| c.get_str(k).map(str::to_owned);
                out.push(Passkey {
                    id: s("CredentialId").unwrap_or_default(),
                    name: s("FriendlyCredentialName").unwrap_or_default(),
                    relying_party_id: s("RelyingPartyId").unwrap_or_default(),
                    attachment: s("AuthenticatorAttachment"),
                    transports: (c
                        .get("AuthenticatorTransports")
                        .and_then(Json::as_array)
                        .unwrap_or_default())
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect(),
                    created_at: c.get("CreatedAt").and_then(Json::as_f64).unwrap_or_default(),
                });
            }
            next = page.get_str("NextToken").map(str::to_owned);
            if next.is_none() {
                return Ok(out);
            }
        }
    }

    /// DeleteWebAuthnCredential: one of the signed-in user's passkeys.
    pub fn delete_passkey_request(&self, credential_id: &str) -> Request {
        Request::authorized("DeleteWebAuthnCredential", Json::object().with("CredentialId", credential_id))
    }

    /// Deletes one of the signed-in user's passkeys.
    pub async fn delete_passkey(&self, credential_id: &str) -> Result<(), ClientError> {
        self.send(self.delete_passkey_request(credential_id)).await.map(drop)
    }
}
