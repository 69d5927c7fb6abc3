use super::{COLUMNS, FormStore, FormVersion, SAVE, definition, row};
use crate::{DbError, sqlite::SqliteDb};
use async_trait::async_trait;
use intake_domain::questions::IntakeForm;
use uuid::Uuid;

#[async_trait]
impl FormStore for SqliteDb {
    async fn current_form(&self) -> Result<Option<FormVersion>, DbError> {
        let sql = format!("SELECT {COLUMNS} FROM intake_forms ORDER BY version DESC LIMIT 1");
        sqlx::query(&sql).fetch_optional(&self.pool).await?.as_ref().map(row).transpose()
    }

    async fn newest_version(&self) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar("SELECT MAX(version) FROM intake_forms").fetch_one(&self.pool).await?)
    }

    async fn form_version(&self, version: i64) -> Result<Option<FormVersion>, DbError> {
        let sql = format!("SELECT {COLUMNS} FROM intake_forms WHERE version = ?1");
        sqlx::query(&sql).bind(version).fetch_optional(&self.pool).await?.as_ref().map(row).transpose()
    }

    async fn form_versions(&self) -> Result<Vec<FormVersion>, DbError> {
        let sql = format!("SELECT {COLUMNS} FROM intake_forms ORDER BY version DESC");
        sqlx::query(&sql).fetch_all(&self.pool).await?.iter().map(row).collect()
    }

    async fn save_form(
        &self,
        form: &IntakeForm,
        after: Option<i64>,
        by: Uuid,
        now: i64,
    ) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar(SAVE)
            .bind(definition(form)?)
            .bind(now)
            .bind(by.hyphenated().to_string())
            .bind(after.unwrap_or(0))
            .fetch_optional(&self.pool)
            .await?)
    }
}
