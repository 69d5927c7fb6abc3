//! Argon2id password hashing, off the async threads and bounded in concurrency
//! (each hash takes ~19 MiB and tens of milliseconds of CPU).

use argon2::{
    Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Shortest password accepted for a new or reset account.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so that case takes as long as a wrong password.
    dummy_hash: Arc<str>,
}

impl Hasher {
    pub fn new(concurrency: usize) -> Self {
        let dummy_hash = hash_blocking("not the password of any account").expect("hashing works").into();
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy_hash }
    }

    pub async fn hash(&self, password: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| e.to_string())?
    }

    /// True only if `hash` is `Some` and matches; `None` still costs one verification.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        })
        .await
        .unwrap_or(false);
        ok && known
    }
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a new password against the policy.
pub fn check_new_password(p: &str) -> Result<(), String> {
    let n = p.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("the password must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if n > 1024 {
        return Err("the password must be at most 1024 characters".into());
    }
    Ok(())
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
        assert!(h.verify("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!h.verify("wrong horse battery".into(), Some(hash)).await);
        assert!(!h.verify("not the password of any account".into(), None).await);
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
