//! Passkeys (WebAuthn credentials) and the ceremonies that add or use them.
//!
//! The store keeps each credential as an opaque document (what webauthn-rs
//! serialises: the credential's id, public key and counter), so it knows
//! nothing of WebAuthn. A ceremony's state is kept here between its two
//! requests, and taken once: two requests finishing one ceremony cannot
//! both succeed, and a replayed answer finds nothing to finish.

mod postgres;
mod sqlite;

use crate::{DbError, NewMessage, account_admin::NewAudit};
use async_trait::async_trait;
use uuid::Uuid;

/// One of an account's passkeys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyRow {
    pub id: Uuid,
    pub attorney_id: Uuid,
    pub name: String,
    /// The credential as webauthn-rs serialises it (JSON).
    pub credential: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A passkey about to be added.
#[derive(Clone, Debug)]
pub struct NewPasskey<'a> {
    pub id: Uuid,
    pub attorney_id: Uuid,
    /// The credential's id in hex: unique across every account.
    pub credential_id: &'a str,
    pub name: &'a str,
    pub credential: &'a str,
    pub at: i64,
}

/// Why a ceremony was started: it finishes only as what it began as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Adding a passkey to the signed-in account.
    Add,
    /// Signing in with a passkey alone (the browser chooses the account).
    SignIn,
    /// The second step after a password, or a fresh proof: the account is known.
    Verify,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::SignIn => "sign_in",
            Self::Verify => "verify",
        }
    }
}

/// A ceremony under way.
#[derive(Clone, Debug)]
pub struct Ceremony<'a> {
    pub id: Uuid,
    /// The account it is for; none when signing in without an email.
    pub attorney_id: Option<Uuid>,
    pub purpose: Purpose,
    /// What webauthn-rs needs to finish it (JSON).
    pub state: &'a str,
    pub expires_at: i64,
}

/// What [`PasskeyStore::start_ceremony`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Started {
    Yes,
    /// `max_live` ceremonies are already under way (expired ones were pruned first).
    TooMany,
}

#[async_trait]
pub trait PasskeyStore: Send + Sync {
    /// The account's passkeys, oldest first.
    async fn passkeys(&self, attorney: Uuid) -> Result<Vec<PasskeyRow>, DbError>;

    /// The passkey with this credential id (hex), whoever's it is.
    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRow>, DbError>;

    /// Adds a passkey, records `audit` and queues `email` (telling the
    /// account), in one transaction; false when the credential is already
    /// registered (to this account or another).
    async fn add_passkey(
        &self,
        passkey: &NewPasskey<'_>,
        audit: &NewAudit,
        email: &NewMessage,
    ) -> Result<bool, DbError>;

    /// After a sign-in with it: the credential's new state (its counter) and when.
    async fn passkey_used(&self, id: Uuid, credential: &str, now: i64) -> Result<(), DbError>;

    /// Removes one of the account's passkeys and records `audit`; false when it is not one.
    async fn remove_passkey(&self, attorney: Uuid, id: Uuid, audit: &NewAudit) -> Result<bool, DbError>;

    /// Records a ceremony's state, unless `max_live` unexpired ones exist
    /// in its pool (expired ones are deleted first): an account's own
    /// ceremonies, or the anonymous sign-ins', so strangers filling theirs
    /// cannot stop an account's second step or confirmation.
    async fn start_ceremony(&self, ceremony: &Ceremony<'_>, now: i64, max_live: i64) -> Result<Started, DbError>;

    /// Takes a ceremony's state once: deleted as it is read; none when it was
    /// taken already, expired, or began for another purpose or account.
    async fn take_ceremony(
        &self,
        id: Uuid,
        purpose: Purpose,
        attorney: Option<Uuid>,
        now: i64,
    ) -> Result<Option<String>, DbError>;

    /// How many passkeys each account that has one has.
    async fn passkey_counts(&self) -> Result<Vec<(Uuid, i64)>, DbError>;

    /// An administrator's reset: removes every second factor of the account
    /// (its app, recovery codes and passkeys), records `audit` and queues
    /// `email`, in one transaction; false when it had none.
    async fn reset_factors(&self, attorney: Uuid, audit: &NewAudit, email: &NewMessage) -> Result<bool, DbError>;
}

/// Both dialects (`?N` placeholders).
mod sql {
    pub const LIST: &str = "SELECT id, attorney_id, name, credential, created_at, last_used_at
         FROM passkeys WHERE attorney_id = ?1 ORDER BY created_at, id";
    pub const BY_CREDENTIAL: &str = "SELECT id, attorney_id, name, credential, created_at, last_used_at
         FROM passkeys WHERE credential_id = ?1";
    pub const INSERT: &str = "INSERT INTO passkeys (id, attorney_id, credential_id, name, credential, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (credential_id) DO NOTHING";
    pub const USED: &str = "UPDATE passkeys SET credential = ?2, last_used_at = ?3 WHERE id = ?1";
    pub const REMOVE: &str = "DELETE FROM passkeys WHERE attorney_id = ?1 AND id = ?2";
    pub const PRUNE: &str = "DELETE FROM passkey_ceremonies WHERE expires_at <= ?1";
    pub const LIVE_ANONYMOUS: &str = "SELECT COUNT(*) FROM passkey_ceremonies WHERE attorney_id IS NULL";
    pub const LIVE_OF: &str = "SELECT COUNT(*) FROM passkey_ceremonies WHERE attorney_id = ?1";
    pub const START: &str = "INSERT INTO passkey_ceremonies (id, attorney_id, purpose, state, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)";
    pub const RESET_TOTP: &str = "DELETE FROM attorney_totp WHERE attorney_id = ?1";
    pub const RESET_CODES: &str = "DELETE FROM recovery_codes WHERE attorney_id = ?1";
    pub const RESET_PASSKEYS: &str = "DELETE FROM passkeys WHERE attorney_id = ?1";
    pub const COUNTS: &str = "SELECT attorney_id, COUNT(*) AS n FROM passkeys GROUP BY attorney_id";
    pub const TAKE: &str =
        "DELETE FROM passkey_ceremonies WHERE id = ?1 RETURNING attorney_id, purpose, state, expires_at";
}

fn passkey_row(r: &impl crate::row::Columns) -> Result<PasskeyRow, DbError> {
    Ok(PasskeyRow {
        id: r.uuid("id")?,
        attorney_id: r.uuid("attorney_id")?,
        name: r.text("name")?,
        credential: r.text("credential")?,
        created_at: r.int("created_at")?,
        last_used_at: r.opt_int("last_used_at")?,
    })
}

/// A taken ceremony's state, if it is the one asked for and still valid.
fn taken(
    r: &impl crate::row::Columns,
    purpose: Purpose,
    attorney: Option<Uuid>,
    now: i64,
) -> Result<Option<String>, DbError> {
    let ok =
        r.text("purpose")? == purpose.as_str() && r.opt_uuid("attorney_id")? == attorney && r.int("expires_at")? > now;
    Ok(if ok { Some(r.text("state")?) } else { None })
}
