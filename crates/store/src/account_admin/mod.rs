//! Managing accounts from the browser: one-time links to set a password
//! (queued with their email in one transaction) and the accounts' audit log.

mod postgres;
mod sqlite;

pub(crate) use postgres::insert_audit as insert_audit_pg;
pub(crate) use sqlite::insert_audit as insert_audit_sqlite;

use super::{DbError, NewMessage};
use async_trait::async_trait;
use intake_domain::{accounts::AuditAction, accounts::AuditRow, accounts::LinkPurpose};
use uuid::Uuid;

/// A link to store: only the hash of its secret.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub id: Uuid,
    pub token_hash: String,
    pub attorney_id: Uuid,
    pub purpose: LinkPurpose,
    pub created_at: i64,
    pub expires_at: i64,
}

/// An audit log entry to record.
#[derive(Clone, Debug)]
pub struct NewAudit {
    pub at: i64,
    /// `None`: the command line.
    pub actor: Option<Uuid>,
    pub action: AuditAction,
    pub target: Uuid,
    pub detail: String,
}

#[async_trait]
pub trait AccountAdminStore: Send + Sync {
    /// Stores a link, queues the email carrying it and records `audit`, in
    /// one transaction. Older unused links of the account for the same
    /// purpose stop working: only the newest email counts.
    async fn create_link(&self, link: &NewLink, email: &NewMessage, audit: &NewAudit) -> Result<(), DbError>;

    /// The account and purpose of a link that is unused and unexpired at `now`.
    async fn link(&self, token_hash: &str, now: i64) -> Result<Option<(Uuid, LinkPurpose)>, DbError>;

    /// Gives an unused, unexpired link the hash of the secret its email is
    /// being sent with (the one before stops working); false when the link
    /// was used, replaced or has expired.
    async fn issue_link_secret(&self, id: Uuid, token_hash: &str, now: i64) -> Result<bool, DbError>;

    /// Uses a link up (once: a second use finds nothing).
    async fn redeem_link(&self, token_hash: &str, now: i64) -> Result<Option<(Uuid, LinkPurpose)>, DbError>;

    async fn record(&self, audit: &NewAudit) -> Result<(), DbError>;

    /// The newest entries, of one action when given.
    async fn audit_log(&self, action: Option<AuditAction>, limit: i64) -> Result<Vec<AuditRow>, DbError>;
}

/// Both dialects (`?N` placeholders).
const INSERT_LINK: &str = "INSERT INTO account_links (token_hash, attorney_id, purpose, created_at, expires_at, id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const ISSUE_SECRET: &str =
    "UPDATE account_links SET token_hash = ?2 WHERE id = ?1 AND used_at IS NULL AND expires_at > ?3";
const RETIRE_LINKS: &str =
    "UPDATE account_links SET used_at = ?3 WHERE attorney_id = ?1 AND purpose = ?2 AND used_at IS NULL";
const INSERT_AUDIT: &str =
    "INSERT INTO account_audit (at, actor_id, action, target_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
const LINK: &str =
    "SELECT attorney_id, purpose FROM account_links WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2";
const REDEEM: &str = "UPDATE account_links SET used_at = ?2
     WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING attorney_id, purpose";
/// `?1` the action or NULL, `?2` the limit.
const AUDIT_LOG: &str = "SELECT g.at, g.action, g.detail, a.display_name AS actor, t.email AS target
     FROM account_audit g LEFT JOIN attorneys a ON a.id = g.actor_id JOIN attorneys t ON t.id = g.target_id
     WHERE ?1 IS NULL OR g.action = ?1 ORDER BY g.id DESC LIMIT ?2";

fn audit_row(r: &impl super::row::Columns) -> Result<AuditRow, DbError> {
    let action = r.text("action")?;
    Ok(AuditRow {
        at: r.int("at")?,
        actor: r.opt_text("actor")?,
        action: AuditAction::parse(&action).ok_or_else(|| DbError::corrupt("action", action))?,
        target: r.text("target")?,
        detail: r.text("detail")?,
    })
}

fn purpose(s: String) -> Result<LinkPurpose, DbError> {
    LinkPurpose::parse(&s).ok_or_else(|| DbError::corrupt("purpose", s))
}
