//! Storage: one [`Store`] trait, one SQL implementation ([`SqlStore`]) that runs on SQLite (the
//! embedded default) and PostgreSQL from the same migrations.
//!
//! Records carry what the operations need; every change that touches several rows happens in one
//! transaction inside one method, so a crash never leaves half a user behind.

mod auth;
mod errors;
mod mfa;
mod oauth;
mod passkey;
mod rows;
mod sql;

use std::collections::BTreeMap;

use serde_json::Value;

pub use auth::{AuthStore, KeyRecord, RefreshRecord};
pub use mfa::{MfaRecord, MfaStore};
pub use oauth::{DocumentRecord, DomainRecord, OAuthStore};
pub use passkey::{CredentialRecord, PasskeyStore, RegistrationRecord};
pub use sql::SqlStore;

/// A user pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolRecord {
    /// `<region>_<id>`.
    pub id: String,
    /// The pool's name.
    pub name: String,
    /// Its settings, as [`crate::domain::pools::PoolSettings`] serialize them.
    pub doc: Value,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last change, epoch milliseconds.
    pub modified_ms: i64,
}

/// An app client.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRecord {
    /// The client id.
    pub id: String,
    /// The pool it belongs to.
    pub pool_id: String,
    /// The client's name.
    pub name: String,
    /// The client secret, sealed; `None` for public clients.
    pub secret: Option<Vec<u8>>,
    /// Its settings.
    pub doc: Value,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last change, epoch milliseconds.
    pub modified_ms: i64,
}

/// A user's `UserStatus`, as Cognito names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// Signed up, not yet confirmed.
    Unconfirmed,
    /// Confirmed; signs in with a password.
    Confirmed,
    /// Created by an admin with a temporary password, to be changed at the first sign-in.
    ForceChangePassword,
    /// An admin reset the password; the user must set a new one with a code.
    ResetRequired,
}

impl UserStatus {
    const ALL: [Self; 4] =
        [Self::Unconfirmed, Self::Confirmed, Self::ForceChangePassword, Self::ResetRequired];

    /// The name on the wire and in the store.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }

    /// The status named `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for UserStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for UserStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// The pool.
    pub pool_id: String,
    /// The lookup key: the username, lowercased in case-insensitive pools.
    pub key: String,
    /// The username as created.
    pub username: String,
    /// The user's `sub`.
    pub sub: String,
    /// Where the user stands.
    pub status: UserStatus,
    /// False once an admin disables the user.
    pub enabled: bool,
    /// Attributes by name (`sub` included).
    pub attributes: BTreeMap<String, String>,
    /// The sealed SRP verifier (salt and v); `None` until a password is set.
    pub verifier: Option<Vec<u8>>,
    /// Sign-in aliases that must stay unique in the pool: (kind, normalized value).
    pub aliases: Vec<(String, String)>,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last change, epoch milliseconds.
    pub modified_ms: i64,
}

impl UserRecord {
    /// Whether attribute `name` (`email`, `phone_number`) is verified (`<name>_verified` is `true`).
    #[must_use]
    pub fn is_verified(&self, name: &str) -> bool {
        self.attributes.get(&format!("{name}_verified")).is_some_and(|v| v == "true")
    }
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// The pool.
    pub pool_id: String,
    /// The group's name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its precedence (lower wins).
    pub precedence: Option<i64>,
    /// Its IAM role ARN.
    pub role_arn: Option<String>,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
    /// Last change, epoch milliseconds.
    pub modified_ms: i64,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    /// Its id.
    pub id: String,
    /// The pool it belongs to.
    pub pool_id: String,
    /// `EMAIL` or `SMS`.
    pub channel: String,
    /// The address or phone number.
    pub destination: String,
    /// The subject (email).
    pub subject: String,
    /// The text, with the code or temporary password.
    pub body: String,
    /// When it was queued, epoch milliseconds.
    #[serde(rename = "created")]
    pub created_ms: i64,
    /// When a sender delivered it (SMTP for email); `None` while it waits.
    #[serde(rename = "delivered", skip_serializing_if = "Option::is_none")]
    pub delivered_ms: Option<i64>,
}

/// A one-time code sent to a user, stored sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// What it is for: `reset`, `sign-up`, `verify:email`, ...
    pub purpose: String,
    /// The code, sealed.
    pub code: Vec<u8>,
    /// When it stops working, epoch milliseconds.
    pub expires_ms: i64,
    /// Wrong guesses so far.
    pub attempts: i64,
}

/// A ListUsers filter: `name = "value"` or `name ^= "prefix"` on an indexed attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFilter {
    /// The index name (`username`, `email`, `cognito:user_status`, ...).
    pub name: String,
    /// The value, or the prefix.
    pub value: String,
    /// True for `^=`.
    pub prefix: bool,
}

/// A page of results and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The last key of this page when more may follow.
    pub next: Option<String>,
}

/// Which unique key a write found taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// A pool id.
    Pool,
    /// An app client id.
    Client,
    /// A username (its lookup key) in the pool.
    Username,
    /// A sign-in alias of this kind (`email`, `phone_number`, `preferred_username`) in the pool.
    Alias(String),
    /// A group name in the pool.
    Group,
    /// A user's membership of a group.
    Member,
    /// A passkey's credential id in the pool.
    Credential,
    /// A user pool domain (the name, or the pool already has one).
    Domain,
    /// A named document of a pool (a resource server's identifier, a branding style).
    Document,
}

