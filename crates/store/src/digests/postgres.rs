use super::{CLAIM_SQL, DigestStore};
use crate::{DbError, NewMessage, dollars, postgres::PgDb};
use async_trait::async_trait;
use std::sync::LazyLock;

#[async_trait]
impl DigestStore for PgDb {
    async fn digest_sent(&self, day: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM digests WHERE day = $1)")
            .bind(day)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn claim_digest(&self, day: &str, now: i64, messages: &[NewMessage]) -> Result<bool, DbError> {
        static CLAIM: LazyLock<String> = LazyLock::new(|| dollars(CLAIM_SQL));
        let mut tx = self.pool.begin().await?;
        // Another instance's claim of the same day waits on this row, then does nothing.
        if sqlx::query(&CLAIM).bind(day).bind(now).execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        for m in messages {
            crate::outbox::postgres::queue_email(&mut tx, None, m, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
