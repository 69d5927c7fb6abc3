//! PostgreSQL: for several instances sharing one database. Connection,
//! migrations and the group committer; each capability's SQL lives beside
//! SQLite's in its own folder (`leads/postgres.rs`, `outbox/postgres.rs`, …).

mod writer;

use super::{DbError, events::postgres::PgEvents};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::{str::FromStr, time::Duration};

#[derive(Clone, Debug)]
pub struct PgDb {
    pub(crate) pool: PgPool,
    pub(crate) events: PgEvents,
    pub(crate) writer: writer::Writer,
}

impl PgDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let events = PgEvents::start(pool.clone());
        let writer = writer::Writer::start(pool.clone());
        Ok(Self { pool, events, writer })
    }

    pub(crate) async fn close(&self) {
        self.events.stop();
        self.pool.close().await;
    }
}
