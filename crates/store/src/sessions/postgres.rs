//! PostgreSQL: tower-sessions' sqlx store, in its own schema.

use crate::postgres::PgDb;
use tower_sessions_sqlx_store::PostgresStore;

/// The store, with its table created if missing.
pub(crate) async fn open(db: &PgDb) -> Result<PostgresStore, String> {
    let store = PostgresStore::new(db.pool.clone());
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(store)
}
