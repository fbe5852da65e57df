//! Self-service: sign-up and its confirmation, passwords, attributes, deleting the account.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::flow::{Flow, Input, NoAuthenticator, Step};
use crate::{Client, ClientError, Clock, Json, Request, TokenStore, Transport};

/// Where a code was sent, as Cognito reports it (`CodeDeliveryDetails`), masked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeDelivery {
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// The masked destination, like `a***@e***`.
    pub destination: String,
    /// The attribute the code verifies.
    pub attribute: String,
}

impl CodeDelivery {
    /// The `CodeDeliveryDetails` of an answer, when it has them.
    #[must_use]
    pub fn read(answer: &Json) -> Option<Self> {
        Self::from(answer.get("CodeDeliveryDetails"))
    }

    fn from(v: Option<&Json>) -> Option<Self> {
        let v = v?;
        let text = |k: &str| v.get_str(k).unwrap_or_default().to_owned();
        Some(Self {
            medium: text("DeliveryMedium"),
            destination: text("Destination"),
            attribute: text("AttributeName"),
        })
    }
}

/// What SignUp answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpResult {
    /// The new user's `sub`.
    pub user_sub: String,
    /// True when no confirmation is needed.
    pub confirmed: bool,
    /// Where the confirmation code went.
    pub delivery: Option<CodeDelivery>,
}

impl SignUpResult {
    /// SignUp's answer.
    #[must_use]
    pub fn read(answer: &Json) -> Self {
        Self {
            user_sub: answer.get_str("UserSub").unwrap_or_default().to_owned(),
            confirmed: answer.get("UserConfirmed").and_then(Json::as_bool).unwrap_or(false),
            delivery: CodeDelivery::read(answer),
        }
    }
}

/// GetUser's attributes: name and value, in the server's order.
#[must_use]
pub fn read_attributes(answer: &Json) -> Vec<(String, String)> {
    let list = answer.get("UserAttributes").and_then(Json::as_array).unwrap_or_default();
    list.iter()
        .filter_map(|a| Some((a.get_str("Name")?.to_owned(), a.get_str("Value")?.to_owned())))
        .collect()
}

/// UpdateUserAttributes' answer: where the codes for changed email or phone went.
#[must_use]
pub fn read_deliveries(answer: &Json) -> Vec<CodeDelivery> {
    let list = answer.get("CodeDeliveryDetailsList").and_then(Json::as_array).unwrap_or_default();
    list.iter().filter_map(|d| CodeDelivery::from(Some(d))).collect()
}

fn attribute_list(attributes: &[(String, String)]) -> Json {
    Json::Array(attributes.iter().map(|(n, v)| Json::object().with("Name", n).with("Value", v)).collect())
}

