//! PostgreSQL: new leads go to the group committer (one transaction and one
//! WAL flush for the leads queued at that moment); the NOTIFY that announces
//! each one is sent in that transaction.

use super::{LeadStore, sql};
use crate::{DbError, Lead, NewLead, NewMessage, dollars, postgres::PgDb, row};
use async_trait::async_trait;
use intake_domain::{live::LiveEvent, questions::LeadIntake};
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

    async fn intake(&self, id: Uuid) -> Result<Option<LeadIntake>, DbError> {
        let row = sqlx::query(&dollars(sql::INTAKE)).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(super::intake_row).transpose()
    }

    async fn intakes(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, LeadIntake)>, DbError> {
        let rows = sqlx::query(
            "SELECT lead_id, lang, form_version, matter_type, answers, consent_at FROM lead_answers WHERE lead_id = ANY($1)",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((row::Columns::uuid(r, "lead_id")?, super::intake_row(r)?))).collect()
    }

    async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM leads WHERE resume_key = $1)
                 OR EXISTS (SELECT 1 FROM lead_documents WHERE file_key = $1)",
        )
        .bind(key)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn documents(&self, id: Uuid) -> Result<Vec<crate::Document>, DbError> {
        let rows = sqlx::query(&dollars(super::DOCUMENTS)).bind(id).fetch_all(&self.pool).await?;
        rows.iter().map(super::document_row).collect()
    }

    async fn by_email(&self, email_normalized: &str) -> Result<Option<(Uuid, i64, String)>, DbError> {
        Ok(sqlx::query_as(&dollars(sql::BY_EMAIL)).bind(email_normalized).fetch_optional(&self.pool).await?)
    }

    async fn record_resubmission(
        &self,
        lead: Uuid,
        at: i64,
        email: &NewMessage,
        quiet_since: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        // Locks the lead: two repeats at once queue one email, and an erasure waits.
        let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM leads WHERE id = $1 FOR UPDATE")
            .bind(lead)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        let last: Option<i64> = sqlx::query_scalar(&dollars(sql::LAST_TOLD)).bind(lead).fetch_one(&mut *tx).await?;
        sqlx::query(&dollars(sql::INSERT_REPEAT)).bind(lead).bind(at).execute(&mut *tx).await?;
        let told = last.is_none_or(|t| t < quiet_since);
        if told {
            crate::outbox::postgres::queue_email(&mut tx, Some(lead), email, at).await?;
        }
        crate::postgres::events::notify_notes(&mut tx, lead).await?;
        tx.commit().await?;
        Ok(told)
    }

    async fn resubmissions(&self, lead: Uuid) -> Result<Vec<i64>, DbError> {
        Ok(sqlx::query_scalar(&dollars(sql::REPEATS))
            .bind(lead)
            .bind(super::RESUBMISSIONS_SHOWN)
            .fetch_all(&self.pool)
            .await?)
    }
}
