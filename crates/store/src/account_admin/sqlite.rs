use super::{
    AUDIT_LOG, AccountAdminStore, INSERT_AUDIT, INSERT_LINK, ISSUE_SECRET, LINK, NewAudit, NewLink, REDEEM,
    RETIRE_LINKS, audit_row, purpose,
};
use crate::{DbError, NewMessage, row::Columns, sqlite::SqliteDb};
use async_trait::async_trait;
use intake_domain::{accounts::AuditAction, accounts::AuditRow, accounts::LinkPurpose};
use sqlx::{Sqlite, Transaction};
use uuid::Uuid;

pub(crate) async fn insert_audit(tx: &mut Transaction<'_, Sqlite>, a: &NewAudit) -> Result<(), DbError> {
    sqlx::query(INSERT_AUDIT)
        .bind(a.at)
        .bind(a.actor.map(|u| u.hyphenated().to_string()))
        .bind(a.action.as_str())
        .bind(a.target.hyphenated().to_string())
        .bind(&a.detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn link_of(r: &sqlx::sqlite::SqliteRow) -> Result<(Uuid, LinkPurpose), DbError> {
    Ok((r.uuid("attorney_id")?, purpose(r.text("purpose")?)?))
}

#[async_trait]
impl AccountAdminStore for SqliteDb {
    async fn create_link(&self, link: &NewLink, email: &NewMessage, audit: &NewAudit) -> Result<(), DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let attorney = link.attorney_id.hyphenated().to_string();
        sqlx::query(RETIRE_LINKS)
            .bind(&attorney)
            .bind(link.purpose.as_str())
            .bind(link.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(INSERT_LINK)
            .bind(&link.token_hash)
            .bind(&attorney)
            .bind(link.purpose.as_str())
            .bind(link.created_at)
            .bind(link.expires_at)
            .bind(link.id.hyphenated().to_string())
            .execute(&mut *tx)
            .await?;
        crate::outbox::sqlite::queue_email(&mut tx, None, email, link.created_at).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn link(&self, token_hash: &str, now: i64) -> Result<Option<(Uuid, LinkPurpose)>, DbError> {
        let row = sqlx::query(LINK).bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
        row.as_ref().map(link_of).transpose()
    }

    async fn issue_link_secret(&self, id: Uuid, token_hash: &str, now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(ISSUE_SECRET)
            .bind(id.hyphenated().to_string())
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn redeem_link(&self, token_hash: &str, now: i64) -> Result<Option<(Uuid, LinkPurpose)>, DbError> {
        let row = sqlx::query(REDEEM).bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
        row.as_ref().map(link_of).transpose()
    }

    async fn record(&self, audit: &NewAudit) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, action: Option<AuditAction>, limit: i64) -> Result<Vec<AuditRow>, DbError> {
        let rows =
            sqlx::query(AUDIT_LOG).bind(action.map(AuditAction::as_str)).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(audit_row).collect()
    }
}
