//! PostgreSQL: every instance hears every change through NOTIFY (see
//! `postgres/events.rs`, which sends and listens).

use super::{AccountMessage, EventBus, LiveMessage};
use crate::postgres::PgDb;
use std::sync::atomic::Ordering;
use tokio::sync::broadcast;

impl EventBus for PgDb {
    fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.events.channels.subscribe()
    }

    fn subscribe_accounts(&self) -> broadcast::Receiver<AccountMessage> {
        self.events.channels.subscribe_accounts()
    }

    fn announces_account_changes(&self) -> bool {
        self.events.listening.load(Ordering::Acquire)
    }
}
