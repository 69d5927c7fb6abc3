//! SQLite: second factors.

use super::{SecondFactorStore, TotpFactor, sql, totp_row};
use crate::{DbError, NewMessage, account_admin::NewAudit, account_admin::insert_audit_sqlite, sqlite::SqliteDb};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

fn id(u: Uuid) -> String {
    u.hyphenated().to_string()
}

#[async_trait]
impl SecondFactorStore for SqliteDb {
    async fn totp(&self, attorney: Uuid) -> Result<Option<TotpFactor>, DbError> {
        let row = sqlx::query(sql::TOTP).bind(id(attorney)).fetch_optional(&self.pool).await?;
        row.map(|r| {
            let sealed: Vec<u8> = r.try_get("secret_sealed")?;
            totp_row(&r, sealed)
        })
        .transpose()
    }

    async fn start_totp(&self, attorney: Uuid, sealed: &[u8], now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(sql::START).bind(id(attorney)).bind(sealed).bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn confirm_totp(
        &self,
        attorney: Uuid,
        step: i64,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql::CONFIRM).bind(id(attorney)).bind(audit.at).bind(step).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(sql::DELETE_CODES).bind(id(attorney)).execute(&mut *tx).await?;
        for h in code_hashes {
            sqlx::query(sql::INSERT_CODE).bind(id(attorney)).bind(h).execute(&mut *tx).await?;
        }
        insert_audit_sqlite(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn use_totp_step(&self, attorney: Uuid, step: i64) -> Result<bool, DbError> {
        let done = sqlx::query(sql::USE_STEP).bind(id(attorney)).bind(step).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(&self, attorney: Uuid, code_hash: &str, now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(sql::USE_CODE).bind(id(attorney)).bind(code_hash).bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, attorney: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar(sql::CODES_LEFT).bind(id(attorney)).fetch_one(&self.pool).await?)
    }

    async fn replace_recovery_codes(
        &self,
        attorney: Uuid,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(sql::DELETE_CODES).bind(id(attorney)).execute(&mut *tx).await?;
        for h in code_hashes {
            sqlx::query(sql::INSERT_CODE).bind(id(attorney)).bind(h).execute(&mut *tx).await?;
        }
        insert_audit_sqlite(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_totp(&self, attorney: Uuid, audit: &NewAudit, email: Option<&NewMessage>) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql::DELETE_TOTP).bind(id(attorney)).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(sql::DELETE_CODES).bind(id(attorney)).execute(&mut *tx).await?;
        insert_audit_sqlite(&mut tx, audit).await?;
        if let Some(m) = email {
            crate::outbox::sqlite::queue_email(&mut tx, None, m, audit.at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn confirmed_totp_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar(sql::CONFIRMED).fetch_one(&self.pool).await?)
    }

    async fn confirmed_totp_accounts(&self) -> Result<Vec<Uuid>, DbError> {
        let ids: Vec<String> = sqlx::query_scalar(sql::CONFIRMED_ACCOUNTS).fetch_all(&self.pool).await?;
        ids.into_iter().map(|s| Uuid::parse_str(&s).map_err(|_| DbError::corrupt("attorney_id", s))).collect()
    }
}
