//! Operations as state machines that never wait themselves: a [`Flow`] says what it needs next (a
//! Cognito call, or a credential from the authenticator) and is resumed with the result.
//!
//! Natively, [`Client::drive`] runs a flow over the client's [`Transport`] and an
//! [`Authenticator`]; the async methods of [`Client`] are that. In the browser, JavaScript runs it
//! (`cognate-wasm`'s `Task`): it does the `fetch` and the WebAuthn call itself, so the wasm holds
//! no futures at all. The protocol (what to send, how to read the answer, what to store) is here
//! either way.

use alloc::string::String;

use crate::{Authenticator, Client, ClientError, Clock, Json, Request, TokenStore, Transport};

/// What a flow needs next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this request; resume with [`Input::Answer`].
    Call(Request),
    /// Make a credential from these creation options (WebAuthn JSON); resume with
    /// [`Input::Credential`].
    Create(String),
    /// Sign with a credential for these request options (WebAuthn JSON); resume with
    /// [`Input::Credential`].
    Get(String),
    /// The flow's result.
    Done(T),
}

/// What a flow is resumed with.
#[derive(Debug)]
pub enum Input {
    /// The first resumption.
    Start,
    /// The answer to the [`Step::Call`]: its JSON, or its error.
    Answer(Result<Json, ClientError>),
    /// The authenticator's credential (WebAuthn JSON), for [`Step::Create`] or [`Step::Get`].
    Credential(String),
}

impl Input {
    /// The answer to a call from its HTTP status and body (see [`Transport`]).
    #[must_use]
    pub fn response(status: u16, body: &str) -> Self {
        Self::Answer(crate::error::parse_response(status, body))
    }

    /// The answer to a call that got no HTTP answer at all.
    #[must_use]
    pub fn network_error(message: &str) -> Self {
        Self::Answer(Err(ClientError::new("NetworkError", message)))
    }

    /// The answer this flow was waiting for.
    pub(crate) fn answer(self) -> Result<Json, ClientError> {
        match self {
            Self::Answer(answer) => answer,
            _ => Err(out_of_turn()),
        }
    }

    /// The credential this flow was waiting for.
    pub(crate) fn credential(self) -> Result<String, ClientError> {
        match self {
            Self::Credential(credential) => Ok(credential),
            _ => Err(out_of_turn()),
        }
    }
}

/// A flow resumed with something it did not ask for, or after it finished.
pub(crate) fn out_of_turn() -> ClientError {
    ClientError::new("InvalidStateException", "the operation was resumed out of turn")
}

/// A multi-step operation (see the module documentation).
pub trait Flow {
    /// What the flow ends with.
    type Output;

    /// Takes the flow one step on.
    ///
    /// # Errors
    /// The operation's error: the server's, or a local one; the flow is over then.
    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        client: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<Self::Output>, ClientError>;
}

/// One request sent and its answer returned: a single-call operation as a flow.
#[derive(Debug)]
pub struct Single(Option<Request>);

impl Single {
    /// The flow that sends `request`.
    #[must_use]
    pub fn new(request: Request) -> Self {
        Self(Some(request))
    }
}

impl Flow for Single {
    type Output = Json;

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        _: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<Json>, ClientError> {
        match self.0.take() {
            Some(request) => Ok(Step::Call(request)),
            None => input.answer().map(Step::Done),
        }
    }
}

/// Never answers: for a client whose flows are run by its host (see [`Flow`]), not by
/// [`Client::drive`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTransport;

impl Transport for NoTransport {
    async fn post(&self, _: &str, _: &str, _: &str) -> Result<(u16, String), ClientError> {
        Err(ClientError::new("NetworkError", "this client has no transport; its host runs its flows"))
    }
}

/// Never makes a credential: for flows that do not ask for one.
pub(crate) struct NoAuthenticator;

impl Authenticator for NoAuthenticator {
    async fn create(&self, _: &str) -> Result<String, ClientError> {
        Err(out_of_turn())
    }
    async fn get(&self, _: &str) -> Result<String, ClientError> {
        Err(out_of_turn())
    }
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// Runs `flow` to its end over this client's transport, with `authenticator` for the
    /// credentials it asks for.
    ///
    /// # Errors
    /// The flow's error, or the authenticator's.
    pub async fn drive<F: Flow>(
        &self,
        mut flow: F,
        authenticator: &impl Authenticator,
    ) -> Result<F::Output, ClientError> {
        let mut input = Input::Start;
        loop {
            input = match flow.resume(self, input)? {
                Step::Done(output) => return Ok(output),
                Step::Call(request) => Input::Answer(self.send(request).await),
                Step::Create(options) => Input::Credential(authenticator.create(&options).await?),
                Step::Get(options) => Input::Credential(authenticator.get(&options).await?),
            };
        }
    }

    /// The `X-Amz-Target` and body of a request, as sent now: an authorized one gets the stored
    /// access token as it is (refreshing is the caller's turn, as [`Client::send`] does).
    ///
    /// # Errors
    /// `NotAuthorizedException` for an authorized request when nobody is signed in.
    pub fn prepare(&self, request: Request) -> Result<(String, String), ClientError> {
        let mut body = request.body;
        if request.authorized {
            let token = self.stored_access_token().ok_or_else(ClientError::not_signed_in)?;
            body.set("AccessToken", Json::String(token));
        }
        Ok((["AWSCognitoIdentityProviderService.", request.operation].concat(), body.to_text()))
    }
}
