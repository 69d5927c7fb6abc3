//! PostgreSQL: API tokens.

use super::{TokenStore, sql};
use crate::{ApiToken, DbError, postgres::PgDb, row};
use async_trait::async_trait;
use std::sync::LazyLock;
use uuid::Uuid;

static INSERT: LazyLock<String> = LazyLock::new(|| sql::dollars(sql::INSERT));
static REVOKE: LazyLock<String> = LazyLock::new(|| sql::dollars(sql::REVOKE));
static TOUCH: LazyLock<String> = LazyLock::new(|| sql::dollars(sql::TOUCH));
static BY_HASH: LazyLock<String> = LazyLock::new(|| sql::dollars(&sql::BY_HASH));

#[async_trait]
impl TokenStore for PgDb {
    async fn create_token(&self, t: &ApiToken, secret_hash: &str) -> Result<(), DbError> {
        sqlx::query(&INSERT)
            .bind(t.id)
            .bind(&t.name)
            .bind(t.scope.as_str())
            .bind(secret_hash)
            .bind(t.attorney_id)
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
        let done = sqlx::query(&REVOKE).bind(now).bind(id).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<ApiToken>, DbError> {
        let row = sqlx::query(&BY_HASH).bind(secret_hash).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::api_token).transpose()
    }

    async fn touch_token(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query(&TOUCH).bind(now).bind(id).execute(&self.pool).await?;
        Ok(())
    }
}
