//! The data layer's one error type, honest for both drivers: each failure
//! says where it happened instead of being dressed up as another driver's error.

/// Failures the callers can act on (duplicates), and the rest (logged, 503/500).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("a lead with this email already exists")]
    DuplicateEmail,
    #[error("an attorney with this email already exists")]
    DuplicateAttorney,
    /// A query through sqlx failed (PostgreSQL, or SQLite's pooled path).
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// A query on SQLite's own connections (the lead writer, in-place readers) failed.
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The lead writer's group transaction failed: none of its leads were stored.
    #[error("group commit failed: {0}")]
    GroupCommit(String),
    /// The database is shutting down (pool closed, writer gone).
    #[error("the database is closed")]
    Closed,
    /// A stored value the application cannot read (a bad UUID or state).
    #[error("unreadable stored value in {column}: {reason}")]
    Corrupt { column: &'static str, reason: String },
    /// Start-up: the database URL or a driver setting cannot work.
    #[error("database configuration: {0}")]
    Config(String),
    /// A background task or thread failed (panicked, could not start).
    #[error("database worker failed: {0}")]
    Worker(String),
}

impl DbError {
    pub(crate) fn corrupt(column: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt { column, reason: reason.to_string() }
    }
}
