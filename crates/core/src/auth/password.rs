//! Argon2id password hashing, off the async threads and bounded in concurrency
//! (each hash takes ~19 MiB and tens of milliseconds of CPU).

use argon2::{
    Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};
use tokio::sync::Semaphore;

/// Shortest password accepted for a new or reset account.
pub use intake_domain::accounts::MIN_PASSWORD_CHARS;

/// The hashing queue is full: the caller should answer "busy, retry".
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verifications waiting or running, and the most allowed: a flood of
    /// guesses is refused at once instead of queueing in front of real logins.
    queued: Arc<AtomicUsize>,
    max_queued: usize,
    /// Verified against when the account does not exist, so that case takes as long as a wrong password.
    dummy_hash: Arc<str>,
}

impl Hasher {
    pub fn new(concurrency: usize) -> Self {
        Self::with_queue(concurrency, concurrency.max(1) * 8)
    }

    pub fn with_queue(concurrency: usize, max_queued: usize) -> Self {
        let dummy_hash = hash_blocking("not the password of any account").expect("hashing works").into();
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            queued: Arc::default(),
            max_queued: max_queued.max(1),
            dummy_hash,
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| e.to_string())?
    }

    /// True only if `hash` is `Some` and matches; `None` still costs one
    /// verification. `Err(Busy)` when the queue is full.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Busy> {
        if self.queued.fetch_add(1, Ordering::AcqRel) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let _slot = QueueSlot(&self.queued);
        let Ok(_permit) = self.permits.acquire().await else { return Ok(false) };
        // An account without a usable hash (an invited one, `!invited`) is
        // verified against the dummy too: the answer's time must not tell
        // which addresses have been invited.
        let hash = hash.filter(|h| PasswordHash::new(h).is_ok());
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        })
        .await
        .unwrap_or(false);
        Ok(ok && known)
    }
}

/// Leaves the queue when the verification ends or its request is dropped.
struct QueueSlot<'a>(&'a AtomicUsize);

impl Drop for QueueSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a new password against the policy, worded for the CLI and the
/// environment.
pub fn check_new_password(p: &str) -> Result<(), String> {
    intake_domain::accounts::password_policy(p).map_err(|w| format!("the password must be {}", w.rule()))
}

/// A random password of 20 characters from an unambiguous alphabet (~114 bits).
pub fn generate_password() -> String {
    use argon2::password_hash::rand_core::RngCore;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(20);
    while out.len() < 20 {
        let b = (OsRng.next_u32() & 0xff) as usize;
        // Rejection sampling keeps the distribution uniform.
        if b < ALPHABET.len() * (256 / ALPHABET.len()) {
            out.push(ALPHABET[b % ALPHABET.len()] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let h = Hasher::new(2);
        let hash = h.hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert_eq!(h.verify("correct horse battery".into(), Some(hash.clone())).await, Ok(true));
        assert_eq!(h.verify("wrong horse battery".into(), Some(hash)).await, Ok(false));
        assert_eq!(h.verify("not the password of any account".into(), None).await, Ok(false));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once() {
        let h = Hasher::with_queue(1, 2);
        let tries = (0..10).map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.verify("guess".into(), None).await })
        });
        let results = futures::future::join_all(tries).await;
        let busy = results.iter().filter(|r| matches!(r, Ok(Err(Busy)))).count();
        assert!(busy >= 7, "at most two queued at once, {busy} refused");
        // Once drained, it verifies again.
        assert_eq!(h.verify("guess".into(), None).await, Ok(false));
    }

    #[test]
    fn policy_and_generation() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough password").is_ok());
        let p = generate_password();
        assert_eq!(p.len(), 20);
        assert_ne!(p, generate_password());
    }
}
