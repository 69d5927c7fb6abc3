//! SQLite: passkeys.

use super::{Ceremony, NewPasskey, PasskeyRow, PasskeyStore, Purpose, Started, passkey_row, sql, taken};
use crate::{DbError, NewMessage, account_admin::NewAudit, account_admin::insert_audit_sqlite, sqlite::SqliteDb};
use async_trait::async_trait;
use uuid::Uuid;

fn id(u: Uuid) -> String {
    u.hyphenated().to_string()
}

#[async_trait]
impl PasskeyStore for SqliteDb {
    async fn passkeys(&self, attorney: Uuid) -> Result<Vec<PasskeyRow>, DbError> {
        let rows = sqlx::query(sql::LIST).bind(id(attorney)).fetch_all(&self.pool).await?;
        rows.iter().map(passkey_row).collect()
    }

    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRow>, DbError> {
        let row = sqlx::query(sql::BY_CREDENTIAL).bind(credential_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(passkey_row).transpose()
    }

    async fn add_passkey(&self, p: &NewPasskey<'_>, audit: &NewAudit, email: &NewMessage) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql::INSERT)
            .bind(id(p.id))
            .bind(id(p.attorney_id))
            .bind(p.credential_id)
            .bind(p.name)
            .bind(p.credential)
            .bind(p.at)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_audit_sqlite(&mut tx, audit).await?;
        crate::outbox::sqlite::queue_email(&mut tx, None, email, audit.at).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn passkey_used(&self, passkey: Uuid, credential: &str, now: i64) -> Result<(), DbError> {
        sqlx::query(sql::USED).bind(id(passkey)).bind(credential).bind(now).execute(&self.pool).await?;
        Ok(())
    }

    async fn remove_passkey(&self, attorney: Uuid, passkey: Uuid, audit: &NewAudit) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql::REMOVE).bind(id(attorney)).bind(id(passkey)).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_audit_sqlite(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn start_ceremony(&self, c: &Ceremony<'_>, now: i64, max_live: i64) -> Result<Started, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(sql::PRUNE).bind(now).execute(&mut *tx).await?;
        let live: i64 = match c.attorney_id {
            Some(a) => sqlx::query_scalar(sql::LIVE_OF).bind(id(a)).fetch_one(&mut *tx).await?,
            None => sqlx::query_scalar(sql::LIVE_ANONYMOUS).fetch_one(&mut *tx).await?,
        };
        if live >= max_live {
            tx.commit().await?;
            return Ok(Started::TooMany);
        }
        sqlx::query(sql::START)
            .bind(id(c.id))
            .bind(c.attorney_id.map(id))
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
        let row = sqlx::query(sql::TAKE).bind(id(ceremony)).fetch_optional(&self.pool).await?;
        row.map(|r| taken(&r, purpose, attorney, now)).transpose().map(Option::flatten)
    }

    async fn reset_factors(&self, attorney: Uuid, audit: &NewAudit, email: &NewMessage) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let mut removed = 0;
        for q in [sql::RESET_TOTP, sql::RESET_CODES, sql::RESET_PASSKEYS] {
            removed += sqlx::query(q).bind(id(attorney)).execute(&mut *tx).await?.rows_affected();
        }
        if removed == 0 {
            return Ok(false);
        }
        insert_audit_sqlite(&mut tx, audit).await?;
        crate::outbox::sqlite::queue_email(&mut tx, None, email, audit.at).await?;
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
