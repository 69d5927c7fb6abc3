//! SQLite: new leads go to the writer thread (group commit); reads use the pool.

use super::{LeadStore, sql};
use crate::{DbError, Lead, NewLead, NewMessage, row, sqlite::SqliteDb};
use async_trait::async_trait;
use intake_domain::{live::LiveEvent, questions::LeadIntake};
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

    async fn intake(&self, id: Uuid) -> Result<Option<LeadIntake>, DbError> {
        let row = sqlx::query(sql::INTAKE).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.as_ref().map(super::intake_row).transpose()
    }

    async fn intakes(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, LeadIntake)>, DbError> {
        let ids = serde_json::to_string(&ids.iter().map(|i| i.hyphenated().to_string()).collect::<Vec<_>>())
            .map_err(|e| DbError::corrupt("ids", e))?;
        let rows = sqlx::query(
            "SELECT lead_id, lang, form_version, matter_type, answers, consent_at FROM lead_answers
             WHERE lead_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((row::Columns::uuid(r, "lead_id")?, super::intake_row(r)?))).collect()
    }

    async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM leads WHERE resume_key = ?1) + (SELECT COUNT(*) FROM lead_documents WHERE file_key = ?1)",
        )
        .bind(key)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    async fn documents(&self, id: Uuid) -> Result<Vec<crate::Document>, DbError> {
        let rows = sqlx::query(super::DOCUMENTS).bind(id.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(super::document_row).collect()
    }

    async fn by_email(&self, email_normalized: &str) -> Result<Option<(Uuid, i64, String)>, DbError> {
        let row: Option<(String, i64, String)> =
            sqlx::query_as(sql::BY_EMAIL).bind(email_normalized).fetch_optional(&self.pool).await?;
        row.map(|(id, at, email)| Ok((Uuid::parse_str(&id).map_err(|e| DbError::corrupt("id", e))?, at, email)))
            .transpose()
    }

    async fn record_resubmission(
        &self,
        lead: Uuid,
        at: i64,
        email: &NewMessage,
        quiet_since: i64,
    ) -> Result<bool, DbError> {
        let id = lead.hyphenated().to_string();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let last: Option<i64> = sqlx::query_scalar(sql::LAST_TOLD).bind(&id).fetch_one(&mut *tx).await?;
        if sqlx::query(sql::INSERT_REPEAT).bind(&id).bind(at).execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let told = last.is_none_or(|t| t < quiet_since);
        if told {
            crate::outbox::sqlite::queue_email(&mut tx, Some(lead), email, at).await?;
        }
        tx.commit().await?;
        self.events.publish_notes(lead);
        Ok(told)
    }

    async fn resubmissions(&self, lead: Uuid) -> Result<Vec<i64>, DbError> {
        Ok(sqlx::query_scalar(sql::REPEATS)
            .bind(lead.hyphenated().to_string())
            .bind(super::RESUBMISSIONS_SHOWN)
            .fetch_all(&self.pool)
            .await?)
    }
}
