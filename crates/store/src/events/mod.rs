//! Change announcements: live lead events for open dashboards, and account
//! changes for caches. SQLite (one process) delivers them in memory;
//! PostgreSQL sends them with NOTIFY in the transaction that made them, so
//! every instance hears every change exactly when it commits.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use intake_domain::live::LiveEvent;
use std::sync::Arc;
use tokio::sync::broadcast;
use uuid::Uuid;

/// How many messages a slow subscriber may fall behind before it is told to resync.
const CAPACITY: usize = 4096;

/// What open event streams receive.
#[derive(Clone, Debug)]
pub enum LiveMessage {
    /// Shared, not copied, by every open stream.
    Event(Arc<LiveEvent>),
    /// A lead's notes changed; only its page cares.
    Notes(Uuid),
    /// Events may have been missed: clients should reload their view.
    Resync,
}

/// What account caches receive.
#[derive(Clone, Copy, Debug)]
pub enum AccountMessage {
    /// This account changed (logged out, disabled, new password).
    Changed(Uuid),
    /// Changes may have been missed: forget everything.
    Resync,
}

pub trait EventBus: Send + Sync {
    /// Lead events from now on.
    fn subscribe(&self) -> broadcast::Receiver<LiveMessage>;
    /// Account changes from now on.
    fn subscribe_accounts(&self) -> broadcast::Receiver<AccountMessage>;
    /// Whether every account change, by any process, is announced right now:
    /// only then may accounts be cached.
    fn announces_account_changes(&self) -> bool;
}

/// The two in-process channels both backends feed.
#[derive(Clone, Debug)]
pub(crate) struct Channels {
    leads: broadcast::Sender<LiveMessage>,
    accounts: broadcast::Sender<AccountMessage>,
}

impl Default for Channels {
    fn default() -> Self {
        Self { leads: broadcast::channel(CAPACITY).0, accounts: broadcast::channel(CAPACITY).0 }
    }
}

impl Channels {
    pub(crate) fn publish_lead(&self, event: &LiveEvent) {
        let _ = self.leads.send(LiveMessage::Event(Arc::new(event.clone())));
    }

    pub(crate) fn publish_notes(&self, lead: Uuid) {
        let _ = self.leads.send(LiveMessage::Notes(lead));
    }

    pub(crate) fn publish_account(&self, id: Uuid) {
        let _ = self.accounts.send(AccountMessage::Changed(id));
    }

    /// Leads changed in a way events do not carry (an erasure): dashboards read their view again.
    pub(crate) fn resync_leads(&self) {
        let _ = self.leads.send(LiveMessage::Resync);
    }

    /// Something may have been missed (a dropped listener connection).
    pub(crate) fn resync(&self) {
        let _ = self.leads.send(LiveMessage::Resync);
        let _ = self.accounts.send(AccountMessage::Resync);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<LiveMessage> {
        self.leads.subscribe()
    }

    pub(crate) fn subscribe_accounts(&self) -> broadcast::Receiver<AccountMessage> {
        self.accounts.subscribe()
    }
}
