//! Bearer tokens for the integrator API. A token is `intake_` and 43
//! base64url characters (256 random bits); only its SHA-256 is stored, so a
//! leaked database reveals no usable token. Cookies never authenticate here,
//! so these calls need no CSRF defence.

use crate::{error::Error, services::Services};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use intake_store::{ApiToken, Attorney, Db, TokenScope, now_ms};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const PREFIX: &str = "intake_";
/// `last_used_at` is written at most this often per token (ms).
const TOUCH_EVERY_MS: i64 = 60_000;

/// Who is calling: the token and the attorney it acts for.
#[derive(Clone, Debug)]
pub struct TokenCaller {
    pub token: ApiToken,
    pub attorney: Attorney,
}

/// A new token's secret, shown once.
pub fn new_secret() -> String {
    random_base64url(PREFIX)
}

/// `prefix` and 256 random bits in base64url (43 characters).
pub fn random_base64url(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", base64url(&bytes))
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Creates a token for the attorney with `owner_email` (the CLI); returns it and its secret.
pub async fn create(
    db: &Db,
    name: &str,
    scope: TokenScope,
    owner_email: &str,
    expires_at: Option<i64>,
) -> Result<(ApiToken, String), String> {
    let owner = db
        .accounts()
        .by_email(owner_email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account with email {owner_email}"))?;
    if owner.disabled {
        return Err(format!("{owner_email} is disabled"));
    }
    let name = intake_domain::integrations::check_token_name(name).map_err(|e| format!("--name: {e}"))?;
    create_for(db, &owner, &name, scope, expires_at).await.map_err(|e| e.to_string())
}

/// Creates a token acting as `owner` (name already checked); returns it and its secret.
pub async fn create_for(
    db: &Db,
    owner: &Attorney,
    name: &str,
    scope: TokenScope,
    expires_at: Option<i64>,
) -> Result<(ApiToken, String), intake_store::DbError> {
    let token = ApiToken {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        scope,
        attorney_id: owner.id,
        owner_email: owner.email.clone(),
        created_at: now_ms(),
        revoked_at: None,
        last_used_at: None,
        expires_at,
    };
    let secret = new_secret();
    db.tokens().create_token(&token, &hash_secret(&secret)).await?;
    Ok((token, secret))
}

/// The caller of an integrator API request, or why not.
pub async fn authenticate(state: &Services, authorization: Option<&str>) -> Result<TokenCaller, Error> {
    let secret = authorization
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|s| s.starts_with(PREFIX) && s.len() <= 100)
        .ok_or(Error::BadToken)?;
    let token = state.db.tokens().token_by_hash(&hash_secret(secret)).await?.ok_or(Error::BadToken)?;
    if !token.is_live(now_ms()) {
        return Err(Error::BadToken);
    }
    let attorney = state.db.accounts().by_id(token.attorney_id).await?.ok_or(Error::BadToken)?;
    if attorney.disabled {
        return Err(Error::BadToken);
    }
    if let Some(limiter) = &state.api_limiter {
        limiter.check(token.id).map_err(|retry_after| Error::ApiRateLimited { retry_after })?;
    }
    let now = now_ms();
    if token.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY_MS)
        && let Err(e) = state.db.tokens().touch_token(token.id, now).await
    {
        // Bookkeeping only: the call itself goes on.
        tracing::warn!(error = %e, token = %token.id, "cannot record a token's use");
    }
    Ok(TokenCaller { token, attorney })
}

impl TokenCaller {
    /// Refuses a write through a read-only token.
    pub fn require(&self, scope: TokenScope) -> Result<(), Error> {
        match (scope, self.token.scope) {
            (TokenScope::Write, TokenScope::Read) => {
                Err(Error::Forbidden("This API token may only read; changing a lead needs a write token."))
            }
            _ => Ok(()),
        }
    }
}

pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hashed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), PREFIX.len() + 43, "{a}");
        assert!(a[PREFIX.len()..].bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(hash_secret(&a).len(), 64);
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }

    #[test]
    fn base64url_matches_the_rfc_vectors() {
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(b"fooba"), "Zm9vYmE");
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }
}
