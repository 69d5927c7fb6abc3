//! PostgreSQL: what the dashboard reads, and the state change.

use super::{
    Attorney, DbError, HistoryEntry, LeadFilter, LeadSummary, LiveEvent, MarkOutcome, parse_state,
    postgres::{PgDb, notify},
};
use crate::domain::{LeadState, dashboard::LiveEventKind};
use sqlx::{Row, postgres::PgRow};
use uuid::Uuid;

const SUMMARY_COLUMNS: &str = "l.id, l.first_name, l.last_name, l.email, l.state, l.created_at, l.resume_file_name,
     l.resume_content_type, l.reached_out_at, a.display_name AS reached_out_by_name";

/// The WHERE clause shared by the page and the count. `$1` state, `$2` lower-cased pattern.
const FILTER: &str = "($1::TEXT IS NULL OR l.state = $1)
     AND ($2::TEXT IS NULL OR l.email_normalized LIKE $2 ESCAPE '\\'
          OR lower(l.first_name || ' ' || l.last_name) LIKE $2 ESCAPE '\\')";

impl PgDb {
    pub async fn list_leads(&self, f: &LeadFilter, limit: i64) -> Result<(Vec<LeadSummary>, i64), DbError> {
        let state = f.state.map(LeadState::as_str);
        let pattern = (!f.q.is_empty()).then(|| format!("%{}%", super::escape_like(&f.q.to_lowercase())));
        let (cursor_sql, cursor, order) = match (f.after, f.before) {
            (_, Some(b)) => ("AND l.id > $3", Some(b), "ASC"),
            (Some(a), None) => ("AND l.id < $3", Some(a), "DESC"),
            (None, None) => ("AND $3::UUID IS NULL", None, "DESC"),
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
             WHERE {FILTER} {cursor_sql} ORDER BY l.id {order} LIMIT $4"
        );
        let rows = sqlx::query(&sql).bind(state).bind(&pattern).bind(cursor).bind(limit).fetch_all(&self.pool).await?;
        let mut leads = rows.iter().map(summary_from_row).collect::<Result<Vec<_>, _>>()?;
        if order == "ASC" {
            leads.reverse();
        }
        let total: i64 = match &pattern {
            // Kept by triggers (migration 0003): no counting of rows.
            None => {
                sqlx::query_scalar(
                    "SELECT COALESCE(SUM(n), 0)::BIGINT FROM lead_counts WHERE ($1::TEXT IS NULL OR state = $1)",
                )
                .bind(state)
                .fetch_one(&self.pool)
                .await?
            }
            // Searching counts at most SEARCH_COUNT_CAP + 1 matches ("1000+").
            Some(_) => {
                let count_sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE {FILTER} LIMIT $3) AS m");
                sqlx::query_scalar(&count_sql)
                    .bind(state)
                    .bind(&pattern)
                    .bind(super::SEARCH_COUNT_CAP + 1)
                    .fetch_one(&self.pool)
                    .await?
            }
        };
        Ok((leads, total))
    }

    pub async fn lead_summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = $1"
        );
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| summary_from_row(&r)).transpose()
    }

    pub async fn lead_history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError> {
        let rows = sqlx::query(
            "SELECT e.kind, e.state, e.at, a.display_name FROM lead_events e
             LEFT JOIN attorneys a ON a.id = e.attorney_id WHERE e.lead_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    state: parse_state(r.try_get("state")?)?,
                    created: r.try_get::<String, _>("kind")? == "CREATED",
                    by: r.try_get("display_name")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    pub async fn mark_reached_out(&self, id: Uuid, attorney: &Attorney, now: i64) -> Result<MarkOutcome, DbError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE leads SET state = 'REACHED_OUT', reached_out_at = $1, reached_out_by = $2, updated_at = $1
             WHERE id = $3 AND state = 'PENDING'",
        )
        .bind(now)
        .bind(attorney.id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            let event_id: i64 = sqlx::query_scalar(
                "INSERT INTO lead_events (lead_id, kind, state, attorney_id, at)
                 VALUES ($1, 'STATE_CHANGED', 'REACHED_OUT', $2, $3) RETURNING id",
            )
            .bind(id)
            .bind(attorney.id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let event = LiveEvent {
                id: event_id,
                lead_id: id,
                kind: LiveEventKind::StateChanged,
                state: LeadState::ReachedOut,
                by: Some(attorney.display_name.clone()),
                at: now,
            };
            notify(&mut tx, &event).await?;
            tx.commit().await?;
            return Ok(MarkOutcome::Marked(event));
        }
        let row = sqlx::query(
            "SELECT l.reached_out_at, a.display_name FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
             WHERE l.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(match row {
            None => MarkOutcome::NotFound,
            Some(r) => MarkOutcome::AlreadyMarked { by: r.try_get("display_name")?, at: r.try_get("reached_out_at")? },
        })
    }

    pub async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError> {
        let rows = sqlx::query(
            "SELECT e.id, e.lead_id, e.kind, e.state, e.at, a.display_name FROM lead_events e
             LEFT JOIN attorneys a ON a.id = e.attorney_id WHERE e.id > $1 ORDER BY e.id LIMIT $2",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LiveEvent {
                    id: r.try_get("id")?,
                    lead_id: r.try_get("lead_id")?,
                    kind: super::event_kind(&r.try_get::<String, _>("kind")?),
                    state: parse_state(r.try_get("state")?)?,
                    by: r.try_get("display_name")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}

fn summary_from_row(r: &PgRow) -> Result<LeadSummary, DbError> {
    Ok(LeadSummary {
        id: r.try_get("id")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: r.try_get("email")?,
        state: parse_state(r.try_get("state")?)?,
        created_at: r.try_get("created_at")?,
        resume_file_name: r.try_get("resume_file_name")?,
        resume_content_type: r.try_get("resume_content_type")?,
        reached_out_by: r.try_get("reached_out_by_name")?,
        reached_out_at: r.try_get("reached_out_at")?,
    })
}
