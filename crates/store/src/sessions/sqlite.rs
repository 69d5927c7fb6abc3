//! SQLite: tower-sessions' sqlx store writes the records; loads read the
//! same table in place (see `sqlite::readers`), without a thread hop.

use crate::{sqlite::SqliteDb, sqlite::readers};
use async_trait::async_trait;
use tower_sessions::{
    cookie::time::OffsetDateTime,
    session::{Id, Record},
    session_store::{self, Error, ExpiredDeletion},
};
use tower_sessions_sqlx_store::SqliteStore;

#[derive(Clone, Debug)]
pub(crate) struct SqliteSessions {
    store: SqliteStore,
    readers: readers::Readers,
}

impl SqliteSessions {
    /// The store, with its table created if missing.
    pub(crate) async fn open(db: &SqliteDb) -> Result<Self, String> {
        let store = SqliteStore::new(db.pool.clone()).with_table_name("sessions").map_err(|e| e.to_string())?;
        store.migrate().await.map_err(|e| e.to_string())?;
        Ok(Self { store, readers: db.readers.clone() })
    }
}

#[async_trait]
impl session_store::SessionStore for SqliteSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let id = id.to_string();
        let data =
            self.readers.with(|conn| readers::session_data(conn, &id)).map_err(|e| Error::Backend(e.to_string()))?;
        let Some(data) = data else { return Ok(None) };
        let record: Record = rmp_serde::from_slice(&data).map_err(|e| Error::Decode(e.to_string()))?;
        Ok((record.expiry_date > OffsetDateTime::now_utc()).then_some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for SqliteSessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.store.delete_expired().await
    }
}
