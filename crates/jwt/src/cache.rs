//! The JWKS of each trusted issuer, fetched when first needed and kept: refreshed after a TTL,
//! refetched when a token names an unknown `kid` (at most once per penalty window, so a stream of
//! made-up kids cannot hammer the issuer), concurrent misses merged into one fetch, every fetch
//! bounded by a timeout. If a refresh fails, the keys already held keep working.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::lock::Mutex as AsyncMutex;

use crate::backend::Backend;
use crate::{Algorithm, Error, Jwks};

/// Gets a JWKS document. Implementations must give up after `timeout`.
pub trait Fetcher {
    /// The body of a successful (2xx) GET of `url`, or why there is none.
    fn fetch(&self, url: &str, timeout: Duration) -> impl Future<Output = Result<Vec<u8>, String>>;
}

/// How long keys are trusted and how often the issuer may be asked again.
#[derive(Debug, Clone, Copy)]
pub struct CacheSettings {
    /// A JWKS older than this is refetched before use (default one hour).
    pub ttl: Duration,
    /// After a fetch, an unknown `kid` waits this long before it may cause another (default 10 s).
    pub penalty: Duration,
    /// Each fetch is abandoned after this (default 5 s).
    pub timeout: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(3600),
            penalty: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
        }
    }
}

/// A `kid` and its imported key, or why the JWK is unusable.
type Held<K> = (Option<String>, Result<(Algorithm, K), Error>);

/// One issuer's keys, as last fetched.
struct Keys<K> {
    by_kid: Vec<Held<K>>,
    /// When the keys now held were fetched (seconds); None before the first success.
    fetched_at: Option<f64>,
    /// When a fetch was last started, successful or not.
    attempted_at: Option<f64>,
    /// Bumped by every fetch attempt, so a waiter can tell that one ran while it waited.
    generation: u64,
    /// Why the last attempt failed, while it is the latest word on this issuer.
    failure: Option<Error>,
}

struct Issuer<K> {
    jwks_url: String,
    keys: Mutex<Keys<K>>,
    fetching: AsyncMutex<()>,
}

/// The JWKS cache: one entry per trusted issuer, fixed at construction, so a token's `iss` can
/// never make the cache fetch a URL nobody configured.
pub struct JwksCache<B: Backend, F> {
    backend: B,
    fetcher: F,
    settings: CacheSettings,
    issuers: HashMap<String, Issuer<B::Key>>,
}

enum Lookup<K> {
    Found(Result<(Algorithm, K), Error>),
    Missing { generation: u64, may_fetch: bool },
}

impl<B: Backend, F: Fetcher> JwksCache<B, F> {
    /// A cache for these `(issuer, jwks_url)` pairs.
    pub fn new(
        backend: B,
        fetcher: F,
        settings: CacheSettings,
        issuers: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let issuers = issuers
            .into_iter()
            .map(|(iss, jwks_url)| {
                let keys = Keys {
                    by_kid: Vec::new(),
                    fetched_at: None,
                    attempted_at: None,
                    generation: 0,
                    failure: None,
                };
                (iss, Issuer { jwks_url, keys: Mutex::new(keys), fetching: AsyncMutex::new(()) })
            })
            .collect();
        Self { backend, fetcher, settings, issuers }
    }

    /// The signature backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// True when `iss` is one of the configured issuers.
    pub fn trusts(&self, iss: &str) -> bool {
        self.issuers.contains_key(iss)
    }

    /// Installs a JWKS document for an issuer as if just fetched (embedded or preloaded keys).
    pub async fn preload(&self, iss: &str, jwks: &[u8], now: f64) -> Result<(), Error> {
        let issuer = self.issuers.get(iss).ok_or_else(|| Error::WrongIssuer(Some(iss.to_owned())))?;
        let imported = self.import(&Jwks::parse(jwks)?).await;
        let mut keys = lock(&issuer.keys);
        keys.by_kid = imported;
        keys.fetched_at = Some(now);
        keys.attempted_at = Some(now);
        keys.generation += 1;
        keys.failure = None;
        Ok(())
    }

