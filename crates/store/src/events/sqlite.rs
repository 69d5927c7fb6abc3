//! SQLite: one process owns the file, so events are published in memory
//! after the commit that made them.

use super::{AccountMessage, Channels, EventBus, LiveMessage};
use crate::sqlite::SqliteDb;
use std::sync::Arc;
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

/// The channels, and the lock that makes events publish in commit order.
#[derive(Clone, Debug, Default)]
pub(crate) struct LocalEvents {
    pub(crate) channels: Channels,
    /// Held from just before a commit that adds events until they are
    /// published. Taken only while holding SQLite's write lock (after `BEGIN
    /// IMMEDIATE`), so two holders never wait on each other; commits already
    /// run one at a time, and this keeps publication in the same order (ids
    /// are commit-ordered; dashboards skip what their page already shows).
    pub(crate) order: Arc<tokio::sync::Mutex<()>>,
}

impl std::ops::Deref for LocalEvents {
    type Target = Channels;
    fn deref(&self) -> &Channels {
        &self.channels
    }
}
