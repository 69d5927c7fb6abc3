//! Caps on what clients can hold at once: submissions being uploaded, open
//! event streams (in all and per session) and CSV exports (in all and per account). Past a cap the request is
//! refused at once with a retry hint, never queued.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// One login: the attorney and when they logged in.
pub type SessionKey = (Uuid, i64);

pub struct Limits {
    uploads: Arc<Semaphore>,
    streams: Arc<KeyedCap<SessionKey>>,
    exports: Arc<KeyedCap<Uuid>>,
}

/// Why a stream or an export was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamRefusal {
    /// The server holds as many as it allows.
    Full,
    /// This session (or account) already has its share open (many tabs, or a script).
    SessionFull,
}

/// A held upload slot, freed on drop.
pub struct UploadSlot(#[allow(dead_code)] OwnedSemaphorePermit);

/// A held stream slot, freed on drop.
pub type StreamSlot = KeyedSlot<SessionKey>;

/// A held export slot, freed on drop.
pub type ExportSlot = KeyedSlot<Uuid>;

/// A cap in all and per key: at most `per_key` held by one key, `total` by everyone.
pub struct KeyedCap<K> {
    total: Arc<Semaphore>,
    per_key: Mutex<HashMap<K, usize>>,
    max_per_key: usize,
}

/// One place in a [`KeyedCap`], given back on drop.
pub struct KeyedSlot<K: Eq + Hash + Copy> {
    _total: OwnedSemaphorePermit,
    cap: Arc<KeyedCap<K>>,
    key: K,
}

impl<K: Eq + Hash + Copy> KeyedCap<K> {
    pub fn new(total: usize, per_key: usize) -> Self {
        Self { total: Arc::new(Semaphore::new(total.max(1))), per_key: Mutex::default(), max_per_key: per_key.max(1) }
    }

    pub fn acquire(self: &Arc<Self>, key: K) -> Result<KeyedSlot<K>, StreamRefusal> {
        let mut per = self.per_key.lock().unwrap_or_else(|e| e.into_inner());
        let n = per.entry(key).or_default();
        if *n >= self.max_per_key {
            if *n == 0 {
                per.remove(&key);
            }
            return Err(StreamRefusal::SessionFull);
        }
        let Ok(total) = self.total.clone().try_acquire_owned() else {
            if *n == 0 {
                per.remove(&key);
            }
            return Err(StreamRefusal::Full);
        };
        *n += 1;
        Ok(KeyedSlot { _total: total, cap: self.clone(), key })
    }

    /// Places held now.
    pub fn held(&self) -> usize {
        self.per_key.lock().unwrap_or_else(|e| e.into_inner()).values().sum()
    }
}

impl<K: Eq + Hash + Copy> Drop for KeyedSlot<K> {
    fn drop(&mut self) {
        let mut per = self.cap.per_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.key);
            }
        }
    }
}

impl Limits {
    pub fn new(max_uploads: usize, max_streams: usize, max_streams_per_session: usize) -> Self {
        Self {
            uploads: Arc::new(Semaphore::new(max_uploads.max(1))),
            streams: Arc::new(KeyedCap::new(max_streams, max_streams_per_session)),
            exports: Arc::new(KeyedCap::new(DEFAULT_EXPORTS, DEFAULT_EXPORTS_PER_ACCOUNT)),
        }
    }

    /// Caps CSV exports in all and per account (the defaults otherwise).
    pub fn with_exports(mut self, total: usize, per_account: usize) -> Self {
        self.exports = Arc::new(KeyedCap::new(total, per_account));
        self
    }

    /// A slot for one submission upload, or `None` when all are taken.
    pub fn upload(&self) -> Option<UploadSlot> {
        self.uploads.clone().try_acquire_owned().ok().map(UploadSlot)
    }

    /// A slot, waiting up to `wait` for one: a burst queues briefly (its
    /// bodies unread, so it costs a connection, not memory) instead of failing.
    pub async fn upload_within(&self, wait: std::time::Duration) -> Option<UploadSlot> {
        if let Some(slot) = self.upload() {
            return Some(slot);
        }
        tokio::time::timeout(wait, self.uploads.clone().acquire_owned()).await.ok()?.ok().map(UploadSlot)
    }

    /// A slot for one event stream of `key`'s session.
    pub fn stream(&self, key: SessionKey) -> Result<StreamSlot, StreamRefusal> {
        self.streams.acquire(key)
    }

    /// A slot for one CSV export by `account`: each reads the whole view, so few run at once.
    pub fn export(&self, account: Uuid) -> Result<ExportSlot, StreamRefusal> {
        self.exports.acquire(account)
    }

    /// Event streams open now.
    pub fn open_streams(&self) -> usize {
        self.streams.held()
    }
}

/// CSV exports running at once, in all and per account, unless configured.
pub const DEFAULT_EXPORTS: usize = 4;
pub const DEFAULT_EXPORTS_PER_ACCOUNT: usize = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_capped_per_session_and_in_all() {
        let limits = Limits::new(1, 3, 2);
        let (a, b) = ((Uuid::nil(), 1), (Uuid::nil(), 2));
        let a1 = limits.stream(a).unwrap();
        let _a2 = limits.stream(a).unwrap();
        assert_eq!(limits.stream(a).err(), Some(StreamRefusal::SessionFull));
        let _b1 = limits.stream(b).unwrap();
        assert_eq!(limits.stream(b).err(), Some(StreamRefusal::Full));
        drop(a1);
        let _b2 = limits.stream(b).expect("a closed stream frees its slot");
        assert_eq!(limits.open_streams(), 3);
    }

    #[test]
    fn exports_are_capped_per_account_and_in_all() {
        let limits = Limits::new(1, 1, 1).with_exports(2, 1);
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let a1 = limits.export(a).unwrap();
        assert_eq!(limits.export(a).err(), Some(StreamRefusal::SessionFull));
        let _b1 = limits.export(b).unwrap();
        assert_eq!(limits.export(c).err(), Some(StreamRefusal::Full));
        drop(a1);
        assert!(limits.export(c).is_ok(), "a finished export frees its slot");
    }

    #[test]
    fn uploads_are_capped() {
        let limits = Limits::new(2, 1, 1);
        let (x, y) = (limits.upload(), limits.upload());
        assert!(x.is_some() && y.is_some());
        assert!(limits.upload().is_none());
        drop(x);
        assert!(limits.upload().is_some());
    }
}
