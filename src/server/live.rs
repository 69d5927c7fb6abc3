//! Live events for open dashboards. With SQLite, an in-process broadcast
//! channel; with PostgreSQL, events are sent by NOTIFY in the transaction that
//! made them, and every instance's listener feeds its own channel.

use crate::{
    domain::dashboard::LiveEvent,
    server::db::{Db, postgres::EVENTS_CHANNEL},
};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// How many messages a slow subscriber may fall behind before it is told to resync.
const CAPACITY: usize = 4096;

/// What open streams receive.
#[derive(Clone, Debug)]
pub enum LiveMessage {
    Event(LiveEvent),
    /// Events may have been missed: clients should reload their view.
    Resync,
}

#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<LiveMessage>,
    /// False when the database delivers events (PostgreSQL NOTIFY).
    local: bool,
}

impl LiveBus {
    /// The bus for this database; for PostgreSQL it starts the listener.
    pub fn for_database(db: &Db, shutdown: watch::Receiver<bool>) -> Self {
        let tx = broadcast::channel(CAPACITY).0;
        match db.pg_pool() {
            Some(pool) => {
                tokio::spawn(listen(pool, tx.clone(), shutdown));
                Self { tx, local: false }
            }
            None => Self { tx, local: true },
        }
    }

    /// Announces a committed change (a no-op where the database announces it).
    pub fn publish(&self, event: LiveEvent) {
        if self.local {
            let _ = self.tx.send(LiveMessage::Event(event));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.tx.subscribe()
    }
}

async fn listen(pool: sqlx::PgPool, tx: broadcast::Sender<LiveMessage>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "live events: cannot connect the listener; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = shutdown.changed() => return,
                }
            }
        };
        if let Err(e) = listener.listen(EVENTS_CHANNEL).await {
            tracing::warn!(error = %e, "live events: LISTEN failed; retrying");
            continue;
        }
        loop {
            tokio::select! {
                msg = listener.try_recv() => match msg {
                    Ok(Some(n)) => match serde_json::from_str::<LiveEvent>(n.payload()) {
                        Ok(ev) => { let _ = tx.send(LiveMessage::Event(ev)); }
                        Err(e) => tracing::warn!(error = %e, "live events: bad payload"),
                    },
                    // The connection dropped; it reconnects on the next call. Anything sent meanwhile is lost.
                    Ok(None) => { let _ = tx.send(LiveMessage::Resync); }
                    Err(e) => {
                        tracing::warn!(error = %e, "live events: listener failed; reconnecting");
                        let _ = tx.send(LiveMessage::Resync);
                        break;
                    }
                },
                _ = shutdown.changed() => return,
            }
        }
    }
}
