//! Fixed-window counters shared by every instance (login throttle,
//! submission rate), so N instances do not allow N times the attempts. Only
//! PostgreSQL runs several instances; on SQLite the counters stay in memory
//! (`auth::throttle`, `rate_limit`) and this capability is absent.

pub(crate) mod postgres;

use super::DbError;
use async_trait::async_trait;

/// One counted hit: the count in the current window and any lock on the key.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub hits: i64,
    pub window_start: i64,
    pub locked_until: Option<i64>,
}

#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Counts one hit on `key` in a window of `window_ms` (a new window once the old one is over).
    async fn hit(&self, key: &str, window_ms: i64, now: i64) -> Result<Hit, DbError>;

    async fn lock(&self, key: &str, until: i64) -> Result<(), DbError>;

    /// Takes one hit back (a login that succeeded does not count against its address).
    async fn give_back(&self, key: &str) -> Result<(), DbError>;

    async fn clear(&self, key: &str) -> Result<(), DbError>;

    /// Drops counters whose window and lock ended before `before`.
    async fn prune(&self, before: i64) -> Result<(), DbError>;
}

/// Every 10 minutes, drops counters idle for a day (longer than any window:
/// logins use 15 minutes, submission rates at most a day).
pub async fn prune_continuously(store: std::sync::Arc<dyn CounterStore>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(e) = store.prune(super::now_ms() - 25 * 3_600_000).await {
            tracing::warn!(error = %e, "cannot prune shared counters");
        }
    }
}
