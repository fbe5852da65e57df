//! Calling a trigger's webhook: a signed POST (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>`), one deadline for the
//! whole call, retried only when the connection could not be made (nothing was sent), no redirects,
//! a cap on the answer, and no link-local or cloud metadata addresses unless the server allows them.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// The largest answer read.
pub const MAX_ANSWER: usize = 256 * 1024;

/// How a call failed, in the terms Cognito maps to its exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The function answered an error (`{"errorMessage": ...}` with a non-2xx status).
    Function(String),
    /// It could not be called, timed out, or answered another non-2xx status.
    Invocation(String),
    /// It answered 2xx with something that is not a JSON object.
    Output,
}

/// Whether `ip` may be called: never link-local (cloud metadata lives there) or the IPv6 metadata
/// address, unless `allow_link_local`; never unspecified.
#[must_use]
pub fn allowed(ip: IpAddr, allow_link_local: bool) -> bool {
    let link_local = match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    == "fd00:ec2::254".parse::<std::net::Ipv6Addr>().unwrap_or(std::net::Ipv6Addr::LOCALHOST)
                || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_link_local())
        }
    };
    !ip.is_unspecified() && (allow_link_local || !link_local)
}

/// A resolver that drops the addresses [`allowed`] refuses, so a name cannot lead to them either.
struct Guarded {
    allow_link_local: bool,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_link_local;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found.into_iter().filter(|a| allowed(a.ip(), allow)).collect();
            if kept.is_empty() {
                return Err(format!("{host} resolves only to addresses triggers may not call").into());
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client for triggers.
///
/// # Panics
/// Never: building a client without TLS roots to load cannot fail here (reqwest only fails on
/// invalid settings, and these are fixed).
#[must_use]
pub fn client(allow_link_local: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(Guarded { allow_link_local }))
        .user_agent("cognate-triggers")
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The signature headers for `body`.
#[must_use]
pub fn signature(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = crate::seal::hmac_sha256(
        secret,
        &[id.as_bytes(), b".", timestamp.to_string().as_bytes(), b".", body],
    );
    format!("v1,{}", STANDARD.encode(mac))
}

async fn read_capped(mut response: reqwest::Response) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        if out.len() + chunk.len() > MAX_ANSWER {
            return None;
        }
        out.extend_from_slice(&chunk);
    }
    Some(out)
}

/// POSTs `body` to `url` for `trigger`, within `timeout`; the answer's JSON object.
///
/// # Errors
/// The [`Failure`].
pub async fn post(
    client: &reqwest::Client,
    secret: &[u8],
    url: &str,
    trigger: &str,
    body: Vec<u8>,
    timeout: Duration,
    allow_link_local: bool,
) -> Result<Value, Failure> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| Failure::Invocation("the trigger URL is invalid".into()))?;
    let literal = parsed.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']'));
    if let Some(ip) = literal.and_then(|h| h.parse::<IpAddr>().ok())
        && !allowed(ip, allow_link_local)
    {
        return Err(Failure::Invocation("the trigger's address may not be called".into()));
    }
    let deadline = Instant::now() + timeout;
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let timestamp = crate::services::now_ms() / 1000;
    let signed = signature(secret, &id, timestamp, &body);
    let mut attempt = 0;
    let response = loop {
        attempt += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Invocation("Socket timeout while invoking Lambda function.".into()));
        }
        let sent = client
            .post(parsed.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", &signed)
            .header("x-cognate-trigger", trigger)
            .body(body.clone())
            .timeout(left)
            .send()
            .await;
        match sent {
            Ok(response) => break response,
            // Nothing reached the function: trying again cannot run it twice.
            Err(e) if e.is_connect() && attempt < 3 => {
                tokio::time::sleep(Duration::from_millis(50).min(left)).await;
            }
            Err(e) if e.is_timeout() => {
                return Err(Failure::Invocation("Socket timeout while invoking Lambda function.".into()));
            }
            Err(e) if e.is_connect() => {
                return Err(Failure::Invocation("the trigger could not be reached".into()));
            }
            Err(_) => return Err(Failure::Invocation("the trigger call failed".into())),
        }
    };
    let status = response.status();
    let left = deadline.saturating_duration_since(Instant::now());
    let answer = match tokio::time::timeout(left, read_capped(response)).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(Failure::Output),
        Err(_) => return Err(Failure::Invocation("Socket timeout while invoking Lambda function.".into())),
    };
    let json: Option<Value> = serde_json::from_slice(&answer).ok();
    if status.is_success() {
        return match json {
            Some(v @ Value::Object(_)) => Ok(v),
            _ => Err(Failure::Output),
        };
    }
    match json.as_ref().and_then(|v| v.get("errorMessage")).and_then(Value::as_str) {
        Some(message) => Err(Failure::Function(message.chars().take(1024).collect())),
        None => Err(Failure::Invocation(format!("the trigger answered HTTP {}", status.as_u16()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_local_and_metadata_addresses_are_refused_unless_allowed() {
        for refused in [
            "169.254.169.254",
            "169.254.1.1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
            "0.0.0.0",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(!allowed(ip, false), "{refused}");
        }
        assert!(allowed("169.254.169.254".parse().unwrap(), true));
        for fine in ["127.0.0.1", "10.0.0.5", "::1", "93.184.216.34"] {
            assert!(allowed(fine.parse().unwrap(), false), "{fine}");
        }
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // HMAC-SHA256 over "id.timestamp.body", base64, prefixed with the version.
        let sig = signature(b"secret", "msg_1", 1_700_000_000, b"{}");
        let expected = crate::seal::hmac_sha256(b"secret", &[b"msg_1.1700000000.{}"]);
        assert_eq!(sig, format!("v1,{}", STANDARD.encode(expected)));
    }
}
