//! The firm-wide overdue count, cached per instance: counting it costs a scan
//! of the pending leads of the last follow-up window, and every header shows it.

/// How long the shared overdue count is used without a lead event, at most
/// (a backstop: it is also dropped at each event and at the next deadline).
const OVERDUE_FRESH: std::time::Duration = std::time::Duration::from_secs(20);

/// The firm-wide overdue count, shared by every header on this instance. It
/// costs a count of the pending leads of the last follow-up window (every
/// lead, in a benchmark that seeds 100,000 at once), so it is counted again
/// only after a lead event (from any instance, through the event bus), once
/// the next pending lead passes its deadline (leads become overdue with time
/// alone), or when older than [`OVERDUE_FRESH`].
#[derive(Debug, Default)]
pub struct OverdueCache {
    entry: std::sync::Mutex<Option<CachedCount>>,
    generation: std::sync::atomic::AtomicU64,
}

#[derive(Clone, Copy, Debug)]
struct CachedCount {
    n: i64,
    /// Valid while the clock is at most this (ms): the next deadline.
    until: Option<i64>,
    at: std::time::Instant,
    generation: u64,
}

impl OverdueCache {
    /// The count and when it stops holding, if fresh at `now`, and the generation a new count belongs to.
    pub fn get(&self, now: i64) -> (Option<(i64, Option<i64>)>, u64) {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        let entry = *self.entry.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = entry
            .filter(|c| {
                c.generation == generation && c.at.elapsed() < OVERDUE_FRESH && c.until.is_none_or(|u| now <= u)
            })
            .map(|c| (c.n, c.until));
        (fresh, generation)
    }

    /// Keeps a count made in `generation` (a count older than an event is not kept).
    pub fn put(&self, n: i64, until: Option<i64>, generation: u64) {
        let count = CachedCount { n, until, at: std::time::Instant::now(), generation };
        *self.entry.lock().unwrap_or_else(|e| e.into_inner()) = Some(count);
    }

    /// Drops the count at each lead event, until the bus closes.
    pub async fn forget_on_changes(self: std::sync::Arc<Self>, db: crate::Db) {
        let mut events = db.events().subscribe();
        loop {
            match events.recv().await {
                // Notes count nothing.
                Ok(crate::LiveMessage::Notes(_)) => {}
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}
