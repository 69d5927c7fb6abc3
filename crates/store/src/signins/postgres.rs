//! PostgreSQL: sign-ins. Ending one announces the account's change in the
//! same transaction, heard by every instance at commit.

use super::{Browser, Live, NewSignin, Signin, SigninStore, browser_of, signin_row, sql};
use crate::{
    DbError, NewMessage, account_admin::NewAudit, account_admin::insert_audit_pg, dollars, postgres::PgDb,
    postgres::events::CHANNEL,
};
use async_trait::async_trait;
use std::sync::LazyLock;
use uuid::Uuid;

static INSERT: LazyLock<String> = LazyLock::new(|| dollars(sql::INSERT));
static BROWSERS: LazyLock<String> = LazyLock::new(|| dollars(sql::BROWSERS));
static KNOWN: LazyLock<String> = LazyLock::new(|| dollars(sql::KNOWN));
static SEE_BROWSER: LazyLock<String> = LazyLock::new(|| dollars(sql::SEE_BROWSER));
static TOUCH: LazyLock<String> = LazyLock::new(|| dollars(sql::TOUCH));
static LIST: LazyLock<String> = LazyLock::new(|| dollars(sql::LIST));
static PRUNE: LazyLock<String> = LazyLock::new(|| dollars(sql::PRUNE));
static PRUNE_BROWSERS: LazyLock<String> = LazyLock::new(|| dollars(sql::PRUNE_BROWSERS));

/// A delete that announces the account it touched ({"account": id}) as it
/// commits, and answers how many rows it deleted (no row when none).
fn announced(delete: &str) -> String {
    format!(
        "WITH d AS ({} RETURNING attorney_id) \
         SELECT c.n, pg_notify('{CHANNEL}', json_build_object('account', a.attorney_id)::text) \
         FROM (SELECT DISTINCT attorney_id FROM d) a, (SELECT COUNT(*) AS n FROM d) c",
        dollars(delete)
    )
}

static END: LazyLock<String> = LazyLock::new(|| announced(sql::END));
static END_OTHERS: LazyLock<String> = LazyLock::new(|| announced(sql::END_OTHERS));

/// Runs an [`announced`] delete: how many rows it removed.
async fn delete_announced(
    tx: &mut sqlx::PgConnection,
    sql: &str,
    attorney: Uuid,
    signin: Uuid,
) -> Result<i64, DbError> {
    let n: Option<i64> = sqlx::query_scalar(sql).bind(attorney).bind(signin).fetch_optional(tx).await?;
    Ok(n.unwrap_or(0))
}

#[async_trait]
impl SigninStore for PgDb {
    async fn start_signin(
        &self,
        signin: &NewSignin,
        browser_hash: &str,
        new_browser_email: &NewMessage,
    ) -> Result<Browser, DbError> {
        let mut tx = self.pool.begin().await?;
        // Two sign-ins of one account at once read the browsers one after the other.
        sqlx::query("SELECT 1 FROM attorneys WHERE id = $1 FOR UPDATE")
            .bind(signin.attorney_id)
            .execute(&mut *tx)
            .await?;
        let browsers: i64 = sqlx::query_scalar(&BROWSERS).bind(signin.attorney_id).fetch_one(&mut *tx).await?;
        let known: i64 =
            sqlx::query_scalar(&KNOWN).bind(signin.attorney_id).bind(browser_hash).fetch_one(&mut *tx).await?;
        sqlx::query(&INSERT)
            .bind(signin.id)
            .bind(signin.attorney_id)
            .bind(&signin.device)
            .bind(&signin.address)
            .bind(signin.at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&SEE_BROWSER).bind(signin.attorney_id).bind(browser_hash).bind(signin.at).execute(&mut *tx).await?;
        let browser = browser_of(browsers, known);
        if browser == Browser::New {
            crate::outbox::postgres::queue_email(&mut tx, None, new_browser_email, signin.at).await?;
        }
        tx.commit().await?;
        Ok(browser)
    }

    async fn touch_signin(&self, signin: Uuid, now: i64) -> Result<(), DbError> {
        sqlx::query(&TOUCH).bind(signin).bind(now).execute(&self.pool).await?;
        Ok(())
    }

    async fn signins(&self, attorney: Uuid, live: Live) -> Result<Vec<Signin>, DbError> {
        let rows = sqlx::query(&LIST)
            .bind(attorney)
            .bind(live.seen_after)
            .bind(live.started_after)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(signin_row).collect()
    }

    async fn end_signin(&self, attorney: Uuid, signin: Uuid, audit: &NewAudit) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        if delete_announced(&mut tx, &END, attorney, signin).await? == 0 {
            return Ok(false);
        }
        insert_audit_pg(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn end_other_signins(&self, attorney: Uuid, keep: Uuid, audit: &NewAudit) -> Result<u64, DbError> {
        let mut tx = self.pool.begin().await?;
        let n = delete_announced(&mut tx, &END_OTHERS, attorney, keep).await?;
        if n > 0 {
            insert_audit_pg(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(n as u64)
    }

    async fn prune_signins(&self, live: Live, browsers_before: i64) -> Result<u64, DbError> {
        let done = sqlx::query(&PRUNE).bind(live.seen_after).bind(live.started_after).execute(&self.pool).await?;
        sqlx::query(&PRUNE_BROWSERS).bind(browsers_before).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}
