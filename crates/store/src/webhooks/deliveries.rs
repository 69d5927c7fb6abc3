//! Queueing a delivery of each event to every live endpoint, inside the
//! transaction of the change it announces (the write paths and the state
//! changes call these): SQLite's writer thread (rusqlite), SQLite's and
//! PostgreSQL's async transactions (sqlx). The body is the domain's payload.

use super::sql;
use crate::DbError;
use intake_domain::{live::LiveEvent, questions::LeadIntake};
use sqlx::{PgConnection, SqliteConnection};
use std::collections::HashMap;
use uuid::Uuid;

/// The live endpoints (id, url), read on the writer thread's connection
/// once per group of new leads.
pub(crate) fn live_endpoints_blocking(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut live = conn.prepare_cached(sql::LIVE)?;
    live.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// Queues `event` (a new lead's, with its answers) to each of `endpoints`, on
/// the writer thread's connection (inside its transaction).
pub(crate) fn queue_sqlite_blocking(
    conn: &rusqlite::Connection,
    endpoints: &[(String, String)],
    event: &LiveEvent,
    intake: Option<&LeadIntake>,
) -> rusqlite::Result<()> {
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some((kind, body)) = intake_domain::webhook::payload(event, intake) else { return Ok(()) };
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
pub(crate) async fn queue_sqlite(tx: &mut SqliteConnection, event: &LiveEvent) -> Result<(), DbError> {
    let endpoints: Vec<(String, String)> = sqlx::query_as(sql::LIVE).fetch_all(&mut *tx).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some((kind, body)) = intake_domain::webhook::payload(event, None) else { return Ok(()) };
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

/// Queues each event to every live endpoint, inside the caller's transaction:
/// one statement for the whole group (nothing at all without endpoints).
pub(crate) async fn queue_postgres(tx: &mut PgConnection, events: &[LiveEvent]) -> Result<(), DbError> {
    queue_postgres_with(tx, events, &HashMap::new()).await
}

/// [`queue_postgres`] for new leads, with their answers.
pub(crate) async fn queue_postgres_with(
    tx: &mut PgConnection,
    events: &[LiveEvent],
    intakes: &HashMap<Uuid, &LeadIntake>,
) -> Result<(), DbError> {
    let endpoints: Vec<(Uuid, String)> = sqlx::query_as(sql::LIVE).fetch_all(&mut *tx).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let bodies: Vec<(&LiveEvent, &'static str, String)> = events
        .iter()
        .filter_map(|e| {
            let intake = intakes.get(&e.lead_id).copied();
            intake_domain::webhook::payload(e, intake).map(|(kind, body)| (e, kind, body))
        })
        .collect();
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
