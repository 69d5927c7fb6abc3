//! SQLite: notes.

use super::{NewNote, NoteEdit, NoteStore, StoredNote, sql};
use crate::{DbError, row, sqlite::SqliteDb};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

#[async_trait]
impl NoteStore for SqliteDb {
    async fn add_note(&self, n: &NewNote<'_>, max: i64) -> Result<bool, DbError> {
        let done = sqlx::query(sql::ADD)
            .bind(n.id.to_string())
            .bind(n.lead_id.to_string())
            .bind(n.attorney_id.to_string())
            .bind(n.body)
            .bind(n.now)
            .bind(max)
            .execute(&self.pool)
            .await?;
        let added = done.rows_affected() == 1;
        if added {
            self.events.publish_notes(n.lead_id);
        }
        Ok(added)
    }

    async fn notes(&self, lead: Uuid) -> Result<Vec<StoredNote>, DbError> {
        let rows = sqlx::query(sql::LIST).bind(lead.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(row::note).collect()
    }

    async fn edit_note(&self, id: Uuid, by: Uuid, body: &str, now: i64, not_before: i64) -> Result<NoteEdit, DbError> {
        let edited = sqlx::query(sql::EDIT)
            .bind(body)
            .bind(now)
            .bind(id.to_string())
            .bind(by.to_string())
            .bind(not_before)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(r) = edited {
            self.events.publish_notes(row::Columns::uuid(&r, "lead_id")?);
            return Ok(NoteEdit::Edited);
        }
        let found = sqlx::query(sql::WHO).bind(id.to_string()).fetch_optional(&self.pool).await?;
        let found = match found {
            Some(r) => Some((
                Uuid::parse_str(&r.try_get::<String, _>("attorney_id")?)
                    .map_err(|e| DbError::corrupt("attorney_id", e))?,
                r.try_get("created_at")?,
            )),
            None => None,
        };
        Ok(super::why_not(found, by, not_before))
    }
}
