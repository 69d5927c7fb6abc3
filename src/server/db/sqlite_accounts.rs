//! SQLite: attorney accounts.

use super::{Attorney, DbError, sqlite::SqliteDb, sqlite::parse_uuid};
use sqlx::{Row, sqlite::SqliteRow};
use uuid::Uuid;

impl SqliteDb {
    pub async fn attorney_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM attorneys").fetch_one(&self.pool).await?)
    }

    pub async fn create_attorney(&self, a: &Attorney) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO attorneys (id, email, email_normalized, display_name, password_hash, created_at, disabled)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.to_string())
        .bind(&a.email)
        .bind(a.email.to_lowercase())
        .bind(&a.display_name)
        .bind(&a.password_hash)
        .bind(a.created_at)
        .bind(a.disabled)
        .execute(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => DbError::DuplicateAttorney,
            _ => DbError::Other(e),
        })?;
        Ok(())
    }

    pub async fn attorney_by_email(&self, email: &str) -> Result<Option<Attorney>, DbError> {
        let row = sqlx::query("SELECT * FROM attorneys WHERE email_normalized = ?")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| attorney_from_row(&r)).transpose()
    }

    /// Checked on every internal request, so read in place (see `sqlite_read`).
    pub async fn attorney_by_id(&self, id: Uuid) -> Result<Option<Attorney>, DbError> {
        self.readers.with(|conn| super::sqlite_read::attorney_by_id(conn, id))
    }

    pub async fn list_attorneys(&self) -> Result<Vec<Attorney>, DbError> {
        let rows = sqlx::query("SELECT * FROM attorneys ORDER BY email_normalized").fetch_all(&self.pool).await?;
        rows.iter().map(attorney_from_row).collect()
    }

    pub async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, DbError> {
        let r =
            sqlx::query("UPDATE attorneys SET password_hash = ?, sessions_valid_after = ? WHERE email_normalized = ?")
                .bind(hash)
                .bind(super::now_ms())
                .bind(email.trim().to_lowercase())
                .execute(&self.pool)
                .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn set_disabled(&self, email: &str, disabled: bool) -> Result<bool, DbError> {
        let r = sqlx::query("UPDATE attorneys SET disabled = ?, sessions_valid_after = ? WHERE email_normalized = ?")
            .bind(disabled)
            .bind(super::now_ms())
            .bind(email.trim().to_lowercase())
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }
}

impl SqliteDb {
    pub async fn end_sessions(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE attorneys SET sessions_valid_after = ? WHERE id = ?")
            .bind(now)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn attorney_from_row(r: &SqliteRow) -> Result<Attorney, DbError> {
    Ok(Attorney {
        id: parse_uuid(r.try_get("id")?)?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        created_at: r.try_get("created_at")?,
        disabled: r.try_get("disabled")?,
        sessions_valid_after: r.try_get("sessions_valid_after")?,
    })
}
