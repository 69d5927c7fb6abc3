//! PostgreSQL: changes are sent with NOTIFY inside the transaction that made
//! them (delivered at commit, never for a rollback); each instance LISTENs
//! and feeds its own channels. While the listener is down, nothing may be
//! cached and open dashboards are told to resync.

use crate::{DbError, events::Channels};
use intake_domain::live::LiveEvent;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::sync::watch;
use uuid::Uuid;

/// The NOTIFY channel.
pub const CHANNEL: &str = "intake_events";

/// A NOTIFY payload.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Wire {
    Lead(Box<LiveEvent>),
    Account(Uuid),
    /// A lead's notes changed.
    Notes(Uuid),
    /// Leads changed in a way events do not carry (an erasure).
    Resync,
}

#[derive(Clone, Debug)]
pub(crate) struct PgEvents {
    pub(crate) channels: Channels,
    pub(crate) listening: Arc<AtomicBool>,
    stop: Arc<watch::Sender<bool>>,
}

impl PgEvents {
    /// Starts this instance's listener.
    pub(crate) fn start(pool: PgPool) -> Self {
        let this =
            Self { channels: Channels::default(), listening: Arc::default(), stop: Arc::new(watch::channel(false).0) };
        // Subscribed before the task starts: a stop sent at once is not lost.
        tokio::spawn(listen(pool, this.clone(), this.stop.subscribe()));
        this
    }

    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// Makes events commit in id order across every instance: taken just before
/// a transaction inserts into `lead_events` and held until it commits, so no
/// event with a smaller id can commit later. A page read in one snapshot
/// then includes exactly the events up to its newest id (`Listed::as_of`),
/// and a stream resuming after an id misses none. Taken after the
/// transaction's row locks, and nothing is locked after it: no deadlock.
pub(crate) async fn order_events(tx: &mut PgConnection) -> Result<(), DbError> {
    /// Any fixed key; the app takes no other advisory lock.
    const EVENTS_LOCK: i64 = 0x696e_7461_6b65;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(EVENTS_LOCK).execute(tx).await?;
    Ok(())
}

/// Queues lead events for every instance; delivered when the transaction commits.
pub(crate) async fn notify_all(tx: &mut PgConnection, events: &[LiveEvent]) -> Result<(), DbError> {
    let payloads = events
        .iter()
        .map(|e| serde_json::to_string(&Wire::Lead(Box::new(e.clone()))))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DbError::Worker(format!("cannot encode an event: {e}")))?;
    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(CHANNEL)
        .bind(payloads)
        .execute(tx)
        .await?;
    Ok(())
}

/// Tells every instance's open page of `lead` that its notes changed, when the transaction commits.
pub(crate) async fn notify_notes(tx: &mut PgConnection, lead: Uuid) -> Result<(), DbError> {
    notify_one(tx, &Wire::Notes(lead)).await
}

/// Tells every instance's dashboards to read their view again, when the transaction commits.
pub(crate) async fn notify_resync(tx: &mut PgConnection) -> Result<(), DbError> {
    notify_one(tx, &Wire::Resync).await
}

async fn notify_one(tx: &mut PgConnection, message: &Wire) -> Result<(), DbError> {
    let payload = serde_json::to_string(message).map_err(|e| DbError::Worker(e.to_string()))?;
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(tx).await?;
    Ok(())
}

async fn listen(pool: PgPool, events: PgEvents, mut stop: watch::Receiver<bool>) {
    let down = |events: &PgEvents| {
        events.listening.store(false, Ordering::Release);
        events.channels.resync();
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "events: cannot connect the listener; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = stop.changed() => return,
                }
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "events: LISTEN failed; retrying");
            continue;
        }
        events.listening.store(true, Ordering::Release);
        // Anything that changed before LISTEN took effect is unknown here.
        events.channels.resync();
        loop {
            tokio::select! {
                msg = listener.try_recv() => match msg {
                    Ok(Some(n)) => match serde_json::from_str::<Wire>(n.payload()) {
                        Ok(Wire::Lead(ev)) => events.channels.publish_lead(&ev),
                        Ok(Wire::Account(id)) => events.channels.publish_account(id),
                        Ok(Wire::Notes(lead)) => events.channels.publish_notes(lead),
                        Ok(Wire::Resync) => events.channels.resync_leads(),
                        Err(e) => tracing::warn!(error = %e, "events: bad payload"),
                    },
                    // The connection dropped; anything sent meanwhile is lost.
                    Ok(None) => { down(&events); break; }
                    Err(e) => {
                        tracing::warn!(error = %e, "events: listener failed; reconnecting");
                        down(&events);
                        break;
                    }
                },
                _ = stop.changed() => { down(&events); return; }
            }
        }
    }
}
