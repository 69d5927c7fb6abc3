//! Erasure: a lead's personal data, notes, history and emails deleted in
//! one transaction, a tombstone kept; the resume file is deleted after the
//! commit and, should that fail or the process die, later (see
//! `server::erasure`).

mod postgres;
mod sqlite;

use super::DbError;
use async_trait::async_trait;
use uuid::Uuid;

/// An erased lead, as the audit trail shows it.
#[derive(Clone, Debug)]
pub struct Tombstone {
    pub lead_id: Uuid,
    /// `None`: erased by the retention period.
    pub erased_by: Option<String>,
    pub erased_at: i64,
    /// `ErasureReason`'s stored form.
    pub reason: String,
    pub reference: String,
}

/// Why a lead is erased: a listed reason (stored form) and a reference.
#[derive(Clone, Copy, Debug)]
pub struct Why<'a> {
    pub reason: &'a str,
    pub reference: &'a str,
}

/// What an erasure leaves to delete outside the database.
#[derive(Clone, Debug)]
pub struct Erased {
    /// The resume's storage key (`None`: the lead had no resume).
    pub resume_key: Option<String>,
    /// Its documents' storage keys (kept in `erased_files` until deleted).
    pub documents: Vec<String>,
    /// The lead's emails (written as `.eml` files when no SMTP server is set).
    pub messages: Vec<Uuid>,
}

#[async_trait]
pub trait ErasureStore: Send + Sync {
    /// Erases a lead; `None` when there is no such lead (already erased, or never was).
    async fn erase(&self, id: Uuid, by: Option<Uuid>, why: &Why<'_>, now: i64) -> Result<Option<Erased>, DbError>;

    /// After data was deleted or emptied: leaves no copy of it in the
    /// database's files (SQLite: the WAL is checkpointed and truncated;
    /// PostgreSQL: the tables are VACUUMed, in the background).
    async fn scrub(&self) -> Result<(), DbError>;

    /// Records that an erased lead's file (its resume or a document) is gone.
    async fn file_deleted(&self, id: Uuid, key: &str) -> Result<(), DbError>;

    /// Erased leads' files that may still exist: (lead, key), oldest erasure first.
    async fn pending_files(&self, limit: i64) -> Result<Vec<(Uuid, String)>, DbError>;

    /// Leads created before `before` (ms), oldest first.
    async fn created_before(&self, before: i64, limit: i64) -> Result<Vec<Uuid>, DbError>;

    /// The newest tombstones.
    async fn tombstones(&self, limit: i64) -> Result<Vec<Tombstone>, DbError>;
}

/// Shared SQL (`?N` placeholders; see `db::dollars`). The erasure runs these
/// in order inside one transaction; children before the lead.
pub(crate) mod sql {
    pub const KEY: &str = "SELECT resume_key FROM leads WHERE id = ?1";
    pub const MESSAGES: &str = "SELECT id FROM outbox WHERE lead_id = ?1";
    /// Its documents' keys, kept until their files are deleted (`?2`: now).
    pub const KEEP_DOCUMENTS: &str = "INSERT INTO erased_files (file_key, lead_id, erased_at)
         SELECT file_key, lead_id, ?2 FROM lead_documents WHERE lead_id = ?1 RETURNING file_key";
    pub const DELETE: [&str; 9] = [
        "DELETE FROM lead_documents WHERE lead_id = ?1",
        "DELETE FROM lead_notes WHERE lead_id = ?1",
        "DELETE FROM lead_answers WHERE lead_id = ?1",
        // Its matches, and other leads' matches naming it.
        "DELETE FROM conflict_matches WHERE lead_id = ?1 OR other_lead = ?1",
        "DELETE FROM lead_words WHERE lead_id = ?1",
        "DELETE FROM lead_resubmissions WHERE lead_id = ?1",
        "DELETE FROM outbox WHERE lead_id = ?1",
        "DELETE FROM lead_events WHERE lead_id = ?1",
        "DELETE FROM leads WHERE id = ?1",
    ];
    pub const TOMBSTONE: &str = "INSERT INTO erasures (lead_id, erased_by, erased_at, reason, resume_key, reference)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    pub const FILE_DELETED: [&str; 2] = [
        "UPDATE erasures SET resume_key = NULL WHERE lead_id = ?1 AND resume_key = ?2",
        "DELETE FROM erased_files WHERE lead_id = ?1 AND file_key = ?2",
    ];
    pub const PENDING_FILES: &str = "SELECT lead_id, file_key FROM (
             SELECT lead_id, resume_key AS file_key, erased_at FROM erasures WHERE resume_key IS NOT NULL
             UNION ALL SELECT lead_id, file_key, erased_at FROM erased_files) pending
         ORDER BY erased_at LIMIT ?1";
    pub const CREATED_BEFORE: &str = "SELECT id FROM leads WHERE created_at < ?1 ORDER BY created_at LIMIT ?2";
    pub const TOMBSTONES: &str = "SELECT e.lead_id, a.display_name AS erased_by, e.erased_at, e.reason, e.reference
         FROM erasures e LEFT JOIN attorneys a ON a.id = e.erased_by ORDER BY e.erased_at DESC LIMIT ?1";
}
