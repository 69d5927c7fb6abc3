//! SQLite: one process owns the file, so events are published in memory
//! after the commit that made them.

use super::{AccountMessage, EventBus, LiveMessage};
use crate::sqlite::SqliteDb;
use tokio::sync::broadcast;

impl EventBus for SqliteDb {
    fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.events.subscribe()
    }

    fn subscribe_accounts(&self) -> broadcast::Receiver<AccountMessage> {
        self.events.subscribe_accounts()
    }

    /// The CLI changes accounts from another process, which nothing announces
    /// here; SQLite reads them in place in microseconds anyway.
    fn announces_account_changes(&self) -> bool {
        false
    }
}
