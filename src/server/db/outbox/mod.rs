//! The transactional outbox: emails queued with the change that caused them,
//! leased to one sender at a time, retried, and reported per lead.

mod postgres;
mod sqlite;

use super::{DbError, MessageStatus, OutboxMessage};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Leases up to `limit` due messages to `owner` for `lease_ms`, so no other sender takes them.
    async fn claim_due(&self, owner: Uuid, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>, DbError>;

    /// Extends every lease `owner` holds to `until` (the sender's heartbeat).
    async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError>;

    /// Frees leases so the messages are sent at once: `owner`'s at shutdown;
    /// `None` at start-up, which frees a dead run's leases where that is safe (SQLite).
    async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError>;

    /// Records that these messages were accepted by the mail server.
    async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError>;

    /// Records a failed attempt; `next_attempt_at: None` gives up for good.
    async fn mark_attempt_failed(&self, id: Uuid, error: &str, next_attempt_at: Option<i64>) -> Result<(), DbError>;

    /// When the earliest queued message becomes due (or its lease ends).
    async fn next_due(&self) -> Result<Option<i64>, DbError>;

    /// Every email of a lead, for its page.
    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError>;
}
