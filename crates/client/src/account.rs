//! Self-service: sign-up and its confirmation, passwords, attributes, deleting the account.

use crate::{Client, ClientError, Clock, Json, TokenStore, Transport};

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

fn attribute_list(attributes: &[(String, String)]) -> Json {
    Json::Array(attributes.iter().map(|(n, v)| Json::object().with("Name", n).with("Value", v)).collect())
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    /// A body for an operation on `username` by this client: `ClientId`, `Username` and, for a
    /// client with a secret, `SecretHash`.
    fn for_user(&self, username: &str) -> Json {
        Json::object()
            .with("ClientId", &self.config.client_id)
            .with("Username", username)
            .with_opt("SecretHash", self.secret_hash(username))
    }

    /// SignUp.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[(String, String)],
    ) -> Result<SignUpResult, ClientError> {
        let body = self
            .for_user(username)
            .with("Password", password)
            .with("UserAttributes", attribute_list(attributes));
        let answer = self.call("SignUp", body).await?;
        Ok(SignUpResult {
            user_sub: answer.get_str("UserSub").unwrap_or_default().to_owned(),
            confirmed: answer.get("UserConfirmed").and_then(Json::as_bool).unwrap_or(false),
            delivery: CodeDelivery::from(answer.get("CodeDeliveryDetails")),
        })
    }

    /// ConfirmSignUp with the code the user received.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), ClientError> {
        let body = self.for_user(username).with("ConfirmationCode", code);
        self.call("ConfirmSignUp", body).await.map(drop)
    }

    /// ResendConfirmationCode.
    pub async fn resend_sign_up_code(&self, username: &str) -> Result<Option<CodeDelivery>, ClientError> {
        let answer = self.call("ResendConfirmationCode", self.for_user(username)).await?;
        Ok(CodeDelivery::from(answer.get("CodeDeliveryDetails")))
    }

    /// ForgotPassword: a code to reset the password is sent.
    pub async fn forgot_password(&self, username: &str) -> Result<Option<CodeDelivery>, ClientError> {
        let answer = self.call("ForgotPassword", self.for_user(username)).await?;
        Ok(CodeDelivery::from(answer.get("CodeDeliveryDetails")))
    }

    /// ConfirmForgotPassword: the code and the new password.
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), ClientError> {
        let body = self.for_user(username).with("ConfirmationCode", code).with("Password", new_password);
        self.call("ConfirmForgotPassword", body).await.map(drop)
    }

    /// ChangePassword for the signed-in user.
    pub async fn change_password(&self, old: &str, new: &str) -> Result<(), ClientError> {
        let body =
            self.with_access_token().await?.with("PreviousPassword", old).with("ProposedPassword", new);
        self.call("ChangePassword", body).await.map(drop)
    }

    /// The signed-in user's attributes (GetUser): name and value, in the server's order.
    pub async fn fetch_user_attributes(&self) -> Result<Vec<(String, String)>, ClientError> {
        let answer = self.call("GetUser", self.with_access_token().await?).await?;
        let list = answer.get("UserAttributes").and_then(Json::as_array).unwrap_or_default();
        Ok(list
            .iter()
            .filter_map(|a| Some((a.get_str("Name")?.to_owned(), a.get_str("Value")?.to_owned())))
            .collect())
    }

    /// UpdateUserAttributes; a changed email or phone gets a code (the deliveries are returned).
    pub async fn update_user_attributes(
        &self,
        attributes: &[(String, String)],
    ) -> Result<Vec<CodeDelivery>, ClientError> {
        let body = self.with_access_token().await?.with("UserAttributes", attribute_list(attributes));
        let answer = self.call("UpdateUserAttributes", body).await?;
        let list = answer.get("CodeDeliveryDetailsList").and_then(Json::as_array).unwrap_or_default();
        Ok(list.iter().filter_map(|d| CodeDelivery::from(Some(d))).collect())
    }

    /// VerifyUserAttribute with the code sent for it.
    pub async fn confirm_user_attribute(&self, attribute: &str, code: &str) -> Result<(), ClientError> {
        let body = self.with_access_token().await?.with("AttributeName", attribute).with("Code", code);
        self.call("VerifyUserAttribute", body).await.map(drop)
    }

    /// GetUserAttributeVerificationCode: sends a new code for an attribute.
    pub async fn send_user_attribute_code(
        &self,
        attribute: &str,
    ) -> Result<Option<CodeDelivery>, ClientError> {
        let body = self.with_access_token().await?.with("AttributeName", attribute);
        let answer = self.call("GetUserAttributeVerificationCode", body).await?;
        Ok(CodeDelivery::from(answer.get("CodeDeliveryDetails")))
    }

    /// DeleteUser, then the stored session is cleared.
    pub async fn delete_user(&self) -> Result<(), ClientError> {
        let (session, _) = self.session().await?;
        self.call("DeleteUser", Json::object().with("AccessToken", &session.tokens.access_token)).await?;
        self.clear(&session.username);
        Ok(())
    }
}
