//! PostgreSQL: attorney accounts. Each change that ends sessions sends its
//! NOTIFY in the same statement, so every instance's cache hears it at commit.

use super::{AccountStore, normalize};
use crate::{Attorney, DbError, Role, now_ms, postgres::PgDb, postgres::events::CHANNEL, row};
use async_trait::async_trait;
use uuid::Uuid;

/// Wraps an `UPDATE … RETURNING id` so the change is announced ({"account": id}) as it commits.
fn announced(update: &str) -> String {
    format!("WITH u AS ({update}) SELECT pg_notify('{CHANNEL}', json_build_object('account', u.id)::text) FROM u")
}

#[async_trait]
impl AccountStore for PgDb {
    async fn count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM attorneys").fetch_one(&self.pool).await?)
    }

    async fn create(&self, a: &Attorney) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO attorneys (id, email, email_normalized, display_name, password_hash, created_at, disabled, role)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id)
        .bind(&a.email)
        .bind(normalize(&a.email))
        .bind(&a.display_name)
        .bind(&a.password_hash)
        .bind(a.created_at)
        .bind(a.disabled)
        .bind(a.role.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => DbError::DuplicateAttorney,
            _ => DbError::Sqlx(e),
        })?;
        Ok(())
    }

    async fn by_email(&self, email: &str) -> Result<Option<Attorney>, DbError> {
        let row = sqlx::query("SELECT * FROM attorneys WHERE email_normalized = $1")
            .bind(normalize(email))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(row::attorney).transpose()
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<Attorney>, DbError> {
        let row = sqlx::query("SELECT * FROM attorneys WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::attorney).transpose()
    }

    async fn by_signin(&self, id: Uuid, signin: Uuid) -> Result<Option<Attorney>, DbError> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| crate::dollars(super::BY_SIGNIN));
        let row = sqlx::query(&SQL).bind(id).bind(signin).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::attorney).transpose()
    }

    async fn list(&self) -> Result<Vec<Attorney>, DbError> {
        let rows = sqlx::query("SELECT * FROM attorneys ORDER BY email_normalized").fetch_all(&self.pool).await?;
        rows.iter().map(row::attorney).collect()
    }

    async fn end_sessions(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query(&announced("UPDATE attorneys SET sessions_valid_after = $1 WHERE id = $2 RETURNING id"))
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, DbError> {
        let r = sqlx::query(&announced(
            "UPDATE attorneys SET password_hash = $1, sessions_valid_after = $3 WHERE email_normalized = $2
             RETURNING id",
        ))
        .bind(hash)
        .bind(normalize(email))
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(!r.is_empty())
    }

    async fn set_role(&self, email: &str, role: Role) -> Result<bool, DbError> {
        let r = sqlx::query(&announced(
            "UPDATE attorneys SET role = $1, sessions_valid_after = $3 WHERE email_normalized = $2 RETURNING id",
        ))
        .bind(role.as_str())
        .bind(normalize(email))
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(!r.is_empty())
    }

    async fn set_disabled(&self, email: &str, disabled: bool) -> Result<bool, DbError> {
        let r = sqlx::query(&announced(
            "UPDATE attorneys SET disabled = $1, sessions_valid_after = $3 WHERE email_normalized = $2 RETURNING id",
        ))
        .bind(disabled)
        .bind(normalize(email))
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(!r.is_empty())
    }
}
