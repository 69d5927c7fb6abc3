//! PostgreSQL: webhook endpoints, and queueing deliveries for a group of
//! events with one statement.

use super::{WebhookStore, sql};
use crate::{DbError, WebhookEndpoint, dollars, postgres::PgDb, row};
use async_trait::async_trait;
use intake_domain::live::LiveEvent;
use sqlx::PgConnection;
use std::sync::LazyLock;
use uuid::Uuid;

static INSERT: LazyLock<String> = LazyLock::new(|| dollars(sql::INSERT));
static GIVE_UP: LazyLock<String> = LazyLock::new(|| dollars(sql::GIVE_UP));
static REMOVE: LazyLock<String> = LazyLock::new(|| dollars(sql::REMOVE));

#[async_trait]
impl WebhookStore for PgDb {
    async fn add_endpoint(&self, e: &WebhookEndpoint) -> Result<(), DbError> {
        sqlx::query(&INSERT)
            .bind(e.id)
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
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(&REMOVE).bind(now).bind(id).execute(&mut *tx).await?;
        sqlx::query(&GIVE_UP).bind(id).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Queues each event to every live endpoint, inside the caller's transaction:
/// one statement for the whole group (nothing at all without endpoints).
pub(crate) async fn queue(tx: &mut PgConnection, events: &[LiveEvent]) -> Result<(), DbError> {
    let endpoints: Vec<(Uuid, String)> = sqlx::query_as(sql::LIVE).fetch_all(&mut *tx).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let bodies: Vec<(&LiveEvent, &'static str, String)> =
        events.iter().filter_map(|e| intake_domain::webhook::payload(e).map(|(kind, body)| (e, kind, body))).collect();
    let rows: Vec<_> = bodies.iter().flat_map(|b| endpoints.iter().map(move |ep| (b, ep))).collect();
    sqlx::query(
        "INSERT INTO outbox (id, lead_id, channel, endpoint_id, kind, recipients, subject, body_text, body_html,
             status, attempts, next_attempt_at, created_at)
         SELECT id, lead_id, 'webhook', endpoint_id, kind, url, '', body, '', 'QUEUED', 0, t, t
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[])
              AS u (id, lead_id, endpoint_id, kind, url, body, t)",
    )
    .bind(rows.iter().map(|_| Uuid::now_v7()).collect::<Vec<_>>())
    .bind(rows.iter().map(|((e, _, _), _)| e.lead_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, (id, _))| *id).collect::<Vec<_>>())
    .bind(rows.iter().map(|((_, kind, _), _)| kind.to_string()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, (_, url))| url.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|((_, _, body), _)| body.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|((e, _, _), _)| e.at).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    Ok(())
}
