//! Slows down password guessing: after repeated failures, an account or an
//! address is locked out for a while.
//!
//! An attempt reserves its place before the password is checked and counts
//! as a failure until it is known not to be one, so wrong passwords sent at
//! the same moment cannot all be checked: at most the remaining budget of an
//! account (or address) is ever in flight. With PostgreSQL the counts live in
//! the database, shared by every instance (see `db::counters`).

use intake_store::{CounterStore, now_ms};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Failures within `WINDOW` that lock an account.
pub const ACCOUNT_LIMIT: u32 = 5;
/// Failures within `WINDOW` that lock a client address (it may serve a whole office).
pub const ADDRESS_LIMIT: u32 = 20;
const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Longest email kept as a key (the longest valid address is 254 characters).
const MAX_KEY_CHARS: usize = 260;
/// How long a caller is told to wait when its budget is all in flight.
const BUSY_WAIT: Duration = Duration::from_secs(1);

pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
    /// Keys tracked at most; bounds the memory an attacker can make us use.
    max_keys: usize,
    /// Counts kept in PostgreSQL instead, for several instances.
    shared: Option<Arc<dyn CounterStore>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(100_000)
    }
}

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    in_flight: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.in_flight > 0
            || now.duration_since(self.first) < WINDOW
            || self.locked_until.is_some_and(|until| until > now)
    }
}

/// A reserved login attempt. Resolve it with [`Attempt::failed`] or
/// [`Attempt::succeeded`]; dropped unresolved (an error, a cancelled request),
/// it gives its place back without counting.
pub struct Attempt {
    throttle: Arc<LoginThrottle>,
    keys: [String; 2],
    resolved: bool,
    /// Shared mode: each key's count including this attempt.
    shared_hits: Option<[i64; 2]>,
}

impl LoginThrottle {
    pub fn new(max_keys: usize) -> Self {
        Self { entries: Mutex::default(), max_keys, shared: None }
    }

    /// Counts in the database, shared by every instance.
    pub fn shared(db: Arc<dyn CounterStore>) -> Self {
        Self { shared: Some(db), ..Self::new(0) }
    }

    /// Reserves an attempt for `keys`, or `Err(wait)` when a key is locked or
    /// its remaining budget is already taken by attempts in flight.
    pub async fn begin(self: &Arc<Self>, keys: [String; 2]) -> Result<Attempt, Duration> {
        match &self.shared {
            Some(db) => self.begin_shared(db, keys).await,
            None => self.begin_local(keys),
        }
    }

    /// Shared mode: each attempt is counted before its password is checked,
    /// atomically in the database; a success gives its count back.
    async fn begin_shared(
        self: &Arc<Self>,
        db: &Arc<dyn CounterStore>,
        keys: [String; 2],
    ) -> Result<Attempt, Duration> {
        let now = now_ms();
        let window = WINDOW.as_millis() as i64;
        let mut hits = [0; 2];
        for (i, k) in keys.iter().enumerate() {
            let hit = db.hit(k, window, now).await.map_err(|e| {
                tracing::error!(error = %e, "login throttle: cannot count the attempt");
                BUSY_WAIT
            })?;
            if let Some(until) = hit.locked_until.filter(|u| *u > now) {
                return Err(Duration::from_millis((until - now) as u64));
            }
            if hit.hits > i64::from(limit(k)) {
                return Err(Duration::from_millis((hit.window_start + window - now).max(1000) as u64));
            }
            hits[i] = hit.hits;
        }
        Ok(Attempt { throttle: self.clone(), keys, resolved: false, shared_hits: Some(hits) })
    }

    fn begin_local(self: &Arc<Self>, keys: [String; 2]) -> Result<Attempt, Duration> {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for k in &keys {
            let Some(e) = entries.get_mut(k) else { continue };
            if let Some(until) = e.locked_until.filter(|u| *u > now) {
                return Err(until - now);
            }
            if now.duration_since(e.first) > WINDOW && e.in_flight == 0 {
                *e = Entry { failures: 0, in_flight: 0, first: now, locked_until: None };
            }
            if e.failures + e.in_flight >= limit(k) {
                return Err(BUSY_WAIT);
            }
        }
        if entries.len() + keys.len() > self.max_keys {
            entries.retain(|_, e| e.live(now));
            if entries.len() + keys.len() > self.max_keys {
                tracing::warn!(keys = entries.len(), "login throttle full: refusing new login attempts");
                return Err(BUSY_WAIT);
            }
        }
        for k in &keys {
            let e =
                entries.entry(k.clone()).or_insert(Entry { failures: 0, in_flight: 0, first: now, locked_until: None });
            e.in_flight += 1;
        }
        Ok(Attempt { throttle: self.clone(), keys, resolved: false, shared_hits: None })
    }

