//! From [`Unverified`] to [`Verified`]: issuer, key, algorithm, signature, time and client checks,
//! then per-use [`Rule`]s (token use, scopes, groups, custom checks) on verified claims.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::Backend;
use crate::cache::{Fetcher, JwksCache};
use crate::{Claims, Error, TokenUse, Unverified};

/// The largest clock skew a verifier allows, whatever it is configured with.
pub const MAX_SKEW: Duration = Duration::from_secs(300);

/// Claims whose signature, issuer, client and validity period have been checked. Only a
/// [`Verifier`] makes one.
#[derive(Debug, Clone)]
pub struct Verified<C>(C);

impl<C> Verified<C> {
    /// The verified claims.
    pub fn into_inner(self) -> C {
        self.0
    }
}

impl<C> Deref for Verified<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

/// Which app clients' tokens are accepted: `aud` of ID tokens, `client_id` of access tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientIds {
    /// Any client: the check is skipped, on purpose.
    Any,
    /// One of these.
    OneOf(Vec<String>),
}

/// Verifies tokens from the issuers its [`JwksCache`] trusts.
pub struct Verifier<B: Backend, F> {
    cache: JwksCache<B, F>,
    clients: ClientIds,
    skew: i64,
}

impl<B: Backend, F: Fetcher> Verifier<B, F> {
    /// A verifier. `skew` is the clock skew allowed on `exp`, `nbf` and `iat`, at most [`MAX_SKEW`].
    pub fn new(cache: JwksCache<B, F>, clients: ClientIds, skew: Duration) -> Self {
        let skew = i64::try_from(skew.min(MAX_SKEW).as_secs()).unwrap_or(0);
        Self { cache, clients, skew }
    }

    /// The JWKS cache.
    pub fn cache(&self) -> &JwksCache<B, F> {
        &self.cache
    }

    /// Verifies `token` at `now` (seconds since the epoch).
    pub async fn verify(&self, token: &str, now: f64) -> Result<Verified<Claims>, Error> {
        let unverified = Unverified::parse(token)?;
        let iss = unverified.claims().iss.as_deref();
        let Some(iss) = iss.filter(|iss| self.cache.trusts(iss)) else {
            return Err(Error::WrongIssuer(iss.map(str::to_owned)));
        };
        let (algorithm, key) = self.cache.key(iss, unverified.header().kid.as_deref(), now).await?;
        let claims = check_signed(unverified, self.cache.backend(), algorithm, &key).await?;
        self.check_time(&claims, now)?;
        if let ClientIds::OneOf(allowed) = &self.clients
            && !claims.client().is_some_and(|c| allowed.iter().any(|a| a == c))
        {
            return Err(Error::WrongClient(claims.client().map(str::to_owned)));
        }
        Ok(Verified(claims))
    }

    /// The validity-period check alone: `exp` required and not past, `nbf` and `iat` not in the
    /// future, each with the allowed skew. Run again on claims verified earlier and kept.
    pub fn check_time(&self, claims: &Claims, now: f64) -> Result<(), Error> {
        time_window(claims, now, self.skew)
    }
}

/// Verifies `unverified` with a key its caller holds itself rather than in a [`JwksCache`] (a
/// server checking tokens it issued, with its keys in its own store): the algorithm must be the
/// key's, the signature must verify, and the validity period is checked as [`Verifier::check_time`]
/// does, with `skew` (at most [`MAX_SKEW`]). Issuer and client are the caller's to check, on the
/// verified claims.
///
/// # Errors
/// [`Error`] for a wrong algorithm, a bad signature, an expired or not yet valid token.
pub async fn verify_with_key<B: Backend>(
    unverified: Unverified<'_>,
    backend: &B,
    algorithm: crate::Algorithm,
    key: &B::Key,
    now: f64,
    skew: Duration,
) -> Result<Verified<Claims>, Error> {
    let claims = check_signed(unverified, backend, algorithm, key).await?;
    time_window(&claims, now, i64::try_from(skew.min(MAX_SKEW).as_secs()).unwrap_or(0))?;
    Ok(Verified(claims))
}

/// The algorithm and signature checks, shared by both ways of verifying.
async fn check_signed<B: Backend>(
    unverified: Unverified<'_>,
    backend: &B,
    algorithm: crate::Algorithm,
    key: &B::Key,
) -> Result<Claims, Error> {
    if algorithm != unverified.algorithm() {
        return Err(Error::AlgorithmMismatch {
            token: unverified.header().alg.clone(),
            key: algorithm.as_str(),
        });
    }
    backend.verify(key, unverified.signing_input(), unverified.signature()).await?;
    Ok(unverified.into_claims())
}

/// `exp` required and not past, `nbf` and `iat` not in the future, each with `skew` seconds.
fn time_window(claims: &Claims, now: f64, skew: i64) -> Result<(), Error> {
    #[allow(clippy::cast_possible_truncation)]
    let now = now.floor() as i64;
    let exp = claims.exp.ok_or(Error::Malformed("no exp claim"))?;
    if exp.saturating_add(skew) <= now {
        return Err(Error::Expired { exp, now });
    }
    for not_before in [claims.nbf, claims.iat].into_iter().flatten() {
        if not_before.saturating_sub(skew) > now {
            return Err(Error::NotYetValid { not_before, now });
        }
    }
    Ok(())
}

/// A custom check on verified claims; `Err` carries the reason given to the caller.
pub type Check = Arc<dyn Fn(&Claims) -> Result<(), String> + Send + Sync>;

/// What one use of a token requires beyond being valid: its kind, one of some scopes, one of some
/// groups, and any custom checks.
#[derive(Clone, Default)]
pub struct Rule {
    /// `access`, `id`, or either (None).
    pub token_use: Option<TokenUse>,
    /// At least one of these in `scope` (none listed: no scope needed).
    pub scopes_any: Vec<String>,
    /// At least one of these in `cognito:groups` (none listed: no group needed).
    pub groups_any: Vec<String>,
    /// Further checks, all of which must pass.
    pub custom: Vec<Check>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("token_use", &self.token_use)
            .field("scopes_any", &self.scopes_any)
            .field("groups_any", &self.groups_any)
            .field("custom", &self.custom.len())
            .finish()
    }
}

impl Rule {
    /// Checks verified claims against the rule.
    pub fn check(&self, claims: &Verified<Claims>) -> Result<(), Error> {
        if let Some(expected) = self.token_use
            && claims.token_use() != Some(expected)
        {
            return Err(Error::WrongTokenUse {
                expected: expected.as_str(),
                actual: claims.token_use.clone(),
            });
        }
        if !self.scopes_any.is_empty() && !claims.scopes().any(|s| self.scopes_any.iter().any(|r| r == s)) {
            return Err(Error::MissingScope);
        }
        if !self.groups_any.is_empty() && !claims.groups.iter().any(|g| self.groups_any.contains(g)) {
            return Err(Error::MissingGroup);
        }
        for check in &self.custom {
            check(claims).map_err(Error::Custom)?;
        }
        Ok(())
    }
}
