//! Webhook endpoints (added and removed from the CLI) and queueing a
//! delivery to each live endpoint in the transaction of the change it
//! announces, as emails are queued with the lead.

pub(crate) mod deliveries;
pub(crate) mod postgres;
pub(crate) mod sqlite;

use super::{DbError, WebhookEndpoint};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn add_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), DbError>;

    /// Every endpoint, removed ones too, newest first.
    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, DbError>;

    /// Removes a live endpoint (its queued deliveries are given up on); false when there is none.
    async fn remove_endpoint(&self, id: Uuid, now: i64) -> Result<bool, DbError>;
}

/// Shared SQL (`?N` placeholders; see `db::dollars`).
pub(crate) mod sql {
    use crate::row::ENDPOINT_COLUMNS;
    use std::sync::LazyLock;

    pub const INSERT: &str = "INSERT INTO webhook_endpoints (id, url, secret, created_at) VALUES (?1, ?2, ?3, ?4)";
    pub static LIST: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY id DESC"));
    pub const REMOVE: &str = "UPDATE webhook_endpoints SET removed_at = ?1 WHERE id = ?2 AND removed_at IS NULL";
    /// A removed endpoint's queued deliveries not being sent now: `?1` endpoint, `?2` now.
    pub const GIVE_UP: &str = "UPDATE outbox SET status = 'FAILED', last_error = 'the endpoint was removed'
         WHERE endpoint_id = ?1 AND status = 'QUEUED' AND (locked_until IS NULL OR locked_until <= ?2)";
    pub const LIVE: &str = "SELECT id, url FROM webhook_endpoints WHERE removed_at IS NULL";
    /// One delivery: `?1` id, `?2` lead, `?3` endpoint, `?4` event type, `?5` URL, `?6` body, `?7` now.
    pub const QUEUE: &str = "INSERT INTO outbox (id, lead_id, channel, endpoint_id, kind, recipients, subject,
             body_text, body_html, status, attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, 'webhook', ?3, ?4, ?5, '', ?6, '', 'QUEUED', 0, ?7, ?7)";
}
