//! Passkeys: registering one for the signed-in user (StartWebAuthnRegistration, the authenticator,
//! CompleteWebAuthnRegistration), listing and deleting them. Signing in with one is
//! [`SignIn::passkey`](crate::SignIn::passkey).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::flow::{Flow, Input, NoAuthenticator, Step, out_of_turn};
use crate::{Authenticator, Client, ClientError, Clock, Json, Request, TokenStore, Transport};

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

impl Passkey {
    /// One entry of ListWebAuthnCredentials' `Credentials`.
    fn read(c: &Json) -> Self {
        let s = |k: &str| c.get_str(k).map(str::to_owned);
        Self {
            id: s("CredentialId").unwrap_or_default(),
            name: s("FriendlyCredentialName").unwrap_or_default(),
            relying_party_id: s("RelyingPartyId").unwrap_or_default(),
            attachment: s("AuthenticatorAttachment"),
            transports: (c.get("AuthenticatorTransports").and_then(Json::as_array).unwrap_or_default())
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect(),
            created_at: c.get("CreatedAt").and_then(Json::as_f64).unwrap_or_default(),
        }
    }
}

/// Registering a passkey for the signed-in user, as a [`Flow`]: StartWebAuthnRegistration, the
/// authenticator's new credential, CompleteWebAuthnRegistration.
#[derive(Debug, Default)]
pub struct RegisterPasskey {
    stage: u8,
}

impl Flow for RegisterPasskey {
    type Output = ();

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        _: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<()>, ClientError> {
        self.stage += 1;
        Ok(match self.stage {
            1 => Step::Call(Request::authorized("StartWebAuthnRegistration", Json::object())),
            2 => {
                let started = input.answer()?;
                let options = started
                    .get("CredentialCreationOptions")
                    .ok_or_else(|| ClientError::invalid_response("has no CredentialCreationOptions"))?;
                Step::Create(options.to_text())
            }
            3 => {
                let credential = Json::parse(&input.credential()?).ok_or_else(|| {
                    ClientError::new(
                        "InvalidParameterException",
                        "the authenticator's credential is not JSON",
                    )
                })?;
                let body = Json::object().with("Credential", credential);
                Step::Call(Request::authorized("CompleteWebAuthnRegistration", body))
            }
            4 => input.answer().map(|_| Step::Done(()))?,
            _ => return Err(out_of_turn()),
        })
    }
}

/// The signed-in user's passkeys, every page of ListWebAuthnCredentials, as a [`Flow`].
#[derive(Debug, Default)]
pub struct ListPasskeys {
    started: bool,
    found: Vec<Passkey>,
}

impl Flow for ListPasskeys {
    type Output = Vec<Passkey>;

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        _: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<Vec<Passkey>>, ClientError> {
        let page = |next: Option<&str>| {
            let body =
                Json::object().with("MaxResults", crate::json::integer(20)).with_opt("NextToken", next);
            Step::Call(Request::authorized("ListWebAuthnCredentials", body))
        };
        if !core::mem::replace(&mut self.started, true) {
            return Ok(page(None));
        }
        let answer = input.answer()?;
        let listed = answer.get("Credentials").and_then(Json::as_array).unwrap_or_default();
        self.found.extend(listed.iter().map(Passkey::read));
        Ok(match answer.get_str("NextToken") {
            Some(next) => page(Some(next)),
            None => Step::Done(core::mem::take(&mut self.found)),
        })
    }
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// Registers a passkey for the signed-in user with `authenticator` (see [`RegisterPasskey`]).
    pub async fn register_passkey(&self, authenticator: &impl Authenticator) -> Result<(), ClientError> {
        self.drive(RegisterPasskey::default(), authenticator).await
    }

    /// The signed-in user's passkeys.
    pub async fn list_passkeys(&self) -> Result<Vec<Passkey>, ClientError> {
        self.drive(ListPasskeys::default(), &NoAuthenticator).await
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
