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
    /// Messages waiting and given up on, and the creation time of the oldest waiting one.
    async fn stats(&self, now: i64) -> Result<OutboxStats, DbError>;

    async fn next_due(&self) -> Result<Option<i64>, DbError>;

    /// Every email of a lead, for its page.
    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError>;
}

/// The outbox as an operator watches it.
#[derive(Clone, Copy, Debug, Default)]
pub struct OutboxStats {
    pub pending: i64,
    pub failed: i64,
    /// How long the oldest waiting message has waited (ms).
    pub oldest_pending_ms: Option<i64>,
}

/// Both dialects: three index range scans on `outbox_due` (status, …).
pub(crate) const STATS_SQL: &str = "SELECT
     (SELECT COUNT(*) FROM outbox WHERE status = 'QUEUED') AS pending,
     (SELECT COUNT(*) FROM outbox WHERE status = 'FAILED') AS failed,
     (SELECT MIN(created_at) FROM outbox WHERE status = 'QUEUED') AS oldest";

pub(crate) fn stats_from(pending: i64, failed: i64, oldest: Option<i64>, now: i64) -> OutboxStats {
    OutboxStats { pending, failed, oldest_pending_ms: oldest.map(|t| (now - t).max(0)) }
}
