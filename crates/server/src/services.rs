//! What every operation and the domain below it use: the store, the sealer, the clock, the
//! settings the server was started with. A level of its own, so that nothing below the operations
//! (the domain, the sign-in engine, tokens, the messenger) has to import `api`.

use std::sync::Arc;

use cognate_proto::{CognitoError, Exception};

use crate::seal::Sealer;
use crate::store::{Store, StoreError};

/// What every operation may use.
#[derive(Clone)]
pub struct Services {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Seals secrets at rest.
    pub sealer: Sealer,
    /// The region for new pool ids when the request does not name one (unsigned calls).
    pub region: String,
    /// The URL clients reach this server at; token issuers are `{public_url}/{pool_id}`.
    pub public_url: String,
    /// Signing keys, opened once.
    pub keys: crate::tokens::cache::KeyCache,
    /// How long a new signing key is published before it signs (milliseconds).
    pub key_overlap_ms: i64,
    /// A secret derived from the master key, for values that must be stable but unguessable (the
    /// salts of the challenges answered for unknown users).
    pub derived_secret: [u8; 32],
    /// The host under which prefix domains are served as `{prefix}.{host}`; `None`: the path form
    /// `{public_url}/domains/{prefix}` (see `domain::domains`).
    pub domain_base_host: Option<String>,
    /// How long a managed login session (the `cognito` cookie) lasts, in seconds.
    pub hosted_session_seconds: i64,
    /// How triggers are called.
    pub triggers: crate::triggers::Settings,
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Maps a storage failure: conflicts and misses are the caller's to name; the rest is an internal
/// error whose details go to the log, never to the client.
pub fn internal(err: StoreError) -> CognitoError {
    tracing::error!(error = %err, "storage failure");
    CognitoError::new(Exception::InternalError, "An internal error occurred.")
}

/// Services over a fresh SQLite file, for the crate's tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use super::Services;
    use crate::seal::Sealer;
    use crate::store::SqlStore;
    use crate::tokens::cache::KeyCache;

    /// A store of its own (a new SQLite file under the temporary directory) and fixed secrets.
    pub(crate) async fn services() -> Services {
        let path = std::env::temp_dir().join(format!("cognate-test-{}.db", uuid::Uuid::new_v4()));
        let store = SqlStore::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
        Services {
            store: Arc::new(store),
            sealer: Sealer::new(&[3; 32]),
            region: "us-east-1".into(),
            public_url: "http://cognate.test".into(),
            keys: KeyCache::default(),
            key_overlap_ms: 0,
            derived_secret: [5; 32],
            domain_base_host: None,
            hosted_session_seconds: 3600,
            triggers: crate::triggers::Settings::new(
                b"test trigger secret".to_vec(),
                std::collections::BTreeMap::new(),
                std::time::Duration::from_secs(5),
                false,
                false,
            ),
        }
    }
}
