//! Second factors: an authenticator app's sealed secret (TOTP) and the
//! account's single-use recovery codes. The store never sees a secret in
//! clear: the secret arrives sealed, recovery codes as hashes.

mod postgres;
mod sqlite;

use super::{DbError, NewMessage, account_admin::NewAudit};
use async_trait::async_trait;
use uuid::Uuid;

/// An account's authenticator app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpFactor {
    /// The shared secret, sealed (see `intake_core::auth::totp`).
    pub sealed: Vec<u8>,
    pub created_at: i64,
    /// `None` while the enrolment waits for its first code.
    pub confirmed_at: Option<i64>,
    /// The newest 30-second step accepted.
    pub last_step: i64,
}

#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    async fn totp(&self, attorney: Uuid) -> Result<Option<TotpFactor>, DbError>;

    /// Starts an enrolment with a new sealed secret, replacing an unconfirmed
    /// one; false when the account already has a confirmed app.
    async fn start_totp(&self, attorney: Uuid, sealed: &[u8], now: i64) -> Result<bool, DbError>;

    /// Confirms the enrolment by its first code's `step`, stores the recovery
    /// codes' hashes (replacing any) and records `audit`, in one transaction;
    /// false when there is no unconfirmed enrolment.
    async fn confirm_totp(
        &self,
        attorney: Uuid,
        step: i64,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<bool, DbError>;

    /// Accepts `step` of a confirmed app once: true when it is newer than
    /// every step accepted before (two requests with one code: one wins).
    async fn use_totp_step(&self, attorney: Uuid, step: i64) -> Result<bool, DbError>;

    /// Uses up one unused recovery code; true once.
    async fn use_recovery_code(&self, attorney: Uuid, code_hash: &str, now: i64) -> Result<bool, DbError>;

    /// Unused recovery codes left.
    async fn recovery_codes_left(&self, attorney: Uuid) -> Result<i64, DbError>;

    /// Replaces every recovery code (used or not) and records `audit`.
    async fn replace_recovery_codes(
        &self,
        attorney: Uuid,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<(), DbError>;

    /// Removes the app and the recovery codes, records `audit` and queues
    /// `email` (telling the account), in one transaction; false when there was no app.
    async fn remove_totp(&self, attorney: Uuid, audit: &NewAudit, email: Option<&NewMessage>) -> Result<bool, DbError>;

    /// Accounts with a confirmed app.
    async fn confirmed_totp_count(&self) -> Result<i64, DbError>;

    /// The accounts with a confirmed app.
    async fn confirmed_totp_accounts(&self) -> Result<Vec<Uuid>, DbError>;
}

/// Both dialects (`?N` placeholders).
mod sql {
    pub const TOTP: &str =
        "SELECT secret_sealed, created_at, confirmed_at, last_step FROM attorney_totp WHERE attorney_id = ?1";
    pub const START: &str = "INSERT INTO attorney_totp (attorney_id, secret_sealed, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (attorney_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,
             created_at = excluded.created_at, last_step = 0
         WHERE attorney_totp.confirmed_at IS NULL";
    pub const CONFIRM: &str = "UPDATE attorney_totp SET confirmed_at = ?2, last_step = ?3
         WHERE attorney_id = ?1 AND confirmed_at IS NULL";
    pub const USE_STEP: &str = "UPDATE attorney_totp SET last_step = ?2
         WHERE attorney_id = ?1 AND confirmed_at IS NOT NULL AND last_step < ?2";
    pub const USE_CODE: &str = "UPDATE recovery_codes SET used_at = ?3
         WHERE attorney_id = ?1 AND code_hash = ?2 AND used_at IS NULL";
    pub const CODES_LEFT: &str = "SELECT COUNT(*) FROM recovery_codes WHERE attorney_id = ?1 AND used_at IS NULL";
    pub const DELETE_CODES: &str = "DELETE FROM recovery_codes WHERE attorney_id = ?1";
    pub const INSERT_CODE: &str = "INSERT INTO recovery_codes (attorney_id, code_hash) VALUES (?1, ?2)";
    pub const DELETE_TOTP: &str = "DELETE FROM attorney_totp WHERE attorney_id = ?1";
    pub const CONFIRMED: &str = "SELECT COUNT(*) FROM attorney_totp WHERE confirmed_at IS NOT NULL";
    pub const CONFIRMED_ACCOUNTS: &str = "SELECT attorney_id FROM attorney_totp WHERE confirmed_at IS NOT NULL";
}

fn totp_row(r: &impl super::row::Columns, sealed: Vec<u8>) -> Result<TotpFactor, DbError> {
    Ok(TotpFactor {
        sealed,
        created_at: r.int("created_at")?,
        confirmed_at: r.opt_int("confirmed_at")?,
        last_step: r.int("last_step")?,
    })
}
