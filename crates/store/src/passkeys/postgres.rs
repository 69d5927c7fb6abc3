//! PostgreSQL: passkeys.

use super::{Ceremony, NewPasskey, PasskeyRow, PasskeyStore, Purpose, Started, passkey_row, sql, taken};
use crate::{DbError, NewMessage, account_admin::NewAudit, account_admin::insert_audit_pg, postgres::PgDb};
use async_trait::async_trait;
use std::sync::LazyLock;
use uuid::Uuid;

static LIST: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::LIST));
static BY_CREDENTIAL: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::BY_CREDENTIAL));
static INSERT: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::INSERT));
static USED: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::USED));
static REMOVE: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::REMOVE));
static PRUNE: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::PRUNE));
static START: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::START));
static RESET_TOTP: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::RESET_TOTP));
static RESET_CODES: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::RESET_CODES));
static RESET_PASSKEYS: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::RESET_PASSKEYS));
static LIVE_OF: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::LIVE_OF));
static TAKE: LazyLock<String> = LazyLock::new(|| crate::dollars(sql::TAKE));

#[async_trait]
impl PasskeyStore for PgDb {
    async fn passkeys(&self, attorney: Uuid) -> Result<Vec<PasskeyRow>, DbError> {
        let rows = sqlx::query(&LIST).bind(attorney).fetch_all(&self.pool).await?;
        rows.iter().map(passkey_row).collect()
    }

    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRow>, DbError> {
        let row = sqlx::query(&BY_CREDENTIAL).bind(credential_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(passkey_row).transpose()
    }

    async fn add_passkey(&self, p: &NewPasskey<'_>, audit: &NewAudit, email: &NewMessage) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(&INSERT)
            .bind(p.id)
            .bind(p.attorney_id)
            .bind(p.credential_id)
            .bind(p.name)
            .bind(p.credential)
            .bind(p.at)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_audit_pg(&mut tx, audit).await?;
        crate::outbox::postgres::queue_email(&mut tx, None, email, audit.at).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn passkey_used(&self, passkey: Uuid, credential: &str, now: i64) -> Result<(), DbError> {
        sqlx::query(&USED).bind(passkey).bind(credential).bind(now).execute(&self.pool).await?;
        Ok(())
    }

    async fn remove_passkey(&self, attorney: Uuid, passkey: Uuid, audit: &NewAudit) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(&REMOVE).bind(attorney).bind(passkey).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_audit_pg(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn start_ceremony(&self, c: &Ceremony<'_>, now: i64, max_live: i64) -> Result<Started, DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&PRUNE).bind(now).execute(&mut *tx).await?;
        let live: i64 = match c.attorney_id {
            Some(a) => sqlx::query_scalar(&LIVE_OF).bind(a).fetch_one(&mut *tx).await?,
            None => sqlx::query_scalar(sql::LIVE_ANONYMOUS).fetch_one(&mut *tx).await?,
        };
        if live >= max_live {
            tx.commit().await?;
            return Ok(Started::TooMany);
        }
        sqlx::query(&START)
            .bind(c.id)
            .bind(c.attorney_id)
            .bind(c.purpose.as_str())
            .bind(c.state)
            .bind(c.expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Started::Yes)
    }

    async fn take_ceremony(
        &self,
        ceremony: Uuid,
        purpose: Purpose,
        attorney: Option<Uuid>,
        now: i64,
    ) -> Result<Option<String>, DbError> {
        let row = sqlx::query(&TAKE).bind(ceremony).fetch_optional(&self.pool).await?;
        row.map(|r| taken(&r, purpose, attorney, now)).transpose().map(Option::flatten)
    }

    async fn reset_factors(&self, attorney: Uuid, audit: &NewAudit, email: &NewMessage) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let mut removed = 0;
        for q in [&*RESET_TOTP, &*RESET_CODES, &*RESET_PASSKEYS] {
            removed += sqlx::query(q).bind(attorney).execute(&mut *tx).await?.rows_affected();
        }
        if removed == 0 {
            return Ok(false);
        }
        insert_audit_pg(&mut tx, audit).await?;
        crate::outbox::postgres::queue_email(&mut tx, None, email, audit.at).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn passkey_counts(&self) -> Result<Vec<(Uuid, i64)>, DbError> {
        let rows = sqlx::query(sql::COUNTS).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((crate::row::Columns::uuid(r, "attorney_id")?, crate::row::Columns::int(r, "n")?)))
            .collect()
    }
}
