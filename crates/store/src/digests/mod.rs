//! The daily follow-up digest: which days have been sent, claimed together
//! with the day's emails, so several instances send it once.

mod postgres;
mod sqlite;

use super::{DbError, NewMessage};
use async_trait::async_trait;

#[async_trait]
pub trait DigestStore: Send + Sync {
    /// Whether `day` (`YYYY-MM-DD`, UTC) has been sent.
    async fn digest_sent(&self, day: &str) -> Result<bool, DbError>;

    /// Claims `day` and queues its emails in one transaction; false (and
    /// nothing queued) when another instance claimed it first.
    async fn claim_digest(&self, day: &str, now: i64, messages: &[NewMessage]) -> Result<bool, DbError>;
}

const CLAIM_SQL: &str = "INSERT INTO digests (day, sent_at) VALUES (?1, ?2) ON CONFLICT (day) DO NOTHING";
