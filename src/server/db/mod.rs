//! The data layer: plain functions over a database handle, no HTTP here.
//!
//! [`Db`] picks its backend from the URL's scheme; each backend has its own
//! SQL and migrations folder, and the rest of the app sees one interface.

pub mod postgres;
mod postgres_accounts;
pub mod postgres_counters;
mod postgres_dashboard;
mod sqlite;
mod sqlite_accounts;
mod sqlite_dashboard;
mod sqlite_read;
mod sqlite_write;

pub use crate::domain::dashboard::{HistoryEntry, LeadFilter, LeadSummary, LiveEvent};

use crate::domain::LeadState;
use std::time::{SystemTime, UNIX_EPOCH};
use uuid::Uuid;

/// Failures the callers can act on; everything else is `Other` (logged, 500).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("a lead with this email already exists")]
    DuplicateEmail,
    #[error("an attorney with this email already exists")]
    DuplicateAttorney,
    #[error("database error: {0}")]
    Other(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Searches count matches only up to this many (shown as "1000+").
pub const SEARCH_COUNT_CAP: i64 = 1000;

/// Escapes LIKE wildcards so a search for "50%" means the text "50%".
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Reads a stored state; anything else is a decode error.
fn parse_state(s: String) -> Result<LeadState, DbError> {
    s.parse().map_err(|e: String| DbError::Other(sqlx::Error::Decode(e.into())))
}

/// Reads a stored `lead_events.kind`.
fn event_kind(kind: &str) -> crate::domain::dashboard::LiveEventKind {
    use crate::domain::dashboard::LiveEventKind;
    if kind == "CREATED" { LiveEventKind::Created } else { LiveEventKind::StateChanged }
}

/// Milliseconds since the Unix epoch, the unit every stored time uses.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A lead ready to be stored.
#[derive(Clone, Debug)]
pub struct NewLead {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub email_normalized: String,
    pub created_at: i64,
    pub resume: ResumeMeta,
}

/// What we know about a stored resume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResumeMeta {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub key: String,
}

/// A stored lead.
#[derive(Clone, Debug)]
pub struct Lead {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub state: LeadState,
    pub created_at: i64,
    pub updated_at: i64,
    pub resume: ResumeMeta,
}

/// An email to queue.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub id: Uuid,
    pub kind: &'static str,
    pub recipients: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// A queued email, claimed for sending.
#[derive(Clone, Debug)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub lead_id: Option<Uuid>,
    pub kind: String,
    pub recipients: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
}

/// Delivery status of one email, as shown to attorneys and tests.
#[derive(Clone, Debug)]
pub struct MessageStatus {
    pub id: Uuid,
    pub kind: String,
    pub recipients: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

/// An attorney account.
#[derive(Clone, Debug)]
pub struct Attorney {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: i64,
    pub disabled: bool,
    /// Sessions that logged in before this time (ms) are over: set by
    /// logging out, disabling the account and resetting its password.
    pub sessions_valid_after: i64,
}

/// Outcome of "mark reached out".
#[derive(Clone, Debug)]
pub enum MarkOutcome {
    Marked(LiveEvent),
    AlreadyMarked { by: Option<String>, at: Option<i64> },
    NotFound,
}

/// Calls the same method on whichever backend is in use.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            Db::Sqlite(db) => db.$method($($arg),*).await,
            Db::Postgres(db) => db.$method($($arg),*).await,
        }
    };
}

/// A handle to the database, cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PgDb),
}

