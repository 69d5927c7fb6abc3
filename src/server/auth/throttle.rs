//! Slows down password guessing: after repeated failures, an account or an
//! address is locked out for a while.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failures within `WINDOW` that lock an account.
const ACCOUNT_LIMIT: u32 = 5;
/// Failures within `WINDOW` that lock a client address (it may serve a whole office).
const ADDRESS_LIMIT: u32 = 20;
const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    failures: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

impl LoginThrottle {
    /// `Err(wait)` when any key is locked.
    pub fn check(&self, keys: &[String]) -> Result<(), Duration> {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let wait = keys
            .iter()
            .filter_map(|k| entries.get(k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        wait.map_or(Ok(()), Err)
    }

    pub fn record_failure(&self, keys: &[String]) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 100_000 {
            entries.retain(|_, e| now.duration_since(e.first) < WINDOW || e.locked_until.is_some_and(|u| u > now));
        }
        for k in keys {
            let limit = if k.starts_with("ip:") { ADDRESS_LIMIT } else { ACCOUNT_LIMIT };
            let e = entries.entry(k.clone()).or_insert(Entry { failures: 0, first: now, locked_until: None });
            if now.duration_since(e.first) > WINDOW {
                *e = Entry { failures: 0, first: now, locked_until: None };
            }
            e.failures += 1;
            if e.failures >= limit {
                e.locked_until = Some(now + LOCKOUT);
            }
        }
    }

    pub fn clear(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The throttle keys for a login attempt.
pub fn keys(email: &str, ip: std::net::IpAddr) -> [String; 2] {
    [format!("acct:{}", email.trim().to_lowercase()), format!("ip:{ip}")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_an_account_after_five_failures() {
        let t = LoginThrottle::default();
        let k = keys("A@x.com", "10.0.0.1".parse().unwrap());
        for _ in 0..4 {
            t.record_failure(&k);
            assert!(t.check(&k).is_ok());
        }
        t.record_failure(&k);
        let wait = t.check(&k).unwrap_err();
        assert!(wait > Duration::from_secs(14 * 60));
        // Another account from another address is unaffected.
        assert!(t.check(&keys("b@x.com", "10.0.0.2".parse().unwrap())).is_ok());
    }
}
