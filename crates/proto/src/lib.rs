//! Amazon Cognito's wire vocabulary, shared by every Cognate crate: the exception names errors travel
//! under, the auth flows and challenge names of `InitiateAuth` / `RespondToAuthChallenge`, and the keys
//! of their parameter maps. Pure data and serde; it builds natively and for wasm32.
//!
//! Names and shapes follow the Cognito API model (`cognito-idp` 2016-04-18).

pub mod auth;
pub mod error;

pub use auth::{AuthFlow, ChallengeName};
pub use error::{CognitoError, ErrorBody, Exception};
