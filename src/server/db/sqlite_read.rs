//! SQLite reads on the hot paths (session, attorney, dashboard page), run
//! in place on the calling thread over a small pool of read-only connections.
//!
//! sqlx-sqlite gives each connection its own thread, so every query is a
//! round trip between threads; for the dashboard's four small queries per
//! request those hand-offs cost more than the queries (see the issue 4
//! profile). Bounded index lookups from the page cache take microseconds, so
//! they run on the async worker directly; scans (search) go to the blocking
//! pool. WAL readers never wait for the writer.

use super::{Attorney, DbError, LeadSummary};
use rusqlite::{Connection, OpenFlags, Row};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Idle connections kept (each has its own page cache); more are opened
/// under load and closed when returned.
const KEEP: usize = 16;

#[derive(Clone, Debug)]
pub struct Readers {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Scans at once: more than the cores would only queue on them, each with a connection.
    scans: Semaphore,
}

impl Readers {
    pub fn new(path: &Path) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
                scans: Semaphore::new(cores),
            }),
        }
    }

    /// Runs `f` on a pooled connection, on this thread.
    pub fn with<R>(&self, f: impl FnOnce(&Connection) -> Result<R, DbError>) -> Result<R, DbError> {
        let taken = self.inner.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match taken {
            Some(c) => c,
            None => open(&self.inner.path)?,
        };
        let out = f(&conn);
        let mut idle = self.inner.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
        out
    }

    /// Runs `f` on the blocking pool: for queries that may scan.
    pub async fn with_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, DbError> + Send + 'static,
    ) -> Result<R, DbError> {
        let _permit = self.inner.scans.acquire().await.map_err(|_| DbError::Other(sqlx::Error::PoolClosed))?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.with(f))
            .await
            .map_err(|e| DbError::Other(sqlx::Error::Protocol(format!("reader task failed: {e}"))))?
    }
}

fn open(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Column `i` as a UUID stored as text, read without allocating.
fn uuid_at(r: &Row<'_>, i: usize) -> Result<Uuid, DbError> {
    let v = r.get_ref(i)?;
    let s = v.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(e)))?;
    Uuid::parse_str(s).map_err(|e| DbError::Other(sqlx::Error::Decode(Box::new(e))))
}

/// A session record's bytes (tower-sessions' SQLite table); the caller checks its expiry.
pub fn session_data(conn: &Connection, id: &str) -> Result<Option<Vec<u8>>, DbError> {
    let mut stmt = conn.prepare_cached("SELECT data FROM sessions WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

pub fn attorney_by_id(conn: &Connection, id: Uuid) -> Result<Option<Attorney>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, email, display_name, password_hash, created_at, disabled, sessions_valid_after
         FROM attorneys WHERE id = ?1",
    )?;
    let mut rows = stmt.query([id.hyphenated().to_string()])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    Ok(Some(Attorney {
        id: uuid_at(r, 0)?,
        email: r.get(1)?,
        display_name: r.get(2)?,
        password_hash: r.get(3)?,
        created_at: r.get(4)?,
        disabled: r.get(5)?,
        sessions_valid_after: r.get(6)?,
    }))
}

/// Maps a row of [`super::sqlite_dashboard::SUMMARY_COLUMNS`].
pub fn summary(r: &Row<'_>) -> Result<LeadSummary, DbError> {
    Ok(LeadSummary {
        id: uuid_at(r, 0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        email: r.get(3)?,
        state: super::parse_state(r.get(4)?)?,
        created_at: r.get(5)?,
        resume_file_name: r.get(6)?,
        resume_content_type: r.get(7)?,
        reached_out_at: r.get(8)?,
        reached_out_by: r.get(9)?,
    })
}
