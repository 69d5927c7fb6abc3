//! Intake's data layer. Rule: may name `intake-domain` and database drivers,
//! never the use cases (`intake-core`), HTTP or Leptos.
//!
//! One seam, laid out by capability, each capability a trait with its SQLite
//! and PostgreSQL implementations side by side (`leads/sqlite.rs` next to
//! `leads/postgres.rs`), checked by the contract suite in `tests/contract/`:
//!
//! - [`leads`]: storing a submitted lead with its emails;
//! - [`dashboard`]: pages, rows, history, the state change, replayed events;
//! - [`outbox`]: the email queue and its leases;
//! - [`accounts`]: attorney accounts (cached where changes are announced);
//! - [`events`]: change announcements for live dashboards and caches;
//! - [`sessions`]: session records;
//! - [`signins`]: signed-in browsers, and the browsers each account has used;
//! - [`counters`]: limits shared by several instances (PostgreSQL only);
//! - [`tokens`]: API tokens for integrations;
//! - [`erasures`]: erasing a lead, keeping a tombstone;
//! - [`notes`]: attorneys' notes on a lead;
//! - [`conflicts`]: the firm's parties, each lead's conflict check and the decisions on it;
//! - [`webhooks`]: webhook endpoints, and queueing deliveries with the change they announce;
//! - [`digests`]: the daily follow-up digest, sent once per day;
//! - [`forms`]: the firm's intake form (matter types, questions), a row per saved version;
//! - [`account_admin`]: one-time links to set a password, and the accounts' audit log.
//!
//! Connections, migrations and each backend's write path live in
//! [`sqlite`] and [`postgres`]; rows are mapped once for both in `row`.
//! The backend is chosen once, in [`Db::connect`], from the URL's scheme.
//! Adding a capability means one trait, two implementations, one accessor
//! on [`Db`] and its contracts.

pub mod account_admin;
pub mod accounts;
pub mod backup;
pub mod conflicts;
pub mod counters;
pub mod dashboard;
pub mod digests;
pub mod erasures;
mod error;
pub mod events;
pub mod forms;
pub mod leads;
mod model;
pub mod notes;
pub mod outbox;
pub mod passkeys;
pub mod postgres;
mod row;
pub mod second_factor;
mod secret;
pub mod sessions;
pub mod signins;
pub mod sqlite;
pub mod tokens;
pub mod webhooks;

pub use account_admin::AccountAdminStore;
pub use accounts::AccountStore;
pub use conflicts::ConflictStore;
pub use counters::{CounterStore, Hit};
pub use dashboard::DashboardStore;
pub use digests::DigestStore;
pub use erasures::ErasureStore;
pub use error::DbError;
pub use events::{EventBus, LiveMessage};
pub use forms::FormStore;
pub use leads::LeadStore;
pub use model::*;
pub use notes::NoteStore;
pub use outbox::OutboxStore;
pub use passkeys::PasskeyStore;
pub use second_factor::{SecondFactorStore, TotpFactor};
pub use secret::Secret;
pub use sessions::SessionStore;
pub use signins::SigninStore;
pub use tokens::TokenStore;
pub use webhooks::WebhookStore;

use accounts::cache::AccountCache;

/// SQL shared by both dialects is written with `?N` placeholders; PostgreSQL
/// takes them as `$N`.
pub(crate) fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

use async_trait::async_trait;
use std::sync::Arc;

/// Everything a backend provides.
#[async_trait]
pub trait Backend:
    LeadStore
    + DashboardStore
    + OutboxStore
    + AccountStore
    + TokenStore
    + WebhookStore
    + NoteStore
    + ConflictStore
    + ErasureStore
    + FormStore
    + DigestStore
    + AccountAdminStore
    + SecondFactorStore
    + PasskeyStore
    + SigninStore
    + EventBus
    + Send
    + Sync
    + 'static
{
    /// Counters shared by every instance, where there can be several.
    fn counters(self: Arc<Self>) -> Option<Arc<dyn CounterStore>>;

    /// This backend's session table.
    async fn sessions(&self) -> Result<SessionStore, DbError>;

    /// Answers a trivial query: the database is reachable and serving.
    async fn ping(&self) -> Result<(), DbError>;

    /// Connections in the main pool: (open, idle).
    fn pool_connections(&self) -> (u32, usize);

    /// Stops background work and closes connections.
    async fn close(&self);
}

