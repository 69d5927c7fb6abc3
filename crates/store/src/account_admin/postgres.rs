use super::{
    AUDIT_LOG, AccountAdminStore, INSERT_AUDIT, INSERT_LINK, ISSUE_SECRET, LINK, NewAudit, NewLink, REDEEM,
    RETIRE_LINKS, audit_row, purpose,
};
use crate::{DbError, NewMessage, dollars, postgres::PgDb, row::Columns};
use async_trait::async_trait;
use intake_domain::{accounts::AuditAction, accounts::AuditRow, accounts::LinkPurpose};
use sqlx::{Postgres, Transaction};
use std::sync::LazyLock;
use uuid::Uuid;

macro_rules! sql {
    ($name:ident, $text:expr) => {
        static $name: LazyLock<String> = LazyLock::new(|| dollars($text));
    };
}
sql!(INSERT_LINK_PG, INSERT_LINK);
sql!(RETIRE_LINKS_PG, RETIRE_LINKS);
sql!(INSERT_AUDIT_PG, INSERT_AUDIT);
sql!(LINK_PG, LINK);
sql!(ISSUE_SECRET_PG, ISSUE_SECRET);
sql!(REDEEM_PG, REDEEM);
sql!(AUDIT_LOG_PG, AUDIT_LOG);

pub(crate) async fn insert_audit(tx: &mut Transaction<'_, Postgres>, a: &NewAudit) -> Result<(), DbError> {
    sqlx::query(&INSERT_AUDIT_PG)
        .bind(a.at)
        .bind(a.actor)
        .bind(a.action.as_str())
        .bind(a.target)
        .bind(&a.detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn link_of(r: &sqlx::postgres::PgRow) -> Result<(Uuid, LinkPurpose), DbError> {
    Ok((r.uuid("attorney_id")?, purpose(r.text("purpose")?)?))
}

#[async_trait]
impl AccountAdminStore for PgDb {
    async fn create_link(&self, link: &NewLink, email: &NewMessage, audit: &NewAudit) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&RETIRE_LINKS_PG)
            .bind(link.attorney_id)
            .bind(link.purpose.as_str())
            .bind(link.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&INSERT_LINK_PG)
            .bind(&link.token_hash)
            .bind(link.attorney_id)
            .bind(link.purpose.as_str())
            .bind(link.created_at)
            .bind(link.expires_at)
            .bind(link.id)
            .execute(&mut *tx)
            .await?;
        crate::outbox::postgres::queue_email(&mut tx, None, email, link.created_at).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn link(&self, token_hash: &str, now: i64) -> Result<Option<(Uuid, LinkPurpose)>, DbError> {
        let row = sqlx::query(&LINK_PG).bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
        row.as_ref().map(link_of).transpose()
    }

    async fn issue_link_secret(&self, id: Uuid, token_hash: &str, now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(&ISSUE_SECRET_PG).bind(id).bind(token_hash).bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn redeem_link(&self, token_hash: &str, now: i64) -> Result<Option<(Uuid, LinkPurpose)>, DbError> {
        let row = sqlx::query(&REDEEM_PG).bind(token_hash).bind(now).fetch_optional(&self.pool).await?;
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
            sqlx::query(&AUDIT_LOG_PG).bind(action.map(AuditAction::as_str)).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(audit_row).collect()
    }
}
