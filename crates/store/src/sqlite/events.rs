//! SQLite's event channels: one process owns the file, so events are
//! published in memory after the commit that made them.

use crate::events::Channels;
use std::sync::Arc;

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
