//! PostgreSQL: second factors.

use super::{SecondFactorStore, TotpFactor, sql, totp_row};
use crate::{DbError, NewMessage, account_admin::NewAudit, account_admin::insert_audit_pg, postgres::PgDb};
use async_trait::async_trait;
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

static CODES_LEFT: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::CODES_LEFT));
static CONFIRM: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::CONFIRM));
static CONFIRMED: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::CONFIRMED));
static DELETE_CODES: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::DELETE_CODES));
static DELETE_TOTP: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::DELETE_TOTP));
static INSERT_CODE: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::INSERT_CODE));
static START: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::START));
static TOTP: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::TOTP));
static USE_CODE: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::USE_CODE));
static USE_STEP: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::USE_STEP));

#[async_trait]
impl SecondFactorStore for PgDb {
    async fn totp(&self, attorney: Uuid) -> Result<Option<TotpFactor>, DbError> {
        let row = sqlx::query(&TOTP).bind(attorney).fetch_optional(&self.pool).await?;
        row.map(|r| {
            let sealed: Vec<u8> = r.try_get("secret_sealed")?;
            totp_row(&r, sealed)
        })
        .transpose()
    }

    async fn start_totp(&self, attorney: Uuid, sealed: &[u8], now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(&START).bind(attorney).bind(sealed).bind(now).execute(&self.pool).await?;
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
        let done = sqlx::query(&CONFIRM).bind(attorney).bind(audit.at).bind(step).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(&DELETE_CODES).bind(attorney).execute(&mut *tx).await?;
        for h in code_hashes {
            sqlx::query(&INSERT_CODE).bind(attorney).bind(h).execute(&mut *tx).await?;
        }
        insert_audit_pg(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn use_totp_step(&self, attorney: Uuid, step: i64) -> Result<bool, DbError> {
        let done = sqlx::query(&USE_STEP).bind(attorney).bind(step).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(&self, attorney: Uuid, code_hash: &str, now: i64) -> Result<bool, DbError> {
        let done = sqlx::query(&USE_CODE).bind(attorney).bind(code_hash).bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, attorney: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar(&CODES_LEFT).bind(attorney).fetch_one(&self.pool).await?)
    }

    async fn replace_recovery_codes(
        &self,
        attorney: Uuid,
        code_hashes: &[String],
        audit: &NewAudit,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&DELETE_CODES).bind(attorney).execute(&mut *tx).await?;
        for h in code_hashes {
            sqlx::query(&INSERT_CODE).bind(attorney).bind(h).execute(&mut *tx).await?;
        }
        insert_audit_pg(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_totp(&self, attorney: Uuid, audit: &NewAudit, email: Option<&NewMessage>) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(&DELETE_TOTP).bind(attorney).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(&DELETE_CODES).bind(attorney).execute(&mut *tx).await?;
        insert_audit_pg(&mut tx, audit).await?;
        if let Some(m) = email {
            crate::outbox::postgres::queue_email(&mut tx, None, m, audit.at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn confirmed_totp_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar(&CONFIRMED).fetch_one(&self.pool).await?)
    }

    async fn confirmed_totp_accounts(&self) -> Result<Vec<Uuid>, DbError> {
        Ok(sqlx::query_scalar(sql::CONFIRMED_ACCOUNTS).fetch_all(&self.pool).await?)
    }
}