    /// The key an issuer's JWKS has for `kid`, fetching as the rules above allow.
    pub async fn key(&self, iss: &str, kid: Option<&str>, now: f64) -> Result<(Algorithm, B::Key), Error> {
        let issuer = self.issuers.get(iss).ok_or_else(|| Error::WrongIssuer(Some(iss.to_owned())))?;
        let (generation, may_fetch) = match self.lookup(issuer, kid, now) {
            Lookup::Found(key) => return key,
            Lookup::Missing { generation, may_fetch } => (generation, may_fetch),
        };
        if !may_fetch {
            return self.held(issuer, kid);
        }
        // One fetch at a time per issuer: whoever waited behind it reads what it brought.
        let _turn = issuer.fetching.lock().await;
        if lock(&issuer.keys).generation != generation {
            return self.held(issuer, kid);
        }
        // The attempt is stamped when it ends, so callers arriving during it wait for it above
        // instead of finding the issuer "recently tried" and giving up.
        let fetched = self.fetcher.fetch(&issuer.jwks_url, self.settings.timeout).await;
        lock(&issuer.keys).attempted_at = Some(now);
        let parsed = fetched.map_err(Error::JwksUnavailable).and_then(|body| Jwks::parse(&body));
        let imported = match parsed {
            Ok(jwks) => Some(self.import(&jwks).await),
            Err(e) => {
                let mut keys = lock(&issuer.keys);
                keys.generation += 1;
                keys.failure = Some(e);
                drop(keys);
                return self.held(issuer, kid);
            }
        };
        let mut keys = lock(&issuer.keys);
        if let Some(imported) = imported {
            keys.by_kid = imported;
            keys.fetched_at = Some(now);
            keys.failure = None;
        }
        keys.generation += 1;
        drop(keys);
        self.held(issuer, kid)
    }

    fn lookup(&self, issuer: &Issuer<B::Key>, kid: Option<&str>, now: f64) -> Lookup<B::Key> {
        let keys = lock(&issuer.keys);
        let fresh = keys.fetched_at.is_some_and(|t| now - t < self.settings.ttl.as_secs_f64());
        let found = find(&keys.by_kid, kid);
        if fresh && let Some(found) = found {
            return Lookup::Found(found);
        }
        // A set past its TTL, or without the kid, may be fetched again, but not within the penalty
        // window of the last attempt: until then the keys held answer, however old.
        let rested = keys.attempted_at.is_none_or(|t| now - t >= self.settings.penalty.as_secs_f64());
        Lookup::Missing { generation: keys.generation, may_fetch: rested }
    }

    /// The key if the set now held has it (however old); otherwise why not: the last fetch's
    /// failure, or an unknown kid.
    fn held(&self, issuer: &Issuer<B::Key>, kid: Option<&str>) -> Result<(Algorithm, B::Key), Error> {
        let keys = lock(&issuer.keys);
        find(&keys.by_kid, kid).unwrap_or_else(|| {
            Err(keys.failure.clone().unwrap_or_else(|| Error::UnknownKey(kid.map(str::to_owned))))
        })
    }

    async fn import(&self, jwks: &Jwks) -> Vec<Held<B::Key>> {
        let mut out = Vec::with_capacity(jwks.keys.len());
        for (kid, jwk) in &jwks.keys {
            let key = match jwk {
                Ok(jwk) => self.backend.import(jwk).await.map(|k| (jwk.algorithm, k)),
                Err(e) => Err(e.clone()),
            };
            out.push((kid.clone(), key));
        }
        out
    }
}

fn find<K: Clone>(by_kid: &[Held<K>], kid: Option<&str>) -> Option<Result<(Algorithm, K), Error>> {
    match kid {
        Some(kid) => by_kid.iter().find(|(k, _)| k.as_deref() == Some(kid)).map(|(_, key)| key.clone()),
        None if by_kid.len() == 1 => by_kid.first().map(|(_, key)| key.clone()),
        None => None,
    }
}

/// The lock is never held across an await, and nothing in it panics; a poisoned lock still holds
/// consistent data.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
