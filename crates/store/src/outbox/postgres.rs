//! PostgreSQL: the outbox, shared by every instance. Claims use
//! `FOR UPDATE SKIP LOCKED`, so each message goes to exactly one sender.

use super::{Channel, Claim, OutboxStats, OutboxStore};
use crate::{DbError, MessageStatus, OutboxMessage, dollars, postgres::PgDb, row};
use async_trait::async_trait;
use std::sync::LazyLock;
use uuid::Uuid;

static CLAIM: LazyLock<String> = LazyLock::new(|| dollars(&super::claim_sql("FOR UPDATE SKIP LOCKED", "::uuid")));
static DUE_ENDPOINTS: LazyLock<String> = LazyLock::new(|| dollars(super::DUE_ENDPOINTS_SQL));
static FORGET_BODIES: LazyLock<String> = LazyLock::new(|| dollars(super::FORGET_BODIES_SQL));
static STATS: LazyLock<String> = LazyLock::new(|| dollars(super::STATS_SQL));
static FOR_LEAD: LazyLock<String> = LazyLock::new(|| dollars(super::FOR_LEAD_SQL));
static QUEUE_EMAIL: LazyLock<String> = LazyLock::new(|| dollars(super::QUEUE_EMAIL_SQL));

/// Queues one email inside the caller's transaction (about `lead`, if any).
pub(crate) async fn queue_email(
    tx: &mut sqlx::PgConnection,
    lead: Option<Uuid>,
    m: &crate::NewMessage,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(&QUEUE_EMAIL)
        .bind(m.id)
        .bind(lead)
        .bind(m.kind)
        .bind(&m.recipients)
        .bind(&m.reply_to)
        .bind(&m.subject)
        .bind(&m.body_text)
        .bind(&m.body_html)
        .bind(now)
        .bind(m.link_id)
        .execute(tx)
        .await?;
    Ok(())
}

#[async_trait]
impl OutboxStore for PgDb {
    async fn claim_due(&self, c: &Claim) -> Result<Vec<OutboxMessage>, DbError> {
        let rows = sqlx::query(&CLAIM)
            .bind(c.now)
            .bind(c.lease_ms)
            .bind(c.limit)
            .bind(c.owner)
            .bind(c.channel.as_str())
            .bind(c.endpoint)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row::message).collect()
    }

    async fn due_endpoints(&self, now: i64, limit: i64) -> Result<Vec<Uuid>, DbError> {
        Ok(sqlx::query_scalar(&DUE_ENDPOINTS).bind(now).bind(limit).fetch_all(&self.pool).await?)
    }

    async fn forget_bodies(&self, before: i64, limit: i64) -> Result<Vec<Uuid>, DbError> {
        Ok(sqlx::query_scalar(&FORGET_BODIES).bind(before).bind(limit).fetch_all(&self.pool).await?)
    }

    async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE outbox SET locked_until = $1 WHERE locked_by = $2 AND status = 'QUEUED'")
            .bind(until)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Several instances share the table: only `owner`'s leases can be
    /// released (a dead instance's end when its heartbeat stops).
    async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError> {
        let Some(owner) = owner else { return Ok(()) };
        sqlx::query(
            "UPDATE outbox SET locked_until = NULL, locked_by = NULL WHERE status = 'QUEUED' AND locked_by = $1",
        )
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET status = 'SENT', sent_at = $1, attempts = attempts + 1, locked_until = NULL,
                 locked_by = NULL, last_error = NULL WHERE id = ANY($2)",
        )
        .bind(now)
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_attempt_failed(&self, id: Uuid, error: &str, next_attempt_at: Option<i64>) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, locked_until = NULL, locked_by = NULL,
                 status = CASE WHEN $2::BIGINT IS NULL THEN 'FAILED' ELSE 'QUEUED' END,
                 next_attempt_at = COALESCE($2, next_attempt_at)
             WHERE id = $3",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn stats(&self, now: i64) -> Result<Vec<(Channel, OutboxStats)>, DbError> {
        let mut out = Vec::with_capacity(Channel::ALL.len());
        for channel in Channel::ALL {
            let (pending, failed, oldest): (i64, i64, Option<i64>) =
                sqlx::query_as(&STATS).bind(channel.as_str()).fetch_one(&self.pool).await?;
            out.push((channel, super::stats_from(pending, failed, oldest, now)));
        }
        Ok(out)
    }

    async fn next_due(&self, channel: Channel) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(GREATEST(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox
             WHERE channel = $1 AND status = 'QUEUED'",
        )
        .bind(channel.as_str())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        let rows = sqlx::query(&FOR_LEAD).bind(lead_id).fetch_all(&self.pool).await?;
        rows.iter().map(row::message_status).collect()
    }
}
