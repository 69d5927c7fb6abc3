//! Attorney accounts. Every change that ends sessions (logout, disabling,
//! a new password) is announced, so instances may cache accounts (see [`cache`]).

pub(crate) mod cache;
mod postgres;
mod sqlite;

use super::{Attorney, DbError, Role};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn count(&self) -> Result<i64, DbError>;

    async fn create(&self, a: &Attorney) -> Result<(), DbError>;

    async fn by_email(&self, email: &str) -> Result<Option<Attorney>, DbError>;

    async fn by_id(&self, id: Uuid) -> Result<Option<Attorney>, DbError>;

    /// The account, if sign-in `signin` is still its own (see
    /// `signins`): read on every internal request.
    async fn by_signin(&self, id: Uuid, signin: Uuid) -> Result<Option<Attorney>, DbError>;

    async fn list(&self) -> Result<Vec<Attorney>, DbError>;

    /// Ends every session of this account, on every instance.
    async fn end_sessions(&self, id: Uuid, now: i64) -> Result<(), DbError>;

    /// Returns false when no account has this email. Ends the account's sessions.
    async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, DbError>;

    /// Returns false when no account has this email. Ends the account's
    /// sessions, so a change of role applies at once.
    async fn set_role(&self, email: &str, role: Role) -> Result<bool, DbError>;

    /// Returns false when no account has this email. Ends the account's sessions.
    async fn set_disabled(&self, email: &str, disabled: bool) -> Result<bool, DbError>;
}

/// An account through one of its sign-ins (both dialects).
const BY_SIGNIN: &str =
    "SELECT a.* FROM attorneys a JOIN signins s ON s.attorney_id = a.id WHERE a.id = ?1 AND s.id = ?2";

/// How an account's email is matched.
fn normalize(email: &str) -> String {
    email.trim().to_lowercase()
}
