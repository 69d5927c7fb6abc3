//! SQLite: attorney accounts. Changes are announced in memory; the CLI,
//! another process, is not heard, so SQLite accounts are never cached.

use super::{AccountStore, normalize};
use crate::{Attorney, DbError, Role, now_ms, row, sqlite::SqliteDb};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl AccountStore for SqliteDb {
    async fn count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM attorneys").fetch_one(&self.pool).await?)
    }

    async fn create(&self, a: &Attorney) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO attorneys (id, email, email_normalized, display_name, password_hash, created_at, disabled, role)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.to_string())
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
        let row = sqlx::query("SELECT * FROM attorneys WHERE email_normalized = ?")
            .bind(normalize(email))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(row::attorney).transpose()
    }

    /// Read in place (see `sqlite::readers`): microseconds, so never cached.
    async fn by_id(&self, id: Uuid) -> Result<Option<Attorney>, DbError> {
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached("SELECT * FROM attorneys WHERE id = ?1")?;
            let mut rows = stmt.query([id.hyphenated().to_string()])?;
            rows.next()?.map(row::attorney).transpose()
        })
    }

    /// Read in place, as [`Self::by_id`].
    async fn by_signin(&self, id: Uuid, signin: Uuid) -> Result<Option<Attorney>, DbError> {
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached(super::BY_SIGNIN)?;
            let mut rows = stmt.query([id.hyphenated().to_string(), signin.hyphenated().to_string()])?;
            rows.next()?.map(row::attorney).transpose()
        })
    }

    async fn list(&self) -> Result<Vec<Attorney>, DbError> {
        let rows = sqlx::query("SELECT * FROM attorneys ORDER BY email_normalized").fetch_all(&self.pool).await?;
        rows.iter().map(row::attorney).collect()
    }

    async fn end_sessions(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE attorneys SET sessions_valid_after = ? WHERE id = ?")
            .bind(now)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        self.events.publish_account(id);
        Ok(())
    }

    async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, DbError> {
        let id: Option<String> = sqlx::query_scalar(
            "UPDATE attorneys SET password_hash = ?, sessions_valid_after = ? WHERE email_normalized = ? RETURNING id",
        )
        .bind(hash)
        .bind(now_ms())
        .bind(normalize(email))
        .fetch_optional(&self.pool)
        .await?;
        Ok(self.announce(id))
    }

    async fn set_role(&self, email: &str, role: Role) -> Result<bool, DbError> {
        let id: Option<String> = sqlx::query_scalar(
            "UPDATE attorneys SET role = ?, sessions_valid_after = ? WHERE email_normalized = ? RETURNING id",
        )
        .bind(role.as_str())
        .bind(now_ms())
        .bind(normalize(email))
        .fetch_optional(&self.pool)
        .await?;
        Ok(self.announce(id))
    }

    async fn set_disabled(&self, email: &str, disabled: bool) -> Result<bool, DbError> {
        let id: Option<String> = sqlx::query_scalar(
            "UPDATE attorneys SET disabled = ?, sessions_valid_after = ? WHERE email_normalized = ? RETURNING id",
        )
        .bind(disabled)
        .bind(now_ms())
        .bind(normalize(email))
        .fetch_optional(&self.pool)
        .await?;
        Ok(self.announce(id))
    }
}

impl SqliteDb {
    /// Announces a changed account; whether there was one.
    fn announce(&self, id: Option<String>) -> bool {
        if let Some(id) = id.as_deref().and_then(|s| Uuid::parse_str(s).ok()) {
            self.events.publish_account(id);
        }
        id.is_some()
    }
}
