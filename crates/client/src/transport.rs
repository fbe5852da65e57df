//! The three things the core needs from its host.

use std::future::Future;

use crate::ClientError;

/// One HTTP call: `POST endpoint` with `Content-Type: application/x-amz-json-1.1` and
/// `X-Amz-Target: target`. Returns the status and body of any HTTP answer; `Err` only when there
/// was none (network failure).
pub trait Transport {
    /// Sends `body`.
    fn post(
        &self,
        endpoint: &str,
        target: &str,
        body: &str,
    ) -> impl Future<Output = Result<(u16, String), ClientError>>;
}

/// String key/value storage, as `localStorage` offers it.
pub trait TokenStore {
    /// The value under `key`.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &str);
    /// Removes `key`.
    fn remove(&self, key: &str);
}

/// The host's clock.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
}
