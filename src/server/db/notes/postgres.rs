//! PostgreSQL: notes.

use super::{NoteEdit, NoteStore, StoredNote, sql};
use crate::server::db::{DbError, dollars, postgres::PgDb, row};
use async_trait::async_trait;
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

static ADD: LazyLock<String> = LazyLock::new(|| dollars(sql::ADD));
static LIST: LazyLock<String> = LazyLock::new(|| dollars(sql::LIST));
static EDIT: LazyLock<String> = LazyLock::new(|| dollars(sql::EDIT));
static WHO: LazyLock<String> = LazyLock::new(|| dollars(sql::WHO));

#[async_trait]
impl NoteStore for PgDb {
    async fn add_note(&self, id: Uuid, lead: Uuid, by: Uuid, body: &str, now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(&ADD).bind(id).bind(lead).bind(by).bind(body).bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn notes(&self, lead: Uuid) -> Result<Vec<StoredNote>, DbError> {
        let rows = sqlx::query(&LIST).bind(lead).fetch_all(&self.pool).await?;
        rows.iter().map(row::note).collect()
    }

    async fn edit_note(&self, id: Uuid, by: Uuid, body: &str, now: i64, not_before: i64) -> Result<NoteEdit, DbError> {
        let done =
            sqlx::query(&EDIT).bind(body).bind(now).bind(id).bind(by).bind(not_before).execute(&self.pool).await?;
        if done.rows_affected() == 1 {
            return Ok(NoteEdit::Edited);
        }
        let found = sqlx::query(&WHO).bind(id).fetch_optional(&self.pool).await?;
        let found = match found {
            Some(r) => Some((r.try_get::<Uuid, _>("attorney_id")?, r.try_get("created_at")?)),
            None => None,
        };
        Ok(super::why_not(found, by, not_before))
    }
}
