//! Live events for open dashboards: an in-process broadcast channel.

use crate::domain::dashboard::LiveEvent;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it is told to resync.
const CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for LiveBus {
    fn default() -> Self {
        Self { tx: broadcast::channel(CAPACITY).0 }
    }
}

impl LiveBus {
    /// Sends to every open stream (none listening is fine).
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }
}
