//! SQLite: new leads go to the writer thread (group commit); reads use the pool.

use super::LeadStore;
use crate::{
    domain::dashboard::LiveEvent,
    server::db::{DbError, Lead, NewLead, NewMessage, row, sqlite::SqliteDb},
};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl LeadStore for SqliteDb {
    /// Queues the insert for the writer thread, which commits many leads in
    /// one transaction (one fsync for the group), and waits for that commit.
    async fn insert(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        // The writer publishes the event in commit order.
        self.writer.insert(lead, messages).await
    }

    async fn get(&self, id: Uuid) -> Result<Option<Lead>, DbError> {
        let row =
            sqlx::query("SELECT * FROM leads WHERE id = ?").bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::lead).transpose()
    }

    async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE resume_key = ?")
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}
