//! User pool domains: the names a pool's authorization server and managed login pages answer on, and
//! the URL each is served at.
//!
//! A prefix domain (`my-app`) is served at `{scheme}://my-app.{base host}` when the server is given a
//! base host for them (`COGNATE_DOMAIN_BASE_HOST`), else under the server's own origin as
//! `{public_url}/domains/my-app`, which works on one machine with no DNS. A custom domain
//! (`auth.example.com`, given with `CustomDomainConfig`) is served by the Host header, at
//! `https://auth.example.com`: its TLS is the operator's, as its ACM certificate is in Cognito.

use cognate_proto::{CognitoError, Exception};
use serde_json::Value;

use crate::services::{Services, internal};
use crate::store::DomainRecord;

fn bad(message: impl Into<String>) -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, message)
}

/// Whether `domain` is a custom domain (its record has `CustomDomainConfig`).
#[must_use]
pub fn is_custom(record: &DomainRecord) -> bool {
    record.doc.get("CustomDomainConfig").is_some_and(|c| !c.is_null())
}

/// Checks a domain name as CreateUserPoolDomain does: a prefix matches
/// `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$` and holds none of Cognito's reserved words; a custom
/// domain is a dotted host name of such labels.
///
/// # Errors
/// `InvalidParameterException` saying what is wrong.
pub fn check_name(domain: &str, custom: bool) -> Result<(), CognitoError> {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if custom {
        let labels: Vec<&str> = domain.split('.').collect();
        if domain.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
            return Err(bad(format!(
                "Invalid custom domain {domain}: it must be a fully qualified lowercase host name."
            )));
        }
        return Ok(());
    }
    if !label_ok(domain) {
        return Err(bad(format!(
            "1 validation error detected: Value '{domain}' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{{0,61}}[a-z0-9])?$"
        )));
    }
    for reserved in ["aws", "amazon", "cognito"] {
        if domain.contains(reserved) {
            return Err(bad(format!("Domain cannot contain reserved word: {reserved}")));
        }
    }
    Ok(())
}

/// Where a domain is served: the base URL of its `/oauth2/...`, `/login` and `/logout`.
#[must_use]
pub fn base_url(svc: &Services, record: &DomainRecord) -> String {
    if is_custom(record) {
        return format!("https://{}", record.domain);
    }
    match &svc.domain_base_host {
        Some(base) => {
            // Same scheme and port as the server's public URL: the prefix domains are served by the
            // same listener (or the same proxy).
            let (scheme, rest) = svc.public_url.split_once("://").unwrap_or(("https", ""));
            let authority = rest.split('/').next().unwrap_or("");
            let port =
                authority.rsplit_once(':').map(|(_, p)| p).filter(|p| p.bytes().all(|b| b.is_ascii_digit()));
            match port {
                Some(port) if !base.contains(':') => format!("{scheme}://{}.{base}:{port}", record.domain),
                _ => format!("{scheme}://{}.{base}", record.domain),
            }
        }
        None => format!("{}/domains/{}", svc.public_url.trim_end_matches('/'), record.domain),
    }
}

/// What Cognito calls the domain's CloudFront domain: for Cognate, the host (and, in the path form,
/// the path) an app configures as its OAuth domain, e.g. Amplify's `oauth.domain`.
#[must_use]
pub fn served_at(svc: &Services, record: &DomainRecord) -> String {
    let url = base_url(svc, record);
    url.split_once("://").map_or(url.clone(), |(_, rest)| rest.to_owned())
}

/// The domain a request's Host names, if it names one: a custom domain, or `{prefix}.{base host}`.
///
/// # Errors
/// `InternalErrorException` when the store fails.
pub async fn by_host(svc: &Services, host: &str) -> Result<Option<DomainRecord>, CognitoError> {
    let host = host
        .rsplit_once(':')
        .map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    let host = host.to_ascii_lowercase();
    let base = svc.domain_base_host.as_deref().map(|b| b.split(':').next().unwrap_or(b));
    let name = match base.and_then(|base| host.strip_suffix(base)) {
        Some(prefix) if prefix.ends_with('.') => prefix.trim_end_matches('.').to_owned(),
        _ => host.clone(),
    };
    if name.is_empty() || name.len() > 253 {
        return Ok(None);
    }
    let found = svc.store.domain(&name).await.map_err(internal)?;
    // A prefix answers only under the base host; a custom domain only as itself.
    Ok(found.filter(|d| if is_custom(d) { name == host } else { name != host }))
}

/// The domain `name`, when it exists.
///
/// # Errors
/// `InternalErrorException` when the store fails.
pub async fn by_name(svc: &Services, name: &str) -> Result<Option<DomainRecord>, CognitoError> {
    if name.is_empty() || name.len() > 253 {
        return Ok(None);
    }
    svc.store.domain(name).await.map_err(internal)
}

/// `ManagedLoginVersion` of a domain (1, classic hosted UI, by default).
#[must_use]
pub fn version(record: &DomainRecord) -> i64 {
    record.doc.get("ManagedLoginVersion").and_then(Value::as_i64).unwrap_or(1)
}