impl Db {
    /// Connects and applies migrations; a failed migration is an error.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(sqlite::SqliteDb::connect(url).await?))
        } else {
            Ok(Self::Postgres(postgres::PgDb::connect(url).await?))
        }
    }

    /// Stores a lead, its history's first entry and its emails in one
    /// transaction; returns the live event announcing it.
    pub async fn insert_lead(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        dispatch!(self.insert_lead(lead, messages))
    }

    pub async fn attorney_count(&self) -> Result<i64, DbError> {
        dispatch!(self.attorney_count())
    }

    pub async fn create_attorney(&self, a: &Attorney) -> Result<(), DbError> {
        dispatch!(self.create_attorney(a))
    }

    pub async fn attorney_by_email(&self, email: &str) -> Result<Option<Attorney>, DbError> {
        dispatch!(self.attorney_by_email(email))
    }

    pub async fn attorney_by_id(&self, id: Uuid) -> Result<Option<Attorney>, DbError> {
        dispatch!(self.attorney_by_id(id))
    }

    pub async fn list_attorneys(&self) -> Result<Vec<Attorney>, DbError> {
        dispatch!(self.list_attorneys())
    }

    /// Ends every session of this account, on every instance.
    pub async fn end_sessions(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        dispatch!(self.end_sessions(id, now))
    }

    /// Returns false when no account has this email. Ends the account's sessions.
    pub async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, DbError> {
        dispatch!(self.set_password_hash(email, hash))
    }

    /// Returns false when no account has this email. Ends the account's sessions.
    pub async fn set_disabled(&self, email: &str, disabled: bool) -> Result<bool, DbError> {
        dispatch!(self.set_disabled(email, disabled))
    }

    /// One page of leads, newest first, and the number matching the filter.
    pub async fn list_leads(&self, filter: &LeadFilter, limit: i64) -> Result<(Vec<LeadSummary>, i64), DbError> {
        dispatch!(self.list_leads(filter, limit))
    }

    pub async fn lead_summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError> {
        dispatch!(self.lead_summary(id))
    }

    pub async fn lead_history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError> {
        dispatch!(self.lead_history(id))
    }

    /// Moves a pending lead to reached-out, once: a second attempt reports who did it.
    pub async fn mark_reached_out(&self, id: Uuid, attorney: &Attorney, now: i64) -> Result<MarkOutcome, DbError> {
        dispatch!(self.mark_reached_out(id, attorney, now))
    }

    /// Events after `id`, oldest first (to catch a reconnecting stream up).
    pub async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError> {
        dispatch!(self.events_after(id, limit))
    }

    pub async fn lead(&self, id: Uuid) -> Result<Option<Lead>, DbError> {
        dispatch!(self.lead(id))
    }

    /// Whether a lead refers to this resume storage key (used to recover staged files).
    pub async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        dispatch!(self.resume_key_exists(key))
    }

    /// Leases up to `limit` due messages to `owner` for `lease_ms`, so no other sender takes them.
    pub async fn claim_due_messages(
        &self,
        owner: Uuid,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, DbError> {
        dispatch!(self.claim_due_messages(owner, now, lease_ms, limit))
    }

    /// Extends every lease `owner` holds to `until` (the sender's heartbeat).
    pub async fn renew_leases(&self, owner: Uuid, until: i64) -> Result<(), DbError> {
        dispatch!(self.renew_leases(owner, until))
    }

    /// Frees leases so the messages are sent at once: `owner`'s at shutdown;
    /// `None` at start-up, which frees a dead run's leases where that is safe (SQLite).
    pub async fn release_leases(&self, owner: Option<Uuid>) -> Result<(), DbError> {
        dispatch!(self.release_leases(owner))
    }

    /// Records that these messages were accepted by the mail server.
    pub async fn mark_sent(&self, ids: &[Uuid], now: i64) -> Result<(), DbError> {
        dispatch!(self.mark_sent(ids, now))
    }

    /// Records a failed attempt; `next_attempt_at: None` gives up for good.
    pub async fn mark_attempt_failed(
        &self,
        id: Uuid,
        error: &str,
        next_attempt_at: Option<i64>,
    ) -> Result<(), DbError> {
        dispatch!(self.mark_attempt_failed(id, error, next_attempt_at))
    }

    /// When the earliest queued message becomes due (or its lease ends).
    pub async fn next_message_due(&self) -> Result<Option<i64>, DbError> {
        dispatch!(self.next_message_due())
    }

    pub async fn messages_for_lead(&self, lead_id: Uuid) -> Result<Vec<MessageStatus>, DbError> {
        dispatch!(self.messages_for_lead(lead_id))
    }

    /// SQLite only: a session record's bytes from tower-sessions' table, read in place.
    pub fn sqlite_session_data(&self, id: &str) -> Result<Option<Vec<u8>>, DbError> {
        match self {
            Self::Sqlite(db) => db.readers.with(|conn| sqlite_read::session_data(conn, id)),
            Self::Postgres(_) => Ok(None),
        }
    }

    pub fn sqlite_pool(&self) -> Option<sqlx::SqlitePool> {
        match self {
            Self::Sqlite(db) => Some(db.pool.clone()),
            Self::Postgres(_) => None,
        }
    }

    /// Counters shared by every instance: only PostgreSQL deployments run several.
    pub fn shared_counters(&self) -> Option<postgres::PgDb> {
        match self {
            Self::Postgres(db) => Some(db.clone()),
            Self::Sqlite(_) => None,
        }
    }

    pub fn pg_pool(&self) -> Option<sqlx::PgPool> {
        match self {
            Self::Postgres(db) => Some(db.pool.clone()),
            Self::Sqlite(_) => None,
        }
    }

    pub async fn close(&self) {
        dispatch!(self.close())
    }
}
