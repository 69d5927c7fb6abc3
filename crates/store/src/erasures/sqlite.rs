//! SQLite: erasure.

use super::{Erased, ErasureStore, Tombstone, Why, sql};
use crate::{DbError, sqlite::SqliteDb};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

fn uuid(s: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(s).map_err(|e| DbError::corrupt("lead_id", e))
}

#[async_trait]
impl ErasureStore for SqliteDb {
    async fn erase(&self, id: Uuid, by: Option<Uuid>, why: &Why<'_>, now: i64) -> Result<Option<Erased>, DbError> {
        let lead = id.to_string();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // The row (`None`: no such lead), then its resume key (`None`: it has no resume).
        let key: Option<Option<String>> = sqlx::query_scalar(sql::KEY).bind(&lead).fetch_optional(&mut *tx).await?;
        let Some(key) = key else { return Ok(None) };
        let messages: Vec<String> = sqlx::query_scalar(sql::MESSAGES).bind(&lead).fetch_all(&mut *tx).await?;
        let documents: Vec<String> =
            sqlx::query_scalar(sql::KEEP_DOCUMENTS).bind(&lead).bind(now).fetch_all(&mut *tx).await?;
        for delete in sql::DELETE {
            sqlx::query(delete).bind(&lead).execute(&mut *tx).await?;
        }
        sqlx::query(sql::TOMBSTONE)
            .bind(&lead)
            .bind(by.map(|b| b.to_string()))
            .bind(now)
            .bind(why.reason)
            .bind(&key)
            .bind(why.reference)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Open dashboards drop the lead: they read their view again.
        self.events.resync_leads();
        // The erased rows' old page images leave the WAL too (in the background: a busy WAL waits).
        let db = self.clone();
        tokio::spawn(async move {
            if let Err(e) = db.scrub().await {
                tracing::warn!(error = %e, "cannot truncate the WAL after an erasure");
            }
        });
        let messages = messages.iter().map(|m| uuid(m)).collect::<Result<_, _>>()?;
        Ok(Some(Erased { resume_key: key, documents, messages }))
    }

    async fn scrub(&self) -> Result<(), DbError> {
        self.truncate_wal().await
    }

    async fn file_deleted(&self, id: Uuid, key: &str) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        for sql in sql::FILE_DELETED {
            sqlx::query(sql).bind(id.to_string()).bind(key).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn pending_files(&self, limit: i64) -> Result<Vec<(Uuid, String)>, DbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(sql::PENDING_FILES).bind(limit).fetch_all(&self.pool).await?;
        rows.into_iter().map(|(id, key)| Ok((uuid(&id)?, key))).collect()
    }

    async fn created_before(&self, before: i64, limit: i64) -> Result<Vec<Uuid>, DbError> {
        let ids: Vec<String> =
            sqlx::query_scalar(sql::CREATED_BEFORE).bind(before).bind(limit).fetch_all(&self.pool).await?;
        ids.iter().map(|s| uuid(s)).collect()
    }

    async fn tombstones(&self, limit: i64) -> Result<Vec<Tombstone>, DbError> {
        let rows = sqlx::query(sql::TOMBSTONES).bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Tombstone {
                    lead_id: uuid(r.try_get("lead_id")?)?,
                    erased_by: r.try_get("erased_by")?,
                    erased_at: r.try_get("erased_at")?,
                    reason: r.try_get("reason")?,
                    reference: r.try_get("reference")?,
                })
            })
            .collect()
    }
}
