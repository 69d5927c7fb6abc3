//! `CounterStore`: fixed-window counters shared by every instance. PostgreSQL
//! only (several instances share one database); on SQLite `db.counters()` is
//! `None` (the counters stay in memory), which each test's `sqlite` half checks.

use intake_store::{CounterStore, Db};
use std::sync::Arc;

contract! {
    postgres_only
    /// Hits on a key count within its window; a new window starts over; keys are apart.
    hits_count_within_a_window,
    |db: Db| async move {
        let c = counters(&db);
        let hit = c.hit("login:alice", 1_000, 10_000).await.unwrap();
        assert_eq!((hit.hits, hit.window_start, hit.locked_until), (1, 10_000, None));
        let hit = c.hit("login:alice", 1_000, 10_999).await.unwrap();
        assert_eq!((hit.hits, hit.window_start), (2, 10_000), "the same window");
        let hit = c.hit("login:alice", 1_000, 11_000).await.unwrap();
        assert_eq!((hit.hits, hit.window_start), (1, 11_000), "the window is over: a new one");
        let other = c.hit("login:bob", 1_000, 11_000).await.unwrap();
        assert_eq!(other.hits, 1, "another key counts apart");
    }
}

contract! {
    postgres_only
    /// A lock is reported with every hit on its key until the key is cleared.
    a_lock_is_reported_until_cleared,
    |db: Db| async move {
        let c = counters(&db);
        c.hit("ip:10.0.0.1", 60_000, 1_000).await.unwrap();
        c.lock("ip:10.0.0.1", 900_000).await.unwrap();
        let hit = c.hit("ip:10.0.0.1", 60_000, 2_000).await.unwrap();
        assert_eq!((hit.hits, hit.locked_until), (2, Some(900_000)));
        c.clear("ip:10.0.0.1").await.unwrap();
        let hit = c.hit("ip:10.0.0.1", 60_000, 3_000).await.unwrap();
        assert_eq!((hit.hits, hit.window_start, hit.locked_until), (1, 3_000, None), "cleared: counted afresh");
    }
}

contract! {
    postgres_only
    /// A hit given back does not count, and a count never goes below zero.
    a_hit_given_back_does_not_count,
    |db: Db| async move {
        let c = counters(&db);
        c.hit("ip:10.0.0.2", 60_000, 1_000).await.unwrap();
        c.hit("ip:10.0.0.2", 60_000, 1_100).await.unwrap();
        c.give_back("ip:10.0.0.2").await.unwrap();
        assert_eq!(c.hit("ip:10.0.0.2", 60_000, 1_200).await.unwrap().hits, 2, "two, not three");
        for _ in 0..3 {
            c.give_back("ip:10.0.0.2").await.unwrap();
        }
        assert_eq!(c.hit("ip:10.0.0.2", 60_000, 1_300).await.unwrap().hits, 1, "from zero");
        c.give_back("ip:unknown").await.unwrap();
    }
}

contract! {
    postgres_only
    /// Pruning drops counters whose window and lock both ended before the time given, and only those.
    prune_drops_idle_counters_only,
    |db: Db| async move {
        let c = counters(&db);
        let day = 86_400_000;
        c.hit("old", day, 1_000).await.unwrap();
        c.hit("locked", day, 1_000).await.unwrap();
        c.lock("locked", 100_000).await.unwrap();
        c.hit("recent", day, 50_000).await.unwrap();
        c.prune(40_000).await.unwrap();
        // Within the long window a kept counter counts on; a pruned one starts over.
        assert_eq!(c.hit("old", day, 60_000).await.unwrap().hits, 1, "idle: dropped");
        assert_eq!(c.hit("locked", day, 60_000).await.unwrap().hits, 2, "its lock had not ended");
        assert_eq!(c.hit("recent", day, 60_000).await.unwrap().hits, 2, "its window began after");
    }
}

/// The shared counters, which PostgreSQL has.
fn counters(db: &Db) -> Arc<dyn CounterStore> {
    db.counters().expect("PostgreSQL has shared counters").clone()
}
