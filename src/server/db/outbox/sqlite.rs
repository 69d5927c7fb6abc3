//! SQLite: the outbox. Claims take the write lock (`BEGIN IMMEDIATE`); one
//! process owns the file, so a lease can only be this process's.

use super::OutboxStore;
use crate::server::db::{DbError, MessageStatus, OutboxMessage, row, sqlite::SqliteDb};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl OutboxStore for SqliteDb {
    async fn claim_due(&self, owner: Uuid, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(
            "UPDATE outbox SET locked_until = ?1 + ?2, locked_by = ?4
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE status = 'QUEUED' AND next_attempt_at <= ?1
                   AND (locked_until IS NULL OR locked_until <= ?1)
                 ORDER BY next_attempt_at LIMIT ?3)
             RETURNING id, lead_id, kind, recipients, reply_to, subject, body_text, body_html, attempts",
        )
        .bind(now)
        .bind(lease_ms)
        .bind(limit)
        .bind(owner.to_string())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(row::message).collect()
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

    async fn stats(&self, now: i64) -> Result<super::OutboxStats, DbError> {
        let (pending, failed, oldest): (i64, i64, Option<i64>) =
            sqlx::query_as(super::STATS_SQL).fetch_one(&self.pool).await?;
        Ok(super::stats_from(pending, failed, oldest, now))
    }

    async fn next_due(&self) -> Result<Option<i64>, DbError> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox WHERE status = 'QUEUED'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(due)
    }

    async fn for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        let rows = sqlx::query(
            "SELECT id, kind, recipients, status, attempts, last_error, sent_at FROM outbox
             WHERE lead_id = ? ORDER BY kind DESC",
        )
        .bind(lead_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row::message_status).collect()
    }
}
