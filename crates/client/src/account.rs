//! Self-service: sign-up and its confirmation, passwords, attributes, deleting the account.

use serde_json::{Map, Value, json};

use crate::{Client, ClientError, Clock, TokenStore, Transport};

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
    fn from(v: Option<&Value>) -> Option<Self> {
        let v = v?;
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
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

fn attribute_list(attributes: &[(String, String)]) -> Value {
    Value::Array(attributes.iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect())
}

impl<T: Transport, S: TokenStore, C: Clock> Client<T, S, C> {
    fn with_secret(&self, mut body: Value, username: &str) -> Value {
        if let Some(hash) = self.secret_hash(username) {
            body["SecretHash"] = json!(hash);
        }
        body
    }

    /// SignUp.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[(String, String)],
    ) -> Result<SignUpResult, ClientError> {
        let body = json!({ "ClientId": self.config.client_id, "Username": username, "Password": password, "UserAttributes": attribute_list(attributes) });
        let answer = self.call("SignUp", self.with_secret(body, username)).await?;
        Ok(SignUpResult {
            user_sub: answer.get("UserSub").and_then(Value::as_str).unwrap_or_default().to_owned(),
            confirmed: answer.get("UserConfirmed").and_then(Value::as_bool).unwrap_or(false),
            delivery: CodeDelivery::from(answer.get("CodeDeliveryDetails")),
        })
    }

    /// ConfirmSignUp with the code the user received.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), ClientError> {
        let body =
            json!({ "ClientId": self.config.client_id, "Username": username, "ConfirmationCode": code });
        self.call("ConfirmSignUp", self.with_secret(body, username)).await.map(drop)
    }

    /// ResendConfirmationCode.
    pub async fn resend_sign_up_code(&self, username: &str) -> Result<Option<CodeDelivery>, ClientError> {
        let body = json!({ "ClientId": self.config.client_id, "Username": username });
        let answer = self.call("ResendConfirmationCode", self.with_secret(body, username)).await?;
        Ok(CodeDelivery::from(answer.get("CodeDeliveryDetails")))
    }

    /// ForgotPassword: a code to reset the password is sent.
    pub async fn forgot_password(&self, username: &str) -> Result<Option<CodeDelivery>, ClientError> {
        let body = json!({ "ClientId": self.config.client_id, "Username": username });
        let answer = self.call("ForgotPassword", self.with_secret(body, username)).await?;
        Ok(CodeDelivery::from(answer.get("CodeDeliveryDetails")))
    }

    /// ConfirmForgotPassword: the code and the new password.
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), ClientError> {
        let body = json!({ "ClientId": self.config.client_id, "Username": username, "ConfirmationCode": code, "Password": new_password });
        self.call("ConfirmForgotPassword", self.with_secret(body, username)).await.map(drop)
    }

    /// ChangePassword for the signed-in user.
    pub async fn change_password(&self, old: &str, new: &str) -> Result<(), ClientError> {
        let token = self.access_token().await?;
        let body = json!({ "AccessToken": token, "PreviousPassword": old, "ProposedPassword": new });
        self.call("ChangePassword", body).await.map(drop)
    }

    /// The signed-in user's attributes (GetUser), name → value.
    pub async fn fetch_user_attributes(&self) -> Result<Map<String, Value>, ClientError> {
        let token = self.access_token().await?;
        let answer = self.call("GetUser", json!({ "AccessToken": token })).await?;
        let mut out = Map::new();
        for attr in answer.get("UserAttributes").and_then(Value::as_array).into_iter().flatten() {
            if let (Some(n), Some(v)) = (attr.get("Name").and_then(Value::as_str), attr.get("Value")) {
                out.insert(n.to_owned(), v.clone());
            }
        }
        Ok(out)
    }

    /// UpdateUserAttributes; a changed email or phone gets a code (the deliveries are returned).
    pub async fn update_user_attributes(
        &self,
        attributes: &[(String, String)],
    ) -> Result<Vec<CodeDelivery>, ClientError> {
        let token = self.access_token().await?;
        let answer = self
            .call(
                "UpdateUserAttributes",
                json!({ "AccessToken": token, "UserAttributes": attribute_list(attributes) }),
            )
            .await?;
        let list = answer.get("CodeDeliveryDetailsList").and_then(Value::as_array);
        Ok(list.into_iter().flatten().filter_map(|d| CodeDelivery::from(Some(d))).collect())
    }

    /// VerifyUserAttribute with the code sent for it.
    pub async fn confirm_user_attribute(&self, attribute: &str, code: &str) -> Result<(), ClientError> {
        let token = self.access_token().await?;
        self.call(
            "VerifyUserAttribute",
            json!({ "AccessToken": token, "AttributeName": attribute, "Code": code }),
        )
        .await
        .map(drop)
    }

    /// GetUserAttributeVerificationCode: sends a new code for an attribute.
    pub async fn send_user_attribute_code(
        &self,
        attribute: &str,
    ) -> Result<Option<CodeDelivery>, ClientError> {
        let token = self.access_token().await?;
        let answer = self
            .call(
                "GetUserAttributeVerificationCode",
                json!({ "AccessToken": token, "AttributeName": attribute }),
            )
            .await?;
        Ok(CodeDelivery::from(answer.get("CodeDeliveryDetails")))
    }

    /// DeleteUser, then the stored session is cleared.
    pub async fn delete_user(&self) -> Result<(), ClientError> {
        let (session, _) = self.session().await?;
        self.call("DeleteUser", json!({ "AccessToken": session.tokens.access_token })).await?;
        self.clear(&session.username);
        Ok(())
    }
}
