//! PostgreSQL: the outbox, shared by every instance. Claims use
//! `FOR UPDATE SKIP LOCKED`, so each message goes to exactly one sender.

use super::OutboxStore;
use crate::server::db::{DbError, MessageStatus, OutboxMessage, postgres::PgDb, row};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl OutboxStore for PgDb {
    async fn claim_due(&self, owner: Uuid, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>, DbError> {
        let rows = sqlx::query(
            "UPDATE outbox SET locked_until = $1 + $2, locked_by = $4
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE status = 'QUEUED' AND next_attempt_at <= $1
                   AND (locked_until IS NULL OR locked_until <= $1)
                 ORDER BY next_attempt_at LIMIT $3
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, lead_id, kind, recipients, reply_to, subject, body_text, body_html, attempts",
        )
        .bind(now)
        .bind(lease_ms)
        .bind(limit)
        .bind(owner)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row::message).collect()
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

    async fn stats(&self, now: i64) -> Result<super::OutboxStats, DbError> {
        let (pending, failed, oldest): (i64, i64, Option<i64>) =
            sqlx::query_as(super::STATS_SQL).fetch_one(&self.pool).await?;
        Ok(super::stats_from(pending, failed, oldest, now))
    }

    async fn next_due(&self) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(GREATEST(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox WHERE status = 'QUEUED'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        let rows = sqlx::query(
            "SELECT id, kind, recipients, status, attempts, last_error, sent_at FROM outbox
             WHERE lead_id = $1 ORDER BY kind DESC",
        )
        .bind(lead_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row::message_status).collect()
    }
}
