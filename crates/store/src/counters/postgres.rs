//! PostgreSQL: the shared counters, in an UNLOGGED table (migration 0006):
//! losing them in a crash only forgets recent attempts.

use super::{CounterStore, Hit};
use crate::{DbError, postgres::PgDb};
use async_trait::async_trait;
use sqlx::Row;

#[async_trait]
impl CounterStore for PgDb {
    async fn hit(&self, key: &str, window_ms: i64, now: i64) -> Result<Hit, DbError> {
        let row = sqlx::query(
            "INSERT INTO counters AS c (key, window_start, hits) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                 hits = CASE WHEN c.window_start <= $2 - $3 THEN 1 ELSE c.hits + 1 END,
                 window_start = CASE WHEN c.window_start <= $2 - $3 THEN $2 ELSE c.window_start END
             RETURNING hits, window_start, locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(window_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(Hit {
            hits: i64::from(row.try_get::<i32, _>("hits")?),
            window_start: row.try_get("window_start")?,
            locked_until: row.try_get("locked_until")?,
        })
    }

    async fn lock(&self, key: &str, until: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE counters SET locked_until = $2 WHERE key = $1")
            .bind(key)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn give_back(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE counters SET hits = GREATEST(hits - 1, 0) WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn clear(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM counters WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    async fn prune(&self, before: i64) -> Result<(), DbError> {
        sqlx::query("DELETE FROM counters WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $1)")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
