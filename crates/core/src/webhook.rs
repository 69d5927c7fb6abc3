//! Webhooks: integrations are told about lead events by a signed JSON POST.
//!
//! A delivery is queued in the transaction of the change it announces (see
//! `db::webhooks`), so it is sent exactly when the change is stored, and
//! goes through the outbox as emails do: leased to one sender among every
//! instance, retried with backoff, kept across restarts.
//!
//! Each request carries `Intake-Signature: t=<unix seconds>,v1=<hex>`, the
//! HMAC-SHA256 under the endpoint's secret of `"<t>.<body>"`. The time is in
//! the signed text, so a receiver that refuses old timestamps also refuses
//! replays of an old delivery.

use crate::{outbox::Deliver, outbox::SendError};
use async_trait::async_trait;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use intake_store::{Db, OutboxMessage, WebhookEndpoint, now_ms, outbox::Channel};
use sha2::Sha256;
use std::{collections::HashMap, time::Duration};
use uuid::Uuid;

/// Secrets look like `whsec_` and 43 base64url characters (256 random bits).
pub const SECRET_PREFIX: &str = "whsec_";
/// Deliveries in flight at once, per endpoint (each endpoint has its own worker).
const CONCURRENCY: usize = 4;
/// Longest endpoint URL accepted.
const MAX_URL: usize = 2_000;

/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new endpoint's secret, shown once.
pub fn new_secret() -> String {
    crate::auth::token::random_base64url(SECRET_PREFIX)
}

/// Checks an endpoint URL's form; the reason completes "The URL …".
pub fn check_url(raw: &str) -> Result<url::Url, String> {
    let raw = raw.trim();
    if raw.len() > MAX_URL {
        return Err(format!("is longer than {MAX_URL} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err("must be an http:// or https:// address with a host".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".into());
    }
    Ok(url)
}

/// Checks an endpoint URL and, unless private addresses are allowed, where its host points now.
pub async fn check_endpoint(raw: &str, allow_private: bool) -> Result<String, String> {
    let url = check_url(raw)?;
    if !allow_private {
        let host = url.host().ok_or("must have a host")?;
        crate::public_address::check_host(&host, url.port_or_known_default().unwrap_or(443)).await?;
    }
    Ok(url.into())
}

/// A bad endpoint URL, or the database failing.
#[derive(Debug)]
pub enum AddError {
    BadUrl(String),
    Db(intake_store::DbError),
}

/// Adds an endpoint; returns it (its secret is in it, shown once).
pub async fn add_endpoint(db: &Db, url: &str, allow_private: bool) -> Result<WebhookEndpoint, AddError> {
    let endpoint = WebhookEndpoint {
        id: Uuid::now_v7(),
        url: check_endpoint(url, allow_private).await.map_err(AddError::BadUrl)?,
        secret: intake_store::Secret::new(new_secret()),
        created_at: now_ms(),
        removed_at: None,
    };
    db.webhooks().add_endpoint(&endpoint).await.map_err(AddError::Db)?;
    Ok(endpoint)
}

/// The webhook channel of the outbox.
pub struct Webhooks {
    client: reqwest_client::Client,
    allow_private: bool,
}

impl Webhooks {
    /// Redirects are not followed: a delivery goes to the configured URL or
    /// fails. No proxy from the environment is used, and (unless
    /// `allow_private`) names resolve only to public addresses.
    pub fn new(timeout: Duration, allow_private: bool) -> Result<Self, String> {
        let mut builder = reqwest_client::Client::builder()
            .redirect(reqwest_client::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("Intake-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(crate::public_address::resolver());
        }
        let client = builder.build().map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        Ok(Self { client, allow_private })
    }

    async fn post_to(&self, endpoints: &HashMap<Uuid, WebhookEndpoint>, msg: &OutboxMessage) -> Result<(), SendError> {
        match msg.endpoint_id.and_then(|id| endpoints.get(&id)) {
            Some(endpoint) => self.post(endpoint, msg).await,
            None => Err(SendError::permanent("no such webhook endpoint")),
        }
    }

    async fn post(&self, endpoint: &WebhookEndpoint, msg: &OutboxMessage) -> Result<(), SendError> {
        if endpoint.removed_at.is_some() {
            return Err(SendError::permanent("the endpoint was removed"));
        }
        // An address written in the URL is not resolved, so the resolver never sees it: checked here.
        if !self.allow_private
            && let Ok(url) = url::Url::parse(&endpoint.url)
            && let Some(ip) = match url.host() {
                Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
                Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
                _ => None,
            }
            && !crate::public_address::is_public(ip)
        {
            // Retried, not given up: an operator who meant it can still set INTAKE_WEBHOOK_ALLOW_PRIVATE.
            return Err(SendError::transient(format!("refused: the URL {}", crate::public_address::REFUSED)));
        }
        let timestamp = now_ms() / 1000;
        let response = self
            .client
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("intake-event", &msg.kind)
            .header("intake-delivery", msg.id.to_string())
            .header("intake-signature", signature(endpoint.secret.expose(), timestamp, &msg.body_text))
            .body(msg.body_text.clone())
            .send()
            .await
            .map_err(|e| SendError::transient(describe(&e)))?;
        let status = response.status();
        match status.as_u16() {
            200..=299 => Ok(()),
            // The receiver says the endpoint is gone for good.
            410 => Err(SendError::permanent(format!("HTTP {status}"))),
            300..=399 => Err(SendError::transient(format!("HTTP {status} (redirects are not followed)"))),
            _ => Err(SendError::transient(format!("HTTP {status}"))),
        }
    }
}

/// A transport error in a sentence.
fn describe(e: &reqwest_client::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if s.to_string().contains(crate::public_address::REFUSED) {
            return "refused: the endpoint's host resolves only to private addresses".into();
        }
        source = s.source();
    }
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        // The URL may hold a credential: never in an error, which is stored and logged.
        let text = e.to_string();
        match e.url() {
            Some(url) => text.replace(url.as_str(), "<endpoint>"),
            None => text,
        }
    }
}

#[async_trait]
impl Deliver for Webhooks {
    const CHANNEL: Channel = Channel::Webhook;

    async fn deliver(&self, db: &Db, batch: &[OutboxMessage]) -> Vec<Result<(), SendError>> {
        let endpoints: HashMap<Uuid, WebhookEndpoint> = match db.webhooks().list_endpoints().await {
            Ok(all) => all.into_iter().map(|e| (e.id, e)).collect(),
            Err(e) => {
                let why = format!("cannot read webhook endpoints: {e}");
                return batch.iter().map(|_| Err(SendError::transient(why.clone()))).collect();
            }
        };
        // Named futures (not closures): `async_trait` needs them `Send` for any lifetime.
        let posts: Vec<_> = batch.iter().map(|msg| self.post_to(&endpoints, msg)).collect();
        futures::stream::iter(posts).buffered(CONCURRENCY).collect().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn endpoint_urls_are_checked() {
        assert_eq!(check_url(" https://crm.example/hook?x=1 ").unwrap().as_str(), "https://crm.example/hook?x=1");
        assert!(check_url("ftp://crm.example/").is_err());
        assert!(check_url("https://crm.example/#frag").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url(&format!("https://crm.example/{}", "a".repeat(MAX_URL))).is_err());
    }
}
