//! The session store for whichever database is in use: sessions live next to
//! the data, so they survive restarts and are shared by every instance.

use crate::server::db::Db;
use async_trait::async_trait;
use tower_sessions::{
    cookie::time::OffsetDateTime,
    session::{Id, Record},
    session_store::{self, Error, ExpiredDeletion},
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub enum SessionStore {
    /// Writes go through the sqlx store; loads, made on every internal
    /// request, read the same table in place (see `Db::sqlite_session_data`).
    Sqlite(SqliteStore, Db),
    Postgres(PostgresStore),
}

impl SessionStore {
    /// Creates the store (and its table) in the app's database.
    pub async fn for_database(db: &Db) -> Result<Self, String> {
        let store = match (db.sqlite_pool(), db.pg_pool()) {
            (Some(pool), _) => {
                let s = SqliteStore::new(pool).with_table_name("sessions").map_err(|e| e.to_string())?;
                s.migrate().await.map_err(|e| e.to_string())?;
                Self::Sqlite(s, db.clone())
            }
            (None, Some(pool)) => {
                let s = PostgresStore::new(pool);
                s.migrate().await.map_err(|e| e.to_string())?;
                Self::Postgres(s)
            }
            (None, None) => return Err("no database pool".into()),
        };
        Ok(store)
    }
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s, _) => s.create(record).await,
            Self::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s, _) => s.save(record).await,
            Self::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(_, db) => {
                let data = db.sqlite_session_data(&id.to_string()).map_err(|e| Error::Backend(e.to_string()))?;
                let Some(data) = data else { return Ok(None) };
                let record: Record = rmp_serde::from_slice(&data).map_err(|e| Error::Decode(e.to_string()))?;
                Ok((record.expiry_date > OffsetDateTime::now_utc()).then_some(record))
            }
            Self::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s, _) => s.delete(id).await,
            Self::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s, _) => s.delete_expired().await,
            Self::Postgres(s) => s.delete_expired().await,
        }
    }
}