impl std::fmt::Display for Taken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Alias(kind) => write!(f, "alias {kind}"),
            other => write!(f, "{}", format!("{other:?}").to_lowercase()),
        }
    }
}

/// What went wrong in storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken: which one.
    #[error("{0} already exists")]
    Conflict(Taken),
    /// The record to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database failed; the message is for the log only.
    #[error("database error: {0}")]
    Backend(String),
}

/// Everything the operations need from storage.
#[async_trait::async_trait]
pub trait Store: AuthStore + MfaStore + OAuthStore + PasskeyStore + Send + Sync + 'static {
    /// Adds a pool.
    async fn insert_pool(&self, pool: &PoolRecord) -> Result<(), StoreError>;
    /// A pool by id.
    async fn pool(&self, id: &str) -> Result<Option<PoolRecord>, StoreError>;
    /// Replaces a pool's name, settings and modification time.
    async fn update_pool(&self, pool: &PoolRecord) -> Result<(), StoreError>;
    /// Deletes a pool and everything in it.
    async fn delete_pool(&self, id: &str) -> Result<(), StoreError>;
    /// Pools ordered by id, after `after`.
    async fn list_pools(&self, after: Option<&str>, limit: usize) -> Result<Page<PoolRecord>, StoreError>;

    /// Adds an app client.
    async fn insert_client(&self, client: &ClientRecord) -> Result<(), StoreError>;
    /// An app client by id.
    async fn client(&self, id: &str) -> Result<Option<ClientRecord>, StoreError>;
    /// Replaces a client's name, settings and modification time.
    async fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError>;
    /// Deletes a client.
    async fn delete_client(&self, id: &str) -> Result<(), StoreError>;
    /// A pool's clients ordered by id, after `after`.
    async fn list_clients(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ClientRecord>, StoreError>;

    /// Adds a user, its aliases and index rows, queues `messages` and stores `codes`, in one transaction.
    async fn insert_user(
        &self,
        user: &UserRecord,
        messages: &[Message],
        codes: &[CodeRecord],
    ) -> Result<(), StoreError>;
    /// A user by lookup key.
    async fn user(&self, pool_id: &str, key: &str) -> Result<Option<UserRecord>, StoreError>;
    /// The lookup key of the user holding an alias.
    async fn user_by_alias(
        &self,
        pool_id: &str,
        kind: &str,
        value: &str,
    ) -> Result<Option<String>, StoreError>;
    /// Rewrites a user (attributes, status, verifier, aliases, index), queues `messages` and replaces
    /// the codes of the same purposes as `codes`, in one transaction.
    async fn update_user(
        &self,
        user: &UserRecord,
        messages: &[Message],
        codes: &[CodeRecord],
    ) -> Result<(), StoreError>;
    /// A user's code for `purpose`.
    async fn code(
        &self,
        pool_id: &str,
        user_key: &str,
        purpose: &str,
    ) -> Result<Option<CodeRecord>, StoreError>;
    /// Deletes a user and its memberships.
    async fn delete_user(&self, pool_id: &str, key: &str) -> Result<(), StoreError>;
    /// How many users a pool has.
    async fn count_users(&self, pool_id: &str) -> Result<i64, StoreError>;
    /// Users ordered by key, optionally filtered, after `after`.
    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, StoreError>;

    /// Adds a group.
    async fn insert_group(&self, group: &GroupRecord) -> Result<(), StoreError>;
    /// A group by name.
    async fn group(&self, pool_id: &str, name: &str) -> Result<Option<GroupRecord>, StoreError>;
    /// Replaces a group's description, precedence, role and modification time.
    async fn update_group(&self, group: &GroupRecord) -> Result<(), StoreError>;
    /// Deletes a group and its memberships.
    async fn delete_group(&self, pool_id: &str, name: &str) -> Result<(), StoreError>;
    /// A pool's groups ordered by name, after `after`.
    async fn list_groups(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GroupRecord>, StoreError>;
    /// Puts a user in a group (no error if already there).
    async fn add_member(&self, pool_id: &str, group: &str, user_key: &str) -> Result<(), StoreError>;
    /// Takes a user out of a group (no error if not there).
    async fn remove_member(&self, pool_id: &str, group: &str, user_key: &str) -> Result<(), StoreError>;
    /// A user's groups ordered by name, after `after`.
    async fn groups_of(
        &self,
        pool_id: &str,
        user_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<GroupRecord>, StoreError>;
    /// A group's users ordered by key, after `after`.
    async fn members(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, StoreError>;

    /// Claims up to `limit` undelivered messages of `channel` for `lease_ms` (no other sender gets
    /// them meanwhile); messages that failed `max_attempts` times are left alone.
    async fn claim_undelivered(
        &self,
        channel: &str,
        now_ms: i64,
        lease_ms: i64,
        max_attempts: i64,
        limit: usize,
    ) -> Result<Vec<Message>, StoreError>;
    /// Records a delivery: `Ok` marks it delivered; `Err` counts a failure and retries after `retry_ms`.
    async fn finish_delivery(
        &self,
        id: &str,
        outcome: Result<(), String>,
        now_ms: i64,
        retry_ms: i64,
    ) -> Result<(), StoreError>;
    /// Outbox messages, oldest first, optionally for one pool or one destination.
    async fn messages(&self, pool_id: Option<&str>, to: Option<&str>) -> Result<Vec<Message>, StoreError>;
}
