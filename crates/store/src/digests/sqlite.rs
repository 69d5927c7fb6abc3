use super::{CLAIM_SQL, DigestStore};
use crate::{DbError, NewMessage, sqlite::SqliteDb};
use async_trait::async_trait;

#[async_trait]
impl DigestStore for SqliteDb {
    async fn digest_sent(&self, day: &str) -> Result<bool, DbError> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM digests WHERE day = ?1").bind(day).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    async fn claim_digest(&self, day: &str, now: i64, messages: &[NewMessage]) -> Result<bool, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if sqlx::query(CLAIM_SQL).bind(day).bind(now).execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        for m in messages {
            crate::outbox::sqlite::queue_email(&mut tx, None, m, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
