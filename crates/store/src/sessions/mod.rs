//! Session records (tower-sessions), stored next to the data so they survive
//! restarts and are shared by every instance, with a small in-process cache:
//! a record is read on every internal request but written at most once a minute.
//!
//! The table never holds a session's id, which is the cookie's secret: a
//! record is stored under a SHA-256 of it, so a copy of the database (a
//! backup, a dump) cannot be turned into a signed-in browser.
//!
//! The cache is safe across instances because nothing security-relevant
//! lives only in the record: logging out, disabling an account and a new
//! password all move the account's `sessions_valid_after`, which every
//! request checks. A cached record is dropped once its own expiry passes
//! and read again (another instance may have extended it).

mod postgres;
mod sqlite;

pub(crate) use postgres::open as postgres_open;
pub(crate) use sqlite::SqliteSessions;

use async_trait::async_trait;
use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex},
};
use tower_sessions::{
    cookie::time::OffsetDateTime,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};

/// Records kept at most; beyond, the cache starts over.
const MAX: usize = 10_000;

/// A backend's session table: tower-sessions' store, in a form that can sit behind `dyn`.
#[async_trait]
pub trait SessionBackend: Send + Sync {
    async fn create(&self, record: &mut Record) -> session_store::Result<()>;
    async fn save(&self, record: &Record) -> session_store::Result<()>;
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>>;
    async fn delete(&self, id: &Id) -> session_store::Result<()>;
    async fn delete_expired(&self) -> session_store::Result<()>;
}

#[async_trait]
impl<T: session_store::SessionStore + ExpiredDeletion> SessionBackend for T {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        session_store::SessionStore::create(self, record).await
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session_store::SessionStore::save(self, record).await
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        session_store::SessionStore::load(self, id).await
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session_store::SessionStore::delete(self, id).await
    }
    async fn delete_expired(&self) -> session_store::Result<()> {
        ExpiredDeletion::delete_expired(self).await
    }
}

/// The session store the app uses, whatever the backend.
#[derive(Clone)]
pub struct SessionStore {
    backend: Arc<dyn SessionBackend>,
    cache: Arc<Mutex<HashMap<Id, Record>>>,
}

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionStore").finish_non_exhaustive()
    }
}

impl SessionStore {
    pub(crate) fn new(backend: Arc<dyn SessionBackend>) -> Self {
        Self { backend, cache: Arc::default() }
    }

    fn remember(&self, record: &Record) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX {
            cache.clear();
        }
        cache.insert(record.id, record.clone());
    }

    fn forget(&self, id: &Id) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// What the table stores for the session `id`: 128 bits of its SHA-256.
fn stored_id(id: &Id) -> Id {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.0.to_le_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Id(i128::from_le_bytes(bytes))
}

/// The record as stored: under [`stored_id`].
fn to_store(record: &Record) -> Record {
    Record { id: stored_id(&record.id), ..record.clone() }
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id until its hash is free (a collision is as unlikely as one of ids).
        while self.backend.load(&stored_id(&record.id)).await?.is_some() {
            record.id = Id::default();
        }
        self.backend.save(&to_store(record)).await?;
        self.remember(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.backend.save(&to_store(record)).await?;
        self.remember(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            match cache.get(id) {
                Some(r) if r.expiry_date > now => return Ok(Some(r.clone())),
                Some(_) => {
                    cache.remove(id);
                }
                None => {}
            }
        }
        let record = self.backend.load(&stored_id(id)).await?.map(|r| Record { id: *id, ..r });
        if let Some(r) = &record {
            self.remember(r);
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.forget(id);
        self.backend.delete(&stored_id(id)).await
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc();
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, r| r.expiry_date > now);
        self.backend.delete_expired().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sessions_id_is_stored_only_hashed() {
        let id = Id::default();
        let record = Record { id, data: Default::default(), expiry_date: OffsetDateTime::now_utc() };
        let stored = to_store(&record);
        assert_ne!(stored.id, id);
        assert_eq!(stored.id, stored_id(&id), "the same id finds the same row");
        assert_ne!(stored_id(&Id::default()), stored.id);
    }
}