/// The requests (see [`Request`]); each operation below is its request, sent and read.
impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// A body for an operation on `username` by this client: `ClientId`, `Username` and, for a
    /// client with a secret, `SecretHash`.
    fn for_user(&self, username: &str) -> Json {
        Json::object()
            .with("ClientId", &self.config.client_id)
            .with("Username", username)
            .with_opt("SecretHash", self.secret_hash(username))
    }

    /// SignUp (read with [`SignUpResult::read`]).
    pub fn sign_up_request(
        &self,
        username: &str,
        password: &str,
        attributes: &[(String, String)],
    ) -> Request {
        let body = self
            .for_user(username)
            .with("Password", password)
            .with("UserAttributes", attribute_list(attributes));
        Request::new("SignUp", body)
    }

    /// ConfirmSignUp with the code the user received.
    pub fn confirm_sign_up_request(&self, username: &str, code: &str) -> Request {
        Request::new("ConfirmSignUp", self.for_user(username).with("ConfirmationCode", code))
    }

    /// ResendConfirmationCode (read with [`CodeDelivery::read`]).
    pub fn resend_sign_up_code_request(&self, username: &str) -> Request {
        Request::new("ResendConfirmationCode", self.for_user(username))
    }

    /// ForgotPassword (read with [`CodeDelivery::read`]).
    pub fn forgot_password_request(&self, username: &str) -> Request {
        Request::new("ForgotPassword", self.for_user(username))
    }

    /// ConfirmForgotPassword: the code and the new password.
    pub fn confirm_forgot_password_request(&self, username: &str, code: &str, new_password: &str) -> Request {
        let body = self.for_user(username).with("ConfirmationCode", code).with("Password", new_password);
        Request::new("ConfirmForgotPassword", body)
    }

    /// ChangePassword for the signed-in user.
    pub fn change_password_request(&self, old: &str, new: &str) -> Request {
        let body = Json::object().with("PreviousPassword", old).with("ProposedPassword", new);
        Request::authorized("ChangePassword", body)
    }

    /// GetUser (read with [`read_attributes`]).
    pub fn fetch_user_attributes_request(&self) -> Request {
        Request::authorized("GetUser", Json::object())
    }

    /// UpdateUserAttributes (read with [`read_deliveries`]).
    pub fn update_user_attributes_request(&self, attributes: &[(String, String)]) -> Request {
        Request::authorized(
            "UpdateUserAttributes",
            Json::object().with("UserAttributes", attribute_list(attributes)),
        )
    }

    /// VerifyUserAttribute with the code sent for it.
    pub fn confirm_user_attribute_request(&self, attribute: &str, code: &str) -> Request {
        Request::authorized(
            "VerifyUserAttribute",
            Json::object().with("AttributeName", attribute).with("Code", code),
        )
    }

    /// GetUserAttributeVerificationCode (read with [`CodeDelivery::read`]).
    pub fn send_user_attribute_code_request(&self, attribute: &str) -> Request {
        Request::authorized(
            "GetUserAttributeVerificationCode",
            Json::object().with("AttributeName", attribute),
        )
    }
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// SignUp.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[(String, String)],
    ) -> Result<SignUpResult, ClientError> {
        let answer = self.send(self.sign_up_request(username, password, attributes)).await?;
        Ok(SignUpResult::read(&answer))
    }

    /// ConfirmSignUp with the code the user received.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), ClientError> {
        self.send(self.confirm_sign_up_request(username, code)).await.map(drop)
    }

    /// ResendConfirmationCode.
    pub async fn resend_sign_up_code(&self, username: &str) -> Result<Option<CodeDelivery>, ClientError> {
        Ok(CodeDelivery::read(&self.send(self.resend_sign_up_code_request(username)).await?))
    }

    /// ForgotPassword: a code to reset the password is sent.
    pub async fn forgot_password(&self, username: &str) -> Result<Option<CodeDelivery>, ClientError> {
        Ok(CodeDelivery::read(&self.send(self.forgot_password_request(username)).await?))
    }

    /// ConfirmForgotPassword: the code and the new password.
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), ClientError> {
        self.send(self.confirm_forgot_password_request(username, code, new_password)).await.map(drop)
    }

    /// ChangePassword for the signed-in user.
    pub async fn change_password(&self, old: &str, new: &str) -> Result<(), ClientError> {
        self.send(self.change_password_request(old, new)).await.map(drop)
    }

    /// The signed-in user's attributes (GetUser): name and value, in the server's order.
    pub async fn fetch_user_attributes(&self) -> Result<Vec<(String, String)>, ClientError> {
        Ok(read_attributes(&self.send(self.fetch_user_attributes_request()).await?))
    }

    /// UpdateUserAttributes; a changed email or phone gets a code (the deliveries are returned).
    pub async fn update_user_attributes(
        &self,
        attributes: &[(String, String)],
    ) -> Result<Vec<CodeDelivery>, ClientError> {
        Ok(read_deliveries(&self.send(self.update_user_attributes_request(attributes)).await?))
    }

    /// VerifyUserAttribute with the code sent for it.
    pub async fn confirm_user_attribute(&self, attribute: &str, code: &str) -> Result<(), ClientError> {
        self.send(self.confirm_user_attribute_request(attribute, code)).await.map(drop)
    }

    /// GetUserAttributeVerificationCode: sends a new code for an attribute.
    pub async fn send_user_attribute_code(
        &self,
        attribute: &str,
    ) -> Result<Option<CodeDelivery>, ClientError> {
        Ok(CodeDelivery::read(&self.send(self.send_user_attribute_code_request(attribute)).await?))
    }

    /// DeleteUser, then the stored session is cleared (see [`DeleteUser`]).
    pub async fn delete_user(&self) -> Result<(), ClientError> {
        self.drive(DeleteUser::default(), &NoAuthenticator).await
    }
}

/// Deleting the signed-in user as a [`Flow`]: DeleteUser, then the stored session is cleared.
#[derive(Debug, Default)]
pub struct DeleteUser {
    username: Option<String>,
}

impl Flow for DeleteUser {
    type Output = ();

    fn resume<T: Transport, S: TokenStore, C: Clock>(
        &mut self,
        c: &Client<T, S, C>,
        input: Input,
    ) -> Result<Step<()>, ClientError> {
        if let Some(username) = self.username.take() {
            input.answer()?;
            c.clear(&username);
            return Ok(Step::Done(()));
        }
        self.username = Some(c.stored_user().ok_or_else(ClientError::not_signed_in)?);
        Ok(Step::Call(Request::authorized("DeleteUser", Json::object())))
    }
}
