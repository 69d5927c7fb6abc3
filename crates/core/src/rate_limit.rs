//! Token buckets per key: client address for submissions, token id for the integrator API.

use crate::config::Rate;
use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Above this many tracked addresses, idle (full) buckets are dropped.
const PRUNE_AT: usize = 10_000;

pub struct RateLimiter<K = IpAddr> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(rate: Rate) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()) }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: K, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(self.rate.count);
        let per_token = self.rate.per.as_secs_f64() / capacity;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() / per_token < capacity);
        }
        let b = buckets.entry(key).or_insert(Bucket { tokens: capacity, at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() / per_token).min(capacity);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) * per_token))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refills() {
        let rl: RateLimiter = RateLimiter::new(Rate { count: 3, per: Duration::from_secs(60) });
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rl.check_at(ip, t0).is_ok());
        }
        let wait = rl.check_at(ip, t0).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(rl.check_at(other, t0).is_ok(), "addresses are limited separately");
        assert!(rl.check_at(ip, t0 + Duration::from_secs(20)).is_ok());
    }
}
