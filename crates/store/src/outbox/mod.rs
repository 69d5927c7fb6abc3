//! The transactional outbox: emails queued with the change that caused them,
//! leased to one sender at a time, retried, and reported per lead.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use super::{DbError, MessageStatus, OutboxMessage};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Leases up to `limit` due messages of `channel` (to one webhook
    /// endpoint only, when given) to `owner` for `lease_ms`, so no other sender takes them.
    async fn claim_due(&self, claim: &Claim) -> Result<Vec<OutboxMessage>, DbError>;

    /// Webhook endpoints with deliveries due now and not leased (at most `limit`).
    async fn due_endpoints(&self, now: i64, limit: i64) -> Result<Vec<Uuid>, DbError>;

    /// Empties the bodies of messages sent or given up on before `before`
    /// (the status rows stay); returns their ids (at most `limit`).
    async fn forget_bodies(&self, before: i64, limit: i64) -> Result<Vec<Uuid>, DbError>;

    /// Extends every lease `owner` holds to `until` (the sender's heartbeat).
    async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError>;

    /// Frees leases so the messages are sent at once: `owner`'s at shutdown;
    /// `None` at start-up, which frees a dead run's leases where that is safe (SQLite).
    async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError>;

    /// Records that these messages were accepted by the mail server.
    async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError>;

    /// Records a failed attempt; `next_attempt_at: None` gives up for good.
    async fn mark_attempt_failed(&self, id: Uuid, error: &str, next_attempt_at: Option<i64>) -> Result<(), DbError>;

    /// Messages waiting and given up on, and how long the oldest has waited, per channel.
    async fn stats(&self, now: i64) -> Result<Vec<(Channel, OutboxStats)>, DbError>;

    /// When the earliest queued message of `channel` becomes due (or its lease ends).
    async fn next_due(&self, channel: Channel) -> Result<Option<i64>, DbError>;

    /// Every message (emails and webhook deliveries) about a lead, for its page.
    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError>;
}

/// Which messages a sender claims.
#[derive(Clone, Copy, Debug)]
pub struct Claim {
    pub channel: Channel,
    pub owner: Uuid,
    pub now: i64,
    pub lease_ms: i64,
    pub limit: i64,
    /// Only this webhook endpoint's deliveries (each endpoint has its own sender).
    pub endpoint: Option<Uuid>,
}

/// What carries a message: each has its own sender, and its own rows in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Webhook];

    /// As stored in `outbox.channel`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The outbox as an operator watches it.
#[derive(Clone, Copy, Debug, Default)]
pub struct OutboxStats {
    pub pending: i64,
    pub failed: i64,
    /// How long the oldest waiting message has waited (ms).
    pub oldest_pending_ms: Option<i64>,
}

/// Both dialects (`?1` is the channel): index range scans on `outbox_channel_due`.
pub(crate) const STATS_SQL: &str = "SELECT
     (SELECT COUNT(*) FROM outbox WHERE channel = ?1 AND status = 'QUEUED') AS pending,
     (SELECT COUNT(*) FROM outbox WHERE channel = ?1 AND status = 'FAILED') AS failed,
     (SELECT MIN(created_at) FROM outbox WHERE channel = ?1 AND status = 'QUEUED') AS oldest";

/// Both dialects: `?1` now, `?2` lease length, `?3` batch size, `?4` owner,
/// `?5` channel, `?6` the endpoint or NULL (`uuid` is the cast PostgreSQL needs).
/// (PostgreSQL appends `FOR UPDATE SKIP LOCKED` to the inner select.)
pub(crate) fn claim_sql(skip_locked: &str, uuid: &str) -> String {
    format!(
        "UPDATE outbox SET locked_until = ?1 + ?2, locked_by = ?4
         WHERE id IN (
             SELECT id FROM outbox
             WHERE channel = ?5 AND status = 'QUEUED' AND next_attempt_at <= ?1
               AND (locked_until IS NULL OR locked_until <= ?1)
               AND (?6{uuid} IS NULL OR endpoint_id = ?6{uuid})
             ORDER BY next_attempt_at LIMIT ?3 {skip_locked})
         RETURNING id, lead_id, endpoint_id, kind, recipients, reply_to, subject, body_text, body_html, attempts,
             link_id"
    )
}

/// Both dialects: every message about lead `?1`.
/// Both dialects: one email into the outbox, queued now (`?2`: its lead, or NULL).
pub(crate) const QUEUE_EMAIL_SQL: &str = "INSERT INTO outbox (id, lead_id, kind, recipients, reply_to, subject,
         body_text, body_html, status, attempts, next_attempt_at, created_at, link_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'QUEUED', 0, ?9, ?9, ?10)";

/// Both dialects: `?1` now, `?2` limit. The longest-waiting endpoints first.
pub(crate) const DUE_ENDPOINTS_SQL: &str = "SELECT endpoint_id FROM outbox
     WHERE channel = 'webhook' AND status = 'QUEUED' AND next_attempt_at <= ?1
       AND (locked_until IS NULL OR locked_until <= ?1) AND endpoint_id IS NOT NULL
     GROUP BY endpoint_id ORDER BY MIN(next_attempt_at) LIMIT ?2";

/// Both dialects: `?1` before, `?2` limit. Sent and failed messages whose
/// body still holds something, oldest first; the subject goes too (a
/// notification's names the prospect).
pub(crate) const FORGET_BODIES_SQL: &str = "UPDATE outbox SET body_text = '', body_html = '', subject = ''
     WHERE id IN (SELECT id FROM outbox WHERE status IN ('SENT', 'FAILED') AND created_at < ?1
                  AND (body_text <> '' OR body_html <> '' OR subject <> '') ORDER BY created_at LIMIT ?2)
     RETURNING id";

pub(crate) const FOR_LEAD_SQL: &str =
    "SELECT id, channel, kind, recipients, endpoint_id, status, attempts, last_error, sent_at FROM outbox
     WHERE lead_id = ?1 ORDER BY channel, kind DESC, created_at";

pub(crate) fn stats_from(pending: i64, failed: i64, oldest: Option<i64>, now: i64) -> OutboxStats {
    OutboxStats { pending, failed, oldest_pending_ms: oldest.map(|t| (now - t).max(0)) }
}
