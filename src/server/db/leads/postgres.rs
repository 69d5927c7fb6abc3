//! PostgreSQL: new leads go to the group committer (one transaction and one
//! WAL flush for the leads queued at that moment); the NOTIFY that announces
//! each one is sent in that transaction.

use super::LeadStore;
use crate::{
    domain::dashboard::LiveEvent,
    server::db::{DbError, Lead, NewLead, NewMessage, postgres::PgDb, row},
};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
impl LeadStore for PgDb {
    async fn insert(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError> {
        self.writer.insert(lead, messages).await
    }

    async fn get(&self, id: Uuid) -> Result<Option<Lead>, DbError> {
        let row = sqlx::query("SELECT * FROM leads WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::lead).transpose()
    }

    async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM leads WHERE resume_key = $1)")
            .bind(key)
            .fetch_one(&self.pool)
            .await?)
    }
}
