//! Delivery of the outbox: background senders claim waiting messages of their channel and send them,
//! email over SMTP (lettre), SMS to an HTTP webhook (the gateway of the operator's choice). Messages
//! stay in the outbox either way, marked delivered or with their last error, so nothing is lost when
//! the mail server or gateway is down: it is retried, with a growing pause, up to a limit.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::services::now_ms;
use crate::store::{Message, Store};

/// Failed sends of one message before the sender gives up on it.
const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed message is reserved for this sender.
const LEASE_MS: i64 = 60_000;
/// Messages claimed per round.
const BATCH: usize = 20;
/// The pause between rounds when there is nothing to send.
const IDLE: Duration = Duration::from_millis(500);

/// A way out for one channel of the outbox.
pub trait Sender: Send + Sync + 'static {
    /// `EMAIL` or `SMS`.
    fn channel(&self) -> &'static str;
    /// Sends one message; `Err` with a reason that never includes the message's body.
    fn send(&self, message: &Message) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

/// Sends SMS messages by POSTing them to a webhook as JSON.
pub struct WebhookSender {
    client: reqwest::Client,
    url: String,
    secret: Option<String>,
}

impl WebhookSender {
    /// A sender to `url` (http or https), signing bodies with `secret` when given.
    ///
    /// # Errors
    /// [`SmtpConfigError`] (the settings error) for a URL that is not http(s).
    pub fn new(url: &str, secret: Option<String>) -> Result<Self, SmtpConfigError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SmtpConfigError(format!("sms_webhook_url {url:?} is not an http(s) URL")));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| SmtpConfigError(format!("sms_webhook_url: {e}")))?;
        Ok(Self { client, url: url.to_owned(), secret })
    }
}

impl Sender for WebhookSender {
    fn channel(&self) -> &'static str {
        "SMS"
    }

    async fn send(&self, message: &Message) -> Result<(), String> {
        let body = serde_json::json!({
            "id": message.id,
            "pool_id": message.pool_id,
            "to": message.destination,
            "message": message.body,
        })
        .to_string();
        let mut request = self.client.post(&self.url).header("content-type", "application/json");
        if let Some(secret) = &self.secret {
            request = request.header("x-cognate-signature", format!("sha256={}", signature(secret, &body)));
        }
        let response = request.body(body).send().await.map_err(|e| e.without_url().to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered HTTP {}", response.status().as_u16()))
        }
    }
}

/// Hex HMAC-SHA256 of `body` under `secret`.
fn signature(secret: &str, body: &str) -> String {
    crate::seal::hmac_sha256(secret.as_bytes(), &[body.as_bytes()])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Sends email through one SMTP server.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// A bad SMTP setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SmtpConfigError(String);

impl SmtpSender {
    /// A sender for `url` (`smtp://[user:pass@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://...` for implicit TLS) that writes as `from`.
    ///
    /// # Errors
    /// [`SmtpConfigError`] for a malformed URL or sender address.
    pub fn new(url: &str, from: &str) -> Result<Self, SmtpConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpConfigError(format!("smtp_url: {e}")))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from.parse().map_err(|e| SmtpConfigError(format!("smtp_from {from:?}: {e}")))?;
        Ok(Self { transport, from })
    }
}

impl Sender for SmtpSender {
    fn channel(&self) -> &'static str {
        "EMAIL"
    }

    async fn send(&self, message: &Message) -> Result<(), String> {
        let to: Mailbox = message.destination.parse().map_err(|e| format!("bad address: {e}"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .body(message.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// The pause before retry `attempt`: 5 s, doubling, at most 10 minutes.
fn backoff_ms(attempt: u32) -> i64 {
    5_000i64.saturating_mul(1 << attempt.min(7)).min(600_000)
}

/// Runs a sender until the process ends.
pub fn spawn(store: Arc<dyn Store>, sender: impl Sender) {
    tokio::spawn(async move {
        let mut failures: u32 = 0;
        let channel = sender.channel();
        loop {
            let claimed = store.claim_undelivered(channel, now_ms(), LEASE_MS, MAX_ATTEMPTS, BATCH).await;
            let batch = match claimed {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox: cannot read waiting messages");
                    tokio::time::sleep(IDLE * 4).await;
                    continue;
                }
            };
            if batch.is_empty() {
                tokio::time::sleep(IDLE).await;
                continue;
            }
            for message in batch {
                let outcome = sender.send(&message).await;
                match &outcome {
                    Ok(()) => {
                        failures = 0;
                        tracing::info!(id = %message.id, pool = %message.pool_id, channel, "message delivered");
                    }
                    Err(error) => {
                        failures = failures.saturating_add(1);
                        // The body (codes) is never logged.
                        tracing::warn!(id = %message.id, error = %error, channel, "message not delivered; will retry");
                    }
                }
                if let Err(err) =
                    store.finish_delivery(&message.id, outcome, now_ms(), backoff_ms(failures)).await
                {
                    tracing::warn!(error = %err, "outbox: cannot record a delivery");
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_growing() {
        assert_eq!(backoff_ms(0), 5_000);
        assert_eq!(backoff_ms(1), 10_000);
        assert!(backoff_ms(7) <= 600_000);
        assert_eq!(backoff_ms(30), backoff_ms(7));
    }

    #[test]
    fn refuses_bad_settings() {
        assert!(SmtpSender::new("ftp://example.com", "a@b.co").is_err());
        assert!(SmtpSender::new("smtp://127.0.0.1:2525", "not an address").is_err());
    }
}
