//! PostgreSQL: webhook endpoints (deliveries are queued by `deliveries.rs`).

use super::{WebhookStore, sql};
use crate::{DbError, WebhookEndpoint, dollars, postgres::PgDb, row};
use async_trait::async_trait;
use std::sync::LazyLock;
use uuid::Uuid;

static INSERT: LazyLock<String> = LazyLock::new(|| dollars(sql::INSERT));
static GIVE_UP: LazyLock<String> = LazyLock::new(|| dollars(sql::GIVE_UP));
static REMOVE: LazyLock<String> = LazyLock::new(|| dollars(sql::REMOVE));

#[async_trait]
impl WebhookStore for PgDb {
    async fn add_endpoint(&self, e: &WebhookEndpoint) -> Result<(), DbError> {
        sqlx::query(&INSERT)
            .bind(e.id)
            .bind(&e.url)
            .bind(e.secret.expose())
            .bind(e.created_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, DbError> {
        let rows = sqlx::query(&sql::LIST).fetch_all(&self.pool).await?;
        rows.iter().map(row::webhook_endpoint).collect()
    }

    async fn remove_endpoint(&self, id: Uuid, now: i64) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(&REMOVE).bind(now).bind(id).execute(&mut *tx).await?;
        sqlx::query(&GIVE_UP).bind(id).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
