//! SQLite: API tokens.

use super::{TokenStore, sql};
use crate::{ApiToken, DbError, row, sqlite::SqliteDb};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl TokenStore for SqliteDb {
    async fn create_token(&self, t: &ApiToken, secret_hash: &str) -> Result<(), DbError> {
        sqlx::query(sql::INSERT)
            .bind(t.id.to_string())
            .bind(&t.name)
            .bind(t.scope.as_str())
            .bind(secret_hash)
            .bind(t.attorney_id.to_string())
            .bind(t.created_at)
            .bind(t.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_tokens(&self) -> Result<Vec<ApiToken>, DbError> {
        let rows = sqlx::query(&sql::LIST).fetch_all(&self.pool).await?;
        rows.iter().map(row::api_token).collect()
    }

    async fn revoke_token(&self, id: Uuid, now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(sql::REVOKE).bind(now).bind(id.to_string()).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Read in place (see `sqlite::readers`), as every API request does it.
    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<ApiToken>, DbError> {
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached(&sql::BY_HASH)?;
            let mut rows = stmt.query([secret_hash])?;
            rows.next()?.map(row::api_token).transpose()
        })
    }

    async fn touch_token(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query(sql::TOUCH).bind(now).bind(id.to_string()).execute(&self.pool).await?;
        Ok(())
    }
}
