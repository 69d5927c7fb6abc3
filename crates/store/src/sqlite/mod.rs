//! SQLite, the embedded default: WAL, a busy timeout, `BEGIN IMMEDIATE` for
//! writes so concurrent writers queue on the lock instead of failing
//! mid-transaction. Three ways in, each for what it does best: the sqlx pool
//! (rare writes, migrations, sessions), the writer thread (new leads, group
//! commit) and in-place readers (the per-request reads). Each capability's
//! SQL lives beside PostgreSQL's in its own folder (`leads/sqlite.rs`, …).

pub(crate) mod events;
pub(crate) mod readers;
pub(crate) mod writer;

use super::DbError;
use events::LocalEvents;
use readers::Readers;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::{str::FromStr, time::Duration};
use writer::Writer;

/// Process-wide SQLite settings; call once at start-up, before any other
/// thread exists and before any database is opened.
///
/// Memory statistics off: SQLite counts every allocation under one global
/// mutex (for `sqlite3_memory_used`, which nothing here reads). On two cores
/// the readers and the writer queued on it: 6% of a search's CPU, and most of
/// its futex waits (issue 22 profile). Once the library has initialised the
/// call is refused (`SQLITE_MISUSE`) and changes nothing.
pub fn tune_process() {
    // SAFETY: `sqlite3_config` must not run while another thread uses SQLite;
    // the caller runs it first, on the only thread.
    unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::os::raw::c_int);
    }
}

#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub(crate) pool: SqlitePool,
    /// Hot-path reads, on the caller's thread.
    pub(crate) readers: Readers,
    pub(crate) writer: Writer,
    pub(crate) events: LocalEvents,
}

impl SqliteDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged submission survives power loss, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Deleted content is overwritten with zeros, not left in free
            // space: an erased lead must leave no byte in the file.
            .pragma("secure_delete", "ON");
        if options.get_filename().as_os_str() == ":memory:" || url.contains("mode=memory") {
            // The writer and the readers open their own connections to the file.
            return Err(DbError::Config("in-memory SQLite is not supported; name a file".into()));
        }
        let path = options.get_filename().to_owned();
        {
            // Migrated over a pool of one connection, closed before any other
            // opens: a migration that edits a table's definition in place
            // (0030) leaves the connection that ran it with the old one.
            let once = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            sqlx::migrate!("../../migrations/sqlite").run(&once).await?;
            once.close().await;
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        crate::conflicts::fill_party_names_sqlite(&pool).await?;
        let events = LocalEvents::default();
        let writer = Writer::start(&path, events.clone())?;
        tokio::spawn(checkpoint_wal(pool.clone()));
        Ok(Self { pool, readers: Readers::new(&path), writer, events })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

impl SqliteDb {
    /// After an erasure: copies the whole WAL into the database file (whose
    /// pages secure_delete has zeroed) and truncates the WAL to nothing, so
    /// the erased rows' old page images are gone from it too. A reader or
    /// the writer in the way makes it busy: tried again for a few seconds.
    pub(crate) async fn truncate_wal(&self) -> Result<(), DbError> {
        for _ in 0..50 {
            let (busy, _, _): (i64, i64, i64) =
                sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
            if busy == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(DbError::Worker("the WAL stayed busy; it is truncated after the next erasure".into()))
    }
}

/// Copies the WAL back into the database file once a second, beside the lead
/// writer (which does not checkpoint, so a group commit never waits for one).
/// PASSIVE never blocks readers or the writer; it stops when the pool closes.
async fn checkpoint_wal(pool: SqlitePool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}
