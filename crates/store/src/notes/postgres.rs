//! PostgreSQL: notes.

use super::{NewNote, NoteEdit, NoteStore, StoredNote, sql};
use crate::{DbError, dollars, postgres::PgDb, postgres::events::notify_notes, row};
use async_trait::async_trait;
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

static ADD: LazyLock<String> = LazyLock::new(|| dollars(sql::ADD));
static LOCK_LEAD: LazyLock<String> = LazyLock::new(|| dollars(sql::LOCK_LEAD));
static LIST: LazyLock<String> = LazyLock::new(|| dollars(sql::LIST));
static EDIT: LazyLock<String> = LazyLock::new(|| dollars(sql::EDIT));
static WHO: LazyLock<String> = LazyLock::new(|| dollars(sql::WHO));

#[async_trait]
impl NoteStore for PgDb {
    async fn add_note(&self, n: &NewNote<'_>, max: i64) -> Result<bool, DbError> {
        // Announced in the transaction that stores it: every instance hears of it at commit.
        let mut tx = self.pool.begin().await?;
        sqlx::query(&LOCK_LEAD).bind(n.lead_id).execute(&mut *tx).await?;
        let done = sqlx::query(&ADD)
            .bind(n.id)
            .bind(n.lead_id)
            .bind(n.attorney_id)
            .bind(n.body)
            .bind(n.now)
            .bind(max)
            .execute(&mut *tx)
            .await?;
        let added = done.rows_affected() == 1;
        if added {
            notify_notes(&mut tx, n.lead_id).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn notes(&self, lead: Uuid) -> Result<Vec<StoredNote>, DbError> {
        let rows = sqlx::query(&LIST).bind(lead).fetch_all(&self.pool).await?;
        rows.iter().map(row::note).collect()
    }

    async fn edit_note(&self, id: Uuid, by: Uuid, body: &str, now: i64, not_before: i64) -> Result<NoteEdit, DbError> {
        let mut tx = self.pool.begin().await?;
        let edited =
            sqlx::query(&EDIT).bind(body).bind(now).bind(id).bind(by).bind(not_before).fetch_optional(&mut *tx).await?;
        if let Some(r) = edited {
            notify_notes(&mut tx, r.try_get("lead_id")?).await?;
            tx.commit().await?;
            return Ok(NoteEdit::Edited);
        }
        drop(tx);
        let found = sqlx::query(&WHO).bind(id).fetch_optional(&self.pool).await?;
        let found = match found {
            Some(r) => Some((r.try_get::<Uuid, _>("attorney_id")?, r.try_get("created_at")?)),
            None => None,
        };
        Ok(super::why_not(found, by, not_before))
    }
}