    fn finish(&self, keys: &[String; 2], outcome: Option<bool>) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for (i, k) in keys.iter().enumerate() {
            let Some(e) = entries.get_mut(k) else { continue };
            e.in_flight = e.in_flight.saturating_sub(1);
            match outcome {
                Some(false) => {
                    e.failures += 1;
                    if e.failures >= limit(k) {
                        e.locked_until = Some(now + LOCKOUT);
                    }
                }
                // A success clears the account's failures, not the address's.
                Some(true) if i == 0 && e.in_flight == 0 => {
                    entries.remove(k);
                }
                _ => {}
            }
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
}

impl Attempt {
    pub async fn failed(mut self) {
        self.resolved = true;
        match (&self.throttle.shared, self.shared_hits) {
            (Some(db), Some(hits)) => {
                let until = now_ms() + LOCKOUT.as_millis() as i64;
                for (k, n) in self.keys.iter().zip(hits) {
                    if n >= i64::from(limit(k))
                        && let Err(e) = db.lock(k, until).await
                    {
                        tracing::error!(error = %e, "login throttle: cannot lock");
                    }
                }
            }
            _ => self.throttle.finish(&self.keys, Some(false)),
        }
    }

    pub async fn succeeded(mut self) {
        self.resolved = true;
        match &self.throttle.shared {
            Some(db) => {
                // The account starts afresh; the address only gets this attempt back.
                let [account, address] = &self.keys;
                let _ = db.clear(account).await;
                let _ = db.give_back(address).await;
            }
            None => self.throttle.finish(&self.keys, Some(true)),
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        // Shared counts stay counted: the database cannot be reached from drop.
        if !self.resolved && self.shared_hits.is_none() {
            self.throttle.finish(&self.keys, None);
        }
    }
}

fn limit(key: &str) -> u32 {
    if key.starts_with("ip:") { ADDRESS_LIMIT } else { ACCOUNT_LIMIT }
}

/// The throttle keys for a login attempt: the account (as typed, normalised
/// and bounded) and the client address.
pub fn keys(email: &str, ip: std::net::IpAddr) -> [String; 2] {
    let account: String = email.trim().to_lowercase().chars().take(MAX_KEY_CHARS).collect();
    [format!("acct:{account}"), format!("ip:{ip}")]
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Attempt {
        fn finish_now(mut self, ok: bool) {
            self.resolved = true;
            self.throttle.finish(&self.keys, Some(ok));
        }
    }

    fn ip(n: u8) -> std::net::IpAddr {
        std::net::IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn locks_an_account_after_five_failures() {
        let t = Arc::new(LoginThrottle::default());
        for _ in 0..5 {
            t.begin_local(keys("A@x.com", ip(1))).unwrap().finish_now(false);
        }
        let wait = t.begin_local(keys("a@x.com", ip(1))).err().unwrap();
        assert!(wait > Duration::from_secs(14 * 60));
        // Another account from another address is unaffected.
        assert!(t.begin_local(keys("b@x.com", ip(2))).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_against_the_budget() {
        let t = Arc::new(LoginThrottle::default());
        let held: Vec<_> = (0..40).filter_map(|_| t.begin_local(keys("a@x.com", ip(1))).ok()).collect();
        assert_eq!(held.len(), ACCOUNT_LIMIT as usize, "only the budget is checked at once");
        drop(held); // unresolved: given back
        let again: Vec<_> = (0..40).filter_map(|_| t.begin_local(keys("a@x.com", ip(1))).ok()).collect();
        assert_eq!(again.len(), ACCOUNT_LIMIT as usize);
    }

    #[test]
    fn a_success_clears_the_account() {
        let t = Arc::new(LoginThrottle::default());
        for _ in 0..4 {
            t.begin_local(keys("a@x.com", ip(1))).unwrap().finish_now(false);
        }
        t.begin_local(keys("a@x.com", ip(1))).unwrap().finish_now(true);
        for _ in 0..4 {
            t.begin_local(keys("a@x.com", ip(1))).unwrap().finish_now(false);
        }
        assert!(t.begin_local(keys("a@x.com", ip(1))).is_ok());
    }

    #[test]
    fn keys_and_their_number_are_bounded() {
        let [account, _] = keys(&"x".repeat(2_000_000), ip(1));
        assert!(account.len() <= MAX_KEY_CHARS + 5);
        let t = Arc::new(LoginThrottle::new(10));
        let mut refused = 0;
        for i in 0..20u8 {
            match t.begin_local(keys(&format!("u{i}@x.com"), ip(i))) {
                Ok(a) => a.finish_now(false),
                Err(_) => refused += 1,
            }
        }
        assert!(t.tracked() <= 10);
        assert!(refused > 0, "a full table refuses rather than grows");
    }
}
