//! SQLite: webhook endpoints, and queueing deliveries from both write paths
//! (the lead writer thread's rusqlite connection, and sqlx transactions).

use super::{WebhookStore, sql};
use crate::{DbError, WebhookEndpoint, row, sqlite::SqliteDb};
use async_trait::async_trait;
use intake_domain::live::LiveEvent;
use sqlx::SqliteConnection;
use uuid::Uuid;

#[async_trait]
impl WebhookStore for SqliteDb {
    async fn add_endpoint(&self, e: &WebhookEndpoint) -> Result<(), DbError> {
        sqlx::query(sql::INSERT)
            .bind(e.id.to_string())
            .bind(&e.url)
            .bind(e.secret.expose())
            .bind(e.created_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_endpoints(&self) -> Result<Vec<WebhookEndpoint>, DbError> {
        let rows = sqlx::query(&sql::LIST).fetch_all(&self.pool).await?;
        rows.iter().map(row::webhook_endpoint).collect()
    }

    async fn remove_endpoint(&self, id: Uuid, now: i64) -> Result<bool, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query(sql::REMOVE).bind(now).bind(id.to_string()).execute(&mut *tx).await?;
        sqlx::query(sql::GIVE_UP).bind(id.to_string()).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Queues `event` to every live endpoint, on the writer thread's connection
/// (inside its transaction).
pub(crate) fn queue_blocking(conn: &rusqlite::Connection, event: &LiveEvent) -> rusqlite::Result<()> {
    let mut live = conn.prepare_cached(sql::LIVE)?;
    let endpoints: Vec<(String, String)> =
        live.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some((kind, body)) = intake_domain::webhook::payload(event) else { return Ok(()) };
    let mut insert = conn.prepare_cached(sql::QUEUE)?;
    for (endpoint, url) in endpoints {
        insert.execute(rusqlite::params![
            Uuid::now_v7().hyphenated().to_string(),
            event.lead_id.hyphenated().to_string(),
            endpoint,
            kind,
            url,
            body,
            event.at,
        ])?;
    }
    Ok(())
}

/// Queues `event` to every live endpoint, inside the caller's transaction.
pub(crate) async fn queue(tx: &mut SqliteConnection, event: &LiveEvent) -> Result<(), DbError> {
    let endpoints: Vec<(String, String)> = sqlx::query_as(sql::LIVE).fetch_all(&mut *tx).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some((kind, body)) = intake_domain::webhook::payload(event) else { return Ok(()) };
    for (endpoint, url) in endpoints {
        sqlx::query(sql::QUEUE)
            .bind(Uuid::now_v7().to_string())
            .bind(event.lead_id.to_string())
            .bind(endpoint)
            .bind(kind)
            .bind(url)
            .bind(&body)
            .bind(event.at)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
