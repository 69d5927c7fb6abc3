//! SQLite reads on the hot paths (session, attorney, dashboard page), run
//! in place on the calling thread over a small pool of read-only connections.
//!
//! sqlx-sqlite gives each connection its own thread, so every query is a
//! round trip between threads; for the dashboard's four small queries per
//! request those hand-offs cost more than the queries (see the issue 4
//! profile). Bounded index lookups from the page cache take microseconds, so
//! they run on the async worker directly; scans (search) go to the blocking
//! pool. WAL readers never wait for the writer.

use crate::DbError;
use rusqlite::{Connection, OpenFlags};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::Semaphore;

/// How much of the database file the readers map (1 GiB; the rest is read as usual).
const MMAP_BYTES: i64 = 1 << 30;

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
        let _permit = self.inner.scans.acquire().await.map_err(|_| DbError::Closed)?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.with(f))
            .await
            .map_err(|e| DbError::Worker(format!("reader task failed: {e}")))?
    }
}

fn open(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(32);
    // Read the database file through a shared memory map instead of copying
    // each page in with a system call into every connection's small cache: a
    // search's index pages then cost no syscall and no copy. It reserves
    // address space, not memory; pages come from (and go back to) the OS cache.
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(conn)
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
