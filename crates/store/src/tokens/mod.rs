//! API tokens for integrations: made from the CLI, stored as hashes, revoked
//! by id. A token acts as the attorney who made it and stops working when
//! that account is disabled.

mod postgres;
mod sqlite;

use super::{ApiToken, DbError};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a new token under the hash of its secret.
    async fn create_token(&self, token: &ApiToken, secret_hash: &str) -> Result<(), DbError>;

    /// Every token, revoked ones too, newest first.
    async fn list_tokens(&self) -> Result<Vec<ApiToken>, DbError>;

    /// Revokes a live token; false when there is none with that id.
    async fn revoke_token(&self, id: Uuid, now: i64) -> Result<bool, DbError>;

    /// The live (unrevoked) token with this secret hash.
    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<ApiToken>, DbError>;

    /// Records a use (callers do it at most once a minute per token).
    async fn touch_token(&self, id: Uuid, now: i64) -> Result<(), DbError>;
}

/// Shared SQL: placeholders are written `?N` and rewritten to `$N` for PostgreSQL.
pub(crate) mod sql {
    use crate::row::TOKEN_COLUMNS;
    use std::sync::LazyLock;

    pub static LIST: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN attorneys a ON a.id = t.attorney_id ORDER BY t.id DESC")
    });

    pub static BY_HASH: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN attorneys a ON a.id = t.attorney_id
             WHERE t.secret_hash = ?1 AND t.revoked_at IS NULL"
        )
    });

    pub const INSERT: &str =
        "INSERT INTO api_tokens (id, name, scope, secret_hash, attorney_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    pub const REVOKE: &str = "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL";
    pub const TOUCH: &str = "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2";

    pub(crate) use crate::dollars;
}
