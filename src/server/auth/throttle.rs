//! Slows down password guessing: after repeated failures, an account or an
//! address is locked out for a while.
//!
//! An attempt reserves its place before the password is checked and counts
//! as a failure until it is known not to be one, so wrong passwords sent at
//! the same moment cannot all be checked: at most the remaining budget of an
//! account (or address) is ever in flight.

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
}

impl LoginThrottle {
    pub fn new(max_keys: usize) -> Self {
        Self { entries: Mutex::default(), max_keys }
    }

    /// Reserves an attempt for `keys`, or `Err(wait)` when a key is locked or
    /// its remaining budget is already taken by attempts in flight.
    pub fn begin(self: &Arc<Self>, keys: [String; 2]) -> Result<Attempt, Duration> {
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
        Ok(Attempt { throttle: self.clone(), keys, resolved: false })
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
    pub fn failed(mut self) {
        self.resolved = true;
        self.throttle.finish(&self.keys, Some(false));
    }

    pub fn succeeded(mut self) {
        self.resolved = true;
        self.throttle.finish(&self.keys, Some(true));
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.resolved {
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

    fn ip(n: u8) -> std::net::IpAddr {
        std::net::IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn locks_an_account_after_five_failures() {
        let t = Arc::new(LoginThrottle::default());
        for _ in 0..5 {
            t.begin(keys("A@x.com", ip(1))).unwrap().failed();
        }
        let wait = t.begin(keys("a@x.com", ip(1))).err().unwrap();
        assert!(wait > Duration::from_secs(14 * 60));
        // Another account from another address is unaffected.
        assert!(t.begin(keys("b@x.com", ip(2))).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_against_the_budget() {
        let t = Arc::new(LoginThrottle::default());
        let held: Vec<_> = (0..40).filter_map(|_| t.begin(keys("a@x.com", ip(1))).ok()).collect();
        assert_eq!(held.len(), ACCOUNT_LIMIT as usize, "only the budget is checked at once");
        drop(held); // unresolved: given back
        let again: Vec<_> = (0..40).filter_map(|_| t.begin(keys("a@x.com", ip(1))).ok()).collect();
        assert_eq!(again.len(), ACCOUNT_LIMIT as usize);
    }

    #[test]
    fn a_success_clears_the_account() {
        let t = Arc::new(LoginThrottle::default());
        for _ in 0..4 {
            t.begin(keys("a@x.com", ip(1))).unwrap().failed();
        }
        t.begin(keys("a@x.com", ip(1))).unwrap().succeeded();
        for _ in 0..4 {
            t.begin(keys("a@x.com", ip(1))).unwrap().failed();
        }
        assert!(t.begin(keys("a@x.com", ip(1))).is_ok());
    }

    #[test]
    fn keys_and_their_number_are_bounded() {
        let [account, _] = keys(&"x".repeat(2_000_000), ip(1));
        assert!(account.len() <= MAX_KEY_CHARS + 5);
        let t = Arc::new(LoginThrottle::new(10));
        let mut refused = 0;
        for i in 0..20u8 {
            match t.begin(keys(&format!("u{i}@x.com"), ip(i))) {
                Ok(a) => a.failed(),
                Err(_) => refused += 1,
            }
        }
        assert!(t.tracked() <= 10);
        assert!(refused > 0, "a full table refuses rather than grows");
    }
}
