//! Attorneys' notes on a lead: added by anyone signed in, edited only by
//! their author within a short window (the edit is recorded). Each change
//! is announced to the lead's open pages once it is stored.

mod postgres;
mod sqlite;

use super::DbError;
use async_trait::async_trait;
use uuid::Uuid;

/// A stored note, with its author's name.
#[derive(Clone, Debug)]
pub struct StoredNote {
    pub id: Uuid,
    pub attorney_id: Uuid,
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// A note to add.
#[derive(Clone, Copy, Debug)]
pub struct NewNote<'a> {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub attorney_id: Uuid,
    pub body: &'a str,
    pub now: i64,
}

/// Outcome of an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteEdit {
    Edited,
    NotFound,
    NotAuthor,
    TooLate,
}

#[async_trait]
pub trait NoteStore: Send + Sync {
    /// Adds a note unless the lead holds `max` already; false when it does,
    /// or when the lead does not exist.
    async fn add_note(&self, new: &NewNote<'_>, max: i64) -> Result<bool, DbError>;

    /// A lead's notes, oldest first.
    async fn notes(&self, lead_id: Uuid) -> Result<Vec<StoredNote>, DbError>;

    /// Changes a note if `by` wrote it after `not_before`; otherwise says why not.
    async fn edit_note(&self, id: Uuid, by: Uuid, body: &str, now: i64, not_before: i64) -> Result<NoteEdit, DbError>;
}

/// Shared SQL (`?N` placeholders; see `db::dollars`).
pub(crate) mod sql {
    pub const ADD: &str = "INSERT INTO lead_notes (id, lead_id, attorney_id, body, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?2)
           AND (SELECT COUNT(*) FROM lead_notes WHERE lead_id = ?2) < ?6";
    /// PostgreSQL: taken first, so two notes added at once cannot both pass the count.
    pub const LOCK_LEAD: &str = "SELECT 1 FROM leads WHERE id = ?1 FOR UPDATE";
    pub const LIST: &str = "SELECT n.id, n.attorney_id, a.display_name AS author, n.body, n.created_at, n.edited_at
         FROM lead_notes n JOIN attorneys a ON a.id = n.attorney_id WHERE n.lead_id = ?1 ORDER BY n.created_at, n.id";
    pub const EDIT: &str = "UPDATE lead_notes SET body = ?1, edited_at = ?2
         WHERE id = ?3 AND attorney_id = ?4 AND created_at >= ?5 RETURNING lead_id";
    pub const WHO: &str = "SELECT attorney_id, created_at FROM lead_notes WHERE id = ?1";
}

/// Why an edit did not happen, from the note's author and time.
pub(crate) fn why_not(found: Option<(Uuid, i64)>, by: Uuid, not_before: i64) -> NoteEdit {
    match found {
        None => NoteEdit::NotFound,
        Some((author, _)) if author != by => NoteEdit::NotAuthor,
        Some((_, created)) if created < not_before => NoteEdit::TooLate,
        // Changed between the update and this read: as good as too late.
        Some(_) => NoteEdit::TooLate,
    }
}
