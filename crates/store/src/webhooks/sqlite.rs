//! SQLite: webhook endpoints (deliveries are queued by `deliveries.rs`).

use super::{WebhookStore, sql};
use crate::{DbError, WebhookEndpoint, row, sqlite::SqliteDb};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl WebhookStore for SqliteDb {
    async fn add_endpoint(&self, e: &WebhookEndpoint) -> Result<(), DbError> {
        sqlx::query(sql::INSERT)
            .bind(e.id.to_string())
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query(sql::REMOVE).bind(now).bind(id.to_string()).execute(&mut *tx).await?;
        sqlx::query(sql::GIVE_UP).bind(id.to_string()).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
