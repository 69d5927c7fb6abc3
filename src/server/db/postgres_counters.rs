//! PostgreSQL: fixed-window counters shared by every instance (login
//! throttle, submission rate), so N instances do not allow N times the attempts.

use super::{DbError, postgres::PgDb};
use sqlx::Row;

/// One counted hit: the count in the current window and any lock on the key.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub hits: i64,
    pub window_start: i64,
    pub locked_until: Option<i64>,
}

impl PgDb {
    /// Counts one hit on `key` in a window of `window_ms` (a new window once the old one is over).
    pub async fn hit_counter(&self, key: &str, window_ms: i64, now: i64) -> Result<Hit, DbError> {
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

    pub async fn lock_counter(&self, key: &str, until: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE counters SET locked_until = $2 WHERE key = $1")
            .bind(key)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Takes one hit back (a login that succeeded does not count against its address).
    pub async fn give_back_counter(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE counters SET hits = GREATEST(hits - 1, 0) WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn clear_counter(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM counters WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    /// Every 10 minutes, drops counters idle for a day (longer than any
    /// window: logins use 15 minutes, submission rates at most a day).
    pub async fn prune_counters_continuously(self) {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = self.prune_counters(super::now_ms() - 25 * 3_600_000).await {
                tracing::warn!(error = %e, "cannot prune shared counters");
            }
        }
    }

    /// Drops counters whose window and lock ended before `before`.
    pub async fn prune_counters(&self, before: i64) -> Result<(), DbError> {
        sqlx::query("DELETE FROM counters WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $1)")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