#[async_trait]
impl Backend for sqlite::SqliteDb {
    fn counters(self: Arc<Self>) -> Option<Arc<dyn CounterStore>> {
        None
    }

    async fn sessions(&self) -> Result<SessionStore, DbError> {
        let store = sessions::SqliteSessions::open(self).await.map_err(DbError::Config)?;
        Ok(SessionStore::new(Arc::new(store)))
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn pool_connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    async fn close(&self) {
        sqlite::SqliteDb::close(self).await
    }
}

#[async_trait]
impl Backend for postgres::PgDb {
    fn counters(self: Arc<Self>) -> Option<Arc<dyn CounterStore>> {
        Some(self)
    }

    async fn sessions(&self) -> Result<SessionStore, DbError> {
        let store = sessions::postgres_open(self).await.map_err(DbError::Config)?;
        Ok(SessionStore::new(Arc::new(store)))
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn pool_connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    async fn close(&self) {
        postgres::PgDb::close(self).await
    }
}

/// A handle to the database, cheap to clone: one accessor per capability.
#[derive(Clone)]
pub struct Db {
    backend: Arc<dyn Backend>,
    accounts: Arc<AccountCache<dyn Backend>>,
    forms: Arc<forms::cache::FormCache<dyn Backend>>,
    counters: Option<Arc<dyn CounterStore>>,
    overdue: Arc<dashboard::overdue::OverdueCache>,
}

impl Db {
    /// Connects and applies migrations; a failed migration is an error.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let backend: Arc<dyn Backend> = if url.starts_with("sqlite:") {
            Arc::new(sqlite::SqliteDb::connect(url).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Arc::new(postgres::PgDb::connect(url).await?)
        } else {
            return Err(DbError::Config("DATABASE_URL must start with sqlite: or postgres:".into()));
        };
        let counters = backend.clone().counters();
        let db = Self {
            accounts: Arc::new(AccountCache::new(backend.clone())),
            forms: Arc::new(forms::cache::FormCache::new(backend.clone())),
            backend,
            counters,
            overdue: Arc::default(),
        };
        // The cached count is dropped at every lead event, from any instance.
        tokio::spawn(db.overdue.clone().forget_on_changes(db.clone()));
        Ok(db)
    }

    pub fn leads(&self) -> &dyn LeadStore {
        &*self.backend
    }

    pub fn dashboard(&self) -> &dyn DashboardStore {
        &*self.backend
    }

    pub fn outbox(&self) -> &dyn OutboxStore {
        &*self.backend
    }

    pub fn accounts(&self) -> &dyn AccountStore {
        &*self.accounts
    }

    pub fn tokens(&self) -> &dyn TokenStore {
        &*self.backend
    }

    pub fn erasures(&self) -> &dyn ErasureStore {
        &*self.backend
    }

    pub fn notes(&self) -> &dyn NoteStore {
        &*self.backend
    }

    pub fn conflicts(&self) -> &dyn ConflictStore {
        &*self.backend
    }

    pub fn webhooks(&self) -> &dyn WebhookStore {
        &*self.backend
    }

    pub fn digests(&self) -> &dyn DigestStore {
        &*self.backend
    }

    pub fn forms(&self) -> &dyn FormStore {
        &*self.forms
    }

    pub fn account_admin(&self) -> &dyn AccountAdminStore {
        &*self.backend
    }

    pub fn second_factor(&self) -> &dyn SecondFactorStore {
        &*self.backend
    }

    pub fn passkeys(&self) -> &dyn PasskeyStore {
        &*self.backend
    }

    pub fn signins(&self) -> &dyn SigninStore {
        &*self.accounts
    }

    pub fn events(&self) -> &dyn EventBus {
        &*self.backend
    }

    /// The firm-wide overdue count, shared by every header on this instance.
    pub fn overdue(&self) -> &dashboard::overdue::OverdueCache {
        &self.overdue
    }

    pub fn counters(&self) -> Option<&Arc<dyn CounterStore>> {
        self.counters.as_ref()
    }

    /// The session store (creating its table if missing).
    pub async fn sessions(&self) -> Result<SessionStore, DbError> {
        self.backend.sessions().await
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        self.backend.ping().await
    }

    pub fn pool_connections(&self) -> (u32, usize) {
        self.backend.pool_connections()
    }

    pub async fn close(&self) {
        self.backend.close().await
    }
}
