//! Caps on what clients can hold at once: submissions being uploaded and
//! open event streams (in all and per session). Past a cap the request is
//! refused at once with a retry hint, never queued.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// One login: the attorney and when they logged in.
pub type SessionKey = (Uuid, i64);

pub struct Limits {
    uploads: Arc<Semaphore>,
    streams: Arc<Semaphore>,
    per_session: Mutex<HashMap<SessionKey, usize>>,
    max_per_session: usize,
}

/// Why a stream was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum StreamRefusal {
    /// The server holds as many streams as it allows.
    Full,
    /// This session already has its share open (many tabs, or a script).
    SessionFull,
}

/// A held upload slot, freed on drop.
pub struct UploadSlot(#[allow(dead_code)] OwnedSemaphorePermit);

/// A held stream slot, freed on drop.
pub struct StreamSlot {
    _total: OwnedSemaphorePermit,
    limits: Arc<Limits>,
    key: SessionKey,
}

impl Limits {
    pub fn new(max_uploads: usize, max_streams: usize, max_streams_per_session: usize) -> Self {
        Self {
            uploads: Arc::new(Semaphore::new(max_uploads.max(1))),
            streams: Arc::new(Semaphore::new(max_streams.max(1))),
            per_session: Mutex::default(),
            max_per_session: max_streams_per_session.max(1),
        }
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
    pub fn stream(self: &Arc<Self>, key: SessionKey) -> Result<StreamSlot, StreamRefusal> {
        let mut per = self.per_session.lock().unwrap_or_else(|e| e.into_inner());
        let n = per.entry(key).or_default();
        if *n >= self.max_per_session {
            return Err(StreamRefusal::SessionFull);
        }
        let total = self.streams.clone().try_acquire_owned().map_err(|_| StreamRefusal::Full)?;
        *n += 1;
        Ok(StreamSlot { _total: total, limits: self.clone(), key })
    }

    /// Event streams open now.
    pub fn open_streams(&self) -> usize {
        self.per_session.lock().unwrap_or_else(|e| e.into_inner()).values().sum()
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut per = self.limits.per_session.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_capped_per_session_and_in_all() {
        let limits = Arc::new(Limits::new(1, 3, 2));
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
    fn uploads_are_capped() {
        let limits = Limits::new(2, 1, 1);
        let (x, y) = (limits.upload(), limits.upload());
        assert!(x.is_some() && y.is_some());
        assert!(limits.upload().is_none());
        drop(x);
        assert!(limits.upload().is_some());
    }
}
