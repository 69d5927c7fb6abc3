//! SQLite: sign-ins.

use super::{Browser, Live, NewSignin, Signin, SigninStore, browser_of, signin_row, sql};
use crate::{DbError, NewMessage, account_admin::NewAudit, account_admin::insert_audit_sqlite, sqlite::SqliteDb};
use async_trait::async_trait;
use uuid::Uuid;

fn id(u: Uuid) -> String {
    u.hyphenated().to_string()
}

#[async_trait]
impl SigninStore for SqliteDb {
    async fn start_signin(
        &self,
        signin: &NewSignin,
        browser_hash: &str,
        new_browser_email: &NewMessage,
    ) -> Result<Browser, DbError> {
        let attorney = id(signin.attorney_id);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let browsers: i64 = sqlx::query_scalar(sql::BROWSERS).bind(&attorney).fetch_one(&mut *tx).await?;
        let known: i64 = sqlx::query_scalar(sql::KNOWN).bind(&attorney).bind(browser_hash).fetch_one(&mut *tx).await?;
        sqlx::query(sql::INSERT)
            .bind(id(signin.id))
            .bind(&attorney)
            .bind(&signin.device)
            .bind(&signin.address)
            .bind(signin.at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(sql::SEE_BROWSER).bind(&attorney).bind(browser_hash).bind(signin.at).execute(&mut *tx).await?;
        let browser = browser_of(browsers, known);
        if browser == Browser::New {
            crate::outbox::sqlite::queue_email(&mut tx, None, new_browser_email, signin.at).await?;
        }
        tx.commit().await?;
        Ok(browser)
    }

    async fn touch_signin(&self, signin: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query(sql::TOUCH).bind(id(signin)).bind(now).execute(&self.pool).await?;
        Ok(())
    }

    async fn signins(&self, attorney: Uuid, live: Live) -> Result<Vec<Signin>, DbError> {
        let rows = sqlx::query(sql::LIST)
            .bind(id(attorney))
            .bind(live.seen_after)
            .bind(live.started_after)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(signin_row).collect()
    }

    async fn end_signin(&self, attorney: Uuid, signin: Uuid, audit: &NewAudit) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql::END).bind(id(attorney)).bind(id(signin)).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_audit_sqlite(&mut tx, audit).await?;
        tx.commit().await?;
        self.events.publish_account(attorney);
        Ok(true)
    }

    async fn end_other_signins(&self, attorney: Uuid, keep: Uuid, audit: &NewAudit) -> Result<u64, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql::END_OTHERS).bind(id(attorney)).bind(id(keep)).execute(&mut *tx).await?;
        if done.rows_affected() > 0 {
            insert_audit_sqlite(&mut tx, audit).await?;
        }
        tx.commit().await?;
        self.events.publish_account(attorney);
        Ok(done.rows_affected())
    }

    async fn prune_signins(&self, live: Live, browsers_before: i64) -> Result<u64, DbError> {
        let done = sqlx::query(sql::PRUNE).bind(live.seen_after).bind(live.started_after).execute(&self.pool).await?;
        sqlx::query(sql::PRUNE_BROWSERS).bind(browsers_before).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}
