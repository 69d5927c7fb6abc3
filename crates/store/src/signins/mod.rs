//! Sign-ins: one row per signed-in browser (its session names the row), so
//! an attorney can see where they are signed in and end any of it; and the
//! browsers an account has used, so a sign-in from a new one is emailed.
//!
//! A session is signed in only while its row exists (see
//! `AccountStore::by_signin`); ending a sign-in deletes the row and
//! announces the account's change, so every instance's cache and the
//! browser's open event stream hear it at once.

mod postgres;
mod sqlite;

use crate::{DbError, NewMessage, account_admin::NewAudit};
use async_trait::async_trait;
use uuid::Uuid;

/// A sign-in about to start.
#[derive(Clone, Debug)]
pub struct NewSignin {
    pub id: Uuid,
    pub attorney_id: Uuid,
    pub device: String,
    pub address: String,
    pub at: i64,
}

/// A signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signin {
    pub id: Uuid,
    pub device: String,
    pub address: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
}

/// What the account knew of the browser signing in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    /// The account's first browser: nothing to compare with, no email.
    First,
    Known,
    /// Never seen with this account: the email was queued.
    New,
}

/// Which sign-ins [`SigninStore::signins`] lists: the live ones.
#[derive(Clone, Copy, Debug)]
pub struct Live {
    /// Seen after this (the idle expiry).
    pub seen_after: i64,
    /// Started after this (the absolute expiry).
    pub started_after: i64,
}

#[async_trait]
pub trait SigninStore: Send + Sync {
    /// Records a sign-in and its browser (`browser_hash`: the SHA-256 of its
    /// cookie's secret); queues `new_browser_email` when the account has
    /// signed in before, never from this browser. One transaction.
    async fn start_signin(
        &self,
        signin: &NewSignin,
        browser_hash: &str,
        new_browser_email: &NewMessage,
    ) -> Result<Browser, DbError>;

    /// The browser is still there.
    async fn touch_signin(&self, id: Uuid, now: i64) -> Result<(), DbError>;

    /// The account's live sign-ins, the most recently seen first (at most 100).
    async fn signins(&self, attorney: Uuid, live: Live) -> Result<Vec<Signin>, DbError>;

    /// Ends one of the account's sign-ins and records `audit`; false when it was not one.
    async fn end_signin(&self, attorney: Uuid, id: Uuid, audit: &NewAudit) -> Result<bool, DbError>;

    /// Ends every sign-in of the account but `keep`, recording `audit` when
    /// there were any; how many ended.
    async fn end_other_signins(&self, attorney: Uuid, keep: Uuid, audit: &NewAudit) -> Result<u64, DbError>;

    /// Deletes sign-ins that expired (those ended by the account's
    /// `sessions_valid_after` go at once, by trigger), and browsers unused
    /// since `browsers_before`.
    async fn prune_signins(&self, live: Live, browsers_before: i64) -> Result<u64, DbError>;
}

/// Both dialects (`?N` placeholders).
mod sql {
    pub const INSERT: &str = "INSERT INTO signins (id, attorney_id, device, address, signed_in_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
    pub const BROWSERS: &str = "SELECT COUNT(*) FROM known_browsers WHERE attorney_id = ?1";
    pub const KNOWN: &str = "SELECT COUNT(*) FROM known_browsers WHERE attorney_id = ?1 AND browser_hash = ?2";
    pub const SEE_BROWSER: &str = "INSERT INTO known_browsers (attorney_id, browser_hash, last_seen_at)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (attorney_id, browser_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at";
    pub const TOUCH: &str = "UPDATE signins SET last_seen_at = ?2 WHERE id = ?1";
    pub const LIST: &str = "SELECT s.id, s.device, s.address, s.signed_in_at, s.last_seen_at
         FROM signins s JOIN attorneys a ON a.id = s.attorney_id
         WHERE s.attorney_id = ?1 AND s.signed_in_at >= a.sessions_valid_after
           AND s.last_seen_at > ?2 AND s.signed_in_at > ?3
         ORDER BY s.last_seen_at DESC LIMIT 100";
    pub const END: &str = "DELETE FROM signins WHERE attorney_id = ?1 AND id = ?2";
    pub const END_OTHERS: &str = "DELETE FROM signins WHERE attorney_id = ?1 AND id <> ?2";
    pub const PRUNE: &str = "DELETE FROM signins WHERE last_seen_at <= ?1 OR signed_in_at <= ?2";
    pub const PRUNE_BROWSERS: &str = "DELETE FROM known_browsers WHERE last_seen_at < ?1";
}

fn signin_row(r: &impl crate::row::Columns) -> Result<Signin, DbError> {
    Ok(Signin {
        id: r.uuid("id")?,
        device: r.text("device")?,
        address: r.text("address")?,
        signed_in_at: r.int("signed_in_at")?,
        last_seen_at: r.int("last_seen_at")?,
    })
}

/// From the two counts: whether this browser is the account's first, known or new.
fn browser_of(browsers: i64, known: i64) -> Browser {
    match (browsers, known) {
        (0, _) => Browser::First,
        (_, 0) => Browser::New,
        _ => Browser::Known,
    }
}
