//! Resource servers: the APIs a pool issues custom scopes for (`<identifier>/<scope name>`), and
//! the scopes a client may be given.

use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};

use crate::domain::validate::{check_len, invalid};
use crate::services::{Services, internal};

/// The store's kind for resource servers.
pub const KIND: &str = "resource-server";

/// The scopes every pool has.
pub const STANDARD_SCOPES: [&str; 5] =
    ["phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"];

/// A resource server, as `ResourceServerType` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServer {
    /// The pool.
    pub user_pool_id: String,
    /// Its identifier (often a URL); the prefix of its scopes.
    pub identifier: String,
    /// Its name.
    pub name: String,
    /// Its scopes.
    #[serde(default)]
    pub scopes: Vec<Scope>,
}

/// `ResourceServerScopeType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Scope {
    /// The name after `<identifier>/`.
    pub scope_name: String,
    /// What it allows.
    pub scope_description: String,
}

fn printable_except(value: &str, except: &[char]) -> bool {
    !value.is_empty() && value.chars().all(|c| ('\x21'..='\x7e').contains(&c) && !except.contains(&c))
}

impl ResourceServer {
    /// Checks the server as CreateResourceServer does.
    ///
    /// # Errors
    /// `InvalidParameterException` naming the member.
    pub fn check(&self) -> Result<(), CognitoError> {
        check_len("Identifier", &self.identifier, 1, 256)?;
        if !printable_except(&self.identifier, &['"', '\\']) {
            return Err(invalid(
                "Identifier",
                &self.identifier,
                "Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+",
            ));
        }
        check_len("Name", &self.name, 1, 256)?;
        if !self.name.chars().all(|c| c.is_alphanumeric() || c.is_whitespace() || "_+=,.@-".contains(c)) {
            return Err(invalid(
                "Name",
                &self.name,
                "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
            ));
        }
        if self.scopes.len() > 100 {
            return Err(invalid("Scopes", "[...]", "Member must have length less than or equal to 100"));
        }
        for (i, scope) in self.scopes.iter().enumerate() {
            check_len("ScopeName", &scope.scope_name, 1, 256)?;
            if !printable_except(&scope.scope_name, &['"', '\\', '/']) {
                return Err(invalid(
                    &format!("Scopes.{}.member.ScopeName", i + 1),
                    &scope.scope_name,
                    "Member must satisfy regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+",
                ));
            }
            check_len("ScopeDescription", &scope.scope_description, 1, 256)?;
            if self.scopes[..i].iter().any(|s| s.scope_name == scope.scope_name) {
                return Err(CognitoError::new(
                    Exception::InvalidParameter,
                    format!(
                        "Duplicate scope name {} in resource server {}.",
                        scope.scope_name, self.identifier
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Its scopes as tokens carry them: `<identifier>/<name>`.
    pub fn full_scopes(&self) -> impl Iterator<Item = String> + '_ {
        self.scopes.iter().map(|s| format!("{}/{}", self.identifier, s.scope_name))
    }
}

/// Every custom scope of a pool (`<identifier>/<name>`).
///
/// # Errors
/// `InternalErrorException` when the store fails.
pub async fn custom_scopes(svc: &Services, pool_id: &str) -> Result<Vec<String>, CognitoError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = svc.store.list_documents(pool_id, KIND, after.as_deref(), 100).await.map_err(internal)?;
        for record in &page.items {
            if let Ok(server) = serde_json::from_value::<ResourceServer>(record.doc.clone()) {
                out.extend(server.full_scopes());
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}
