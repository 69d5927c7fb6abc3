//! PostgreSQL: for several instances sharing one database. Connection,
//! migrations and the group committer; each capability's SQL lives beside
//! SQLite's in its own folder (`leads/postgres.rs`, `outbox/postgres.rs`, …).

pub(crate) mod events;
mod writer;

use super::DbError;
use events::PgEvents;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

#[derive(Clone, Debug)]
pub struct PgDb {
    pub(crate) pool: PgPool,
    pub(crate) events: PgEvents,
    pub(crate) writer: writer::Writer,
    /// Erasures since the last VACUUM began (see [`PgDb::vacuum_soon`]).
    vacuum: Arc<Vacuum>,
}

#[derive(Debug, Default)]
struct Vacuum {
    running: AtomicBool,
    again: AtomicBool,
}

/// The tables an erasure deletes from: their dead row versions (and index
/// entries) hold the erased data until VACUUM removes them.
const ERASED_FROM: &str =
    "leads, lead_events, lead_notes, lead_resubmissions, outbox, lead_words, conflict_matches, lead_answers";

impl PgDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("../../migrations/postgres").run(&pool).await?;
        crate::conflicts::fill_party_names_pg(&pool).await?;
        let events = PgEvents::start(pool.clone());
        let writer = writer::Writer::start(pool.clone());
        Ok(Self { pool, events, writer, vacuum: Arc::default() })
    }

    /// After an erasure: VACUUMs the tables it deleted from, in the
    /// background, so dead row versions and index entries holding the erased
    /// data are removed now rather than whenever autovacuum comes. Erasures
    /// arriving meanwhile are covered by one more run, never by one each.
    pub(crate) fn vacuum_soon(&self) {
        self.vacuum.again.store(true, Ordering::Release);
        if self.vacuum.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let (pool, vacuum) = (self.pool.clone(), self.vacuum.clone());
        tokio::spawn(async move {
            loop {
                while vacuum.again.swap(false, Ordering::AcqRel) {
                    if let Err(e) = sqlx::query(&format!("VACUUM {ERASED_FROM}")).execute(&pool).await {
                        tracing::warn!(error = %e, "VACUUM after an erasure failed; autovacuum will do it later");
                    }
                }
                vacuum.running.store(false, Ordering::Release);
                // An erasure that came after the last check but saw this run still going: take it on.
                if !vacuum.again.load(Ordering::Acquire) || vacuum.running.swap(true, Ordering::AcqRel) {
                    return;
                }
            }
        });
    }

    pub(crate) async fn close(&self) {
        self.events.stop();
        self.pool.close().await;
    }
}
