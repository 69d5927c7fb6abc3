//! SQLite: the outbox. Claims take the write lock (`BEGIN IMMEDIATE`); one
//! process owns the file, so a lease can only be this process's.

use super::{Channel, Claim, OutboxStats, OutboxStore};
use crate::{DbError, MessageStatus, OutboxMessage, row, sqlite::SqliteDb};
use async_trait::async_trait;
use std::sync::LazyLock;
use uuid::Uuid;

static CLAIM: LazyLock<String> = LazyLock::new(|| super::claim_sql("", ""));

/// Queues one email inside the caller's transaction (about `lead`, if any).
pub(crate) async fn queue_email(
    tx: &mut sqlx::SqliteConnection,
    lead: Option<Uuid>,
    m: &crate::NewMessage,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(super::QUEUE_EMAIL_SQL)
        .bind(m.id.hyphenated().to_string())
        .bind(lead.map(|l| l.hyphenated().to_string()))
        .bind(m.kind)
        .bind(&m.recipients)
        .bind(&m.reply_to)
        .bind(&m.subject)
        .bind(&m.body_text)
        .bind(&m.body_html)
        .bind(now)
        .bind(m.link_id.map(|l| l.hyphenated().to_string()))
        .execute(tx)
        .await?;
    Ok(())
}

#[async_trait]
impl OutboxStore for SqliteDb {
    async fn claim_due(&self, c: &Claim) -> Result<Vec<OutboxMessage>, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(&CLAIM)
            .bind(c.now)
            .bind(c.lease_ms)
            .bind(c.limit)
            .bind(c.owner.to_string())
            .bind(c.channel.as_str())
            .bind(c.endpoint.map(|e| e.to_string()))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter().map(row::message).collect()
    }

    async fn due_endpoints(&self, now: i64, limit: i64) -> Result<Vec<Uuid>, DbError> {
        let ids: Vec<String> =
            sqlx::query_scalar(super::DUE_ENDPOINTS_SQL).bind(now).bind(limit).fetch_all(&self.pool).await?;
        ids.iter().map(|s| Uuid::parse_str(s).map_err(|e| DbError::corrupt("endpoint_id", e))).collect()
    }

    async fn forget_bodies(&self, before: i64, limit: i64) -> Result<Vec<Uuid>, DbError> {
        let ids: Vec<String> =
            sqlx::query_scalar(super::FORGET_BODIES_SQL).bind(before).bind(limit).fetch_all(&self.pool).await?;
        ids.iter().map(|s| Uuid::parse_str(s).map_err(|e| DbError::corrupt("outbox id", e))).collect()
    }

    async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE outbox SET locked_until = ? WHERE locked_by = ? AND status = 'QUEUED'")
            .bind(until)
            .bind(owner.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One process owns a SQLite file, so at start-up every lease is a dead
    /// run's; at shutdown, only `owner`'s.
    async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET locked_until = NULL, locked_by = NULL
             WHERE status = 'QUEUED' AND locked_until IS NOT NULL AND (?1 IS NULL OR locked_by = ?1)",
        )
        .bind(owner.map(|o| o.to_string()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError> {
        let ids = serde_json::to_string(&ids.iter().map(Uuid::to_string).collect::<Vec<_>>())
            .map_err(|e| DbError::Worker(format!("cannot encode ids: {e}")))?;
        sqlx::query(
            "UPDATE outbox SET status = 'SENT', sent_at = ?, attempts = attempts + 1, locked_until = NULL,
                 locked_by = NULL, last_error = NULL WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(now)
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_attempt_failed(&self, id: Uuid, error: &str, next_attempt_at: Option<i64>) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, locked_until = NULL, locked_by = NULL,
                 status = CASE WHEN ? IS NULL THEN 'FAILED' ELSE 'QUEUED' END,
                 next_attempt_at = COALESCE(?, next_attempt_at)
             WHERE id = ?",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(next_attempt_at)
        .bind(id.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn stats(&self, now: i64) -> Result<Vec<(Channel, OutboxStats)>, DbError> {
        let mut out = Vec::with_capacity(Channel::ALL.len());
        for channel in Channel::ALL {
            let (pending, failed, oldest): (i64, i64, Option<i64>) =
                sqlx::query_as(super::STATS_SQL).bind(channel.as_str()).fetch_one(&self.pool).await?;
            out.push((channel, super::stats_from(pending, failed, oldest, now)));
        }
        Ok(out)
    }

    async fn next_due(&self, channel: Channel) -> Result<Option<i64>, DbError> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox
             WHERE channel = ? AND status = 'QUEUED'",
        )
        .bind(channel.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(due)
    }

    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        let rows = sqlx::query(super::FOR_LEAD_SQL).bind(lead_id.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(row::message_status).collect()
    }
}
