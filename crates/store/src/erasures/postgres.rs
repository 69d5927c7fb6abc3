//! PostgreSQL: erasure. Every instance's dashboards hear of it through the
//! same NOTIFY as lead events.

use super::{Erased, ErasureStore, Tombstone, Why, sql};
use crate::{DbError, dollars, postgres::PgDb, postgres::events::notify_resync};
use async_trait::async_trait;
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

static KEY: LazyLock<String> = LazyLock::new(|| dollars(sql::KEY));
static MESSAGES: LazyLock<String> = LazyLock::new(|| dollars(sql::MESSAGES));
static DELETE: LazyLock<Vec<String>> = LazyLock::new(|| sql::DELETE.iter().map(|s| dollars(s)).collect());
static TOMBSTONE: LazyLock<String> = LazyLock::new(|| dollars(sql::TOMBSTONE));
static KEEP_DOCUMENTS: LazyLock<String> = LazyLock::new(|| dollars(sql::KEEP_DOCUMENTS));
static FILE_DELETED: LazyLock<Vec<String>> = LazyLock::new(|| sql::FILE_DELETED.iter().map(|s| dollars(s)).collect());
static PENDING_FILES: LazyLock<String> = LazyLock::new(|| dollars(sql::PENDING_FILES));
static CREATED_BEFORE: LazyLock<String> = LazyLock::new(|| dollars(sql::CREATED_BEFORE));
static TOMBSTONES: LazyLock<String> = LazyLock::new(|| dollars(sql::TOMBSTONES));

#[async_trait]
impl ErasureStore for PgDb {
    async fn erase(&self, id: Uuid, by: Option<Uuid>, why: &Why<'_>, now: i64) -> Result<Option<Erased>, DbError> {
        let mut tx = self.pool.begin().await?;
        // Locks the lead: a concurrent erasure waits, then finds nothing.
        // The row (`None`: no such lead), then its resume key (`None`: it has no resume).
        let key: Option<Option<String>> =
            sqlx::query_scalar(&format!("{} FOR UPDATE", *KEY)).bind(id).fetch_optional(&mut *tx).await?;
        let Some(key) = key else { return Ok(None) };
        let messages: Vec<Uuid> = sqlx::query_scalar(&MESSAGES).bind(id).fetch_all(&mut *tx).await?;
        let documents: Vec<String> = sqlx::query_scalar(&KEEP_DOCUMENTS).bind(id).bind(now).fetch_all(&mut *tx).await?;
        for delete in DELETE.iter() {
            sqlx::query(delete).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query(&TOMBSTONE)
            .bind(id)
            .bind(by)
            .bind(now)
            .bind(why.reason)
            .bind(&key)
            .bind(why.reference)
            .execute(&mut *tx)
            .await?;
        notify_resync(&mut tx).await?;
        tx.commit().await?;
        self.vacuum_soon();
        Ok(Some(Erased { resume_key: key, documents, messages }))
    }

    async fn scrub(&self) -> Result<(), DbError> {
        self.vacuum_soon();
        Ok(())
    }

    async fn file_deleted(&self, id: Uuid, key: &str) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        for sql in FILE_DELETED.iter() {
            sqlx::query(sql).bind(id).bind(key).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn pending_files(&self, limit: i64) -> Result<Vec<(Uuid, String)>, DbError> {
        Ok(sqlx::query_as(&PENDING_FILES).bind(limit).fetch_all(&self.pool).await?)
    }

    async fn created_before(&self, before: i64, limit: i64) -> Result<Vec<Uuid>, DbError> {
        Ok(sqlx::query_scalar(&CREATED_BEFORE).bind(before).bind(limit).fetch_all(&self.pool).await?)
    }

    async fn tombstones(&self, limit: i64) -> Result<Vec<Tombstone>, DbError> {
        let rows = sqlx::query(&TOMBSTONES).bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Tombstone {
                    lead_id: r.try_get("lead_id")?,
                    erased_by: r.try_get("erased_by")?,
                    erased_at: r.try_get("erased_at")?,
                    reason: r.try_get("reason")?,
                    reference: r.try_get("reference")?,
                })
            })
            .collect()
    }
}
