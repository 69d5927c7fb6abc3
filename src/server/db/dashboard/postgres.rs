//! PostgreSQL: what the dashboard reads, and the state change.
//!
//! Each filter shape gets its own statement text, holding only the
//! conditions it uses: a prepared statement with `$1 IS NULL OR …` arms
//! gets one generic plan for every shape, which cannot use the right index.

use super::{DashboardStore, Listed};
use crate::{
    domain::{
        LeadState,
        dashboard::{HistoryEntry, LeadFilter, LeadSummary, LiveEvent},
    },
    server::db::{
        Actor, DbError, MarkOutcome, SEARCH_COUNT_CAP, escape_like,
        events::postgres::{notify_all, order_events},
        postgres::PgDb,
        row::{self, HISTORY_COLUMNS, HISTORY_FROM, SUMMARY_COLUMNS},
    },
};
use async_trait::async_trait;
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

/// The page and its total in one round trip. Parameters: `$1` state, `$2`
/// lower-cased LIKE pattern, `$3` cursor, `$4` limit, `$5` count cap, each
/// present only in the shapes that use it.
///
/// A search first collects at most `$5` ([`MATCHES_CAP`]) matches through
/// the trigram indexes (`m`): that gives its count, and, when it holds every
/// match (the usual case: a name), the page is cut from it. A search
/// matching more is answered by [`dense_sql`] instead. (Left to itself, the
/// planner walks the newest leads until 50 match: every lead since the last
/// match, tens of thousands of rows for a name that is rare lately.)
fn list_sql(state: bool, search: bool, cursor: Option<bool>) -> String {
    let filter = filter_sql(state, search);
    let (cursor_sql, order) = cursor_sql(cursor);
    let as_of = "(SELECT COALESCE(MAX(id), 0) FROM lead_events)";
    if search {
        // The matches carry their columns, so no lead is read twice.
        return format!(
            "WITH m AS MATERIALIZED (
                 SELECT l.id, l.first_name, l.last_name, l.email, l.state, l.created_at, l.resume_file_name,
                        l.resume_content_type, l.reached_out_at, l.reached_out_by
                 FROM leads l WHERE {filter} LIMIT $5)
             SELECT t.total, t.as_of, p.* FROM (SELECT (SELECT COUNT(*) FROM m) AS total, {as_of} AS as_of) AS t
             LEFT JOIN (
                 SELECT {SUMMARY_COLUMNS} FROM m AS l LEFT JOIN attorneys a ON a.id = l.reached_out_by
                 WHERE TRUE{cursor_sql} ORDER BY l.id {order} LIMIT $4) AS p ON TRUE"
        );
    }
    // Kept by triggers (migrations 0003, 0007): no counting of rows.
    let total = if state {
        "(SELECT COALESCE(SUM(n), 0)::BIGINT FROM lead_counts WHERE state = $1)"
    } else {
        "(SELECT COALESCE(SUM(n), 0)::BIGINT FROM lead_counts)"
    };
    // `t` is one row, so an empty page still carries the total and `as_of`.
    format!(
        "SELECT t.total, t.as_of, p.* FROM (SELECT {total} AS total, {as_of} AS as_of) AS t
         LEFT JOIN (
             SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
             WHERE {filter}{cursor_sql} ORDER BY l.id {order} LIMIT $4) AS p ON TRUE"
    )
}

/// The page of a search matching more than the count cap: matches are
/// common, so walking the newest leads finds a page quickly.
fn dense_sql(state: bool, cursor: Option<bool>) -> String {
    let filter = filter_sql(state, true);
    let (cursor_sql, order) = cursor_sql(cursor);
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
         WHERE {filter}{cursor_sql} ORDER BY l.id {order} LIMIT $4"
    )
}

fn filter_sql(state: bool, search: bool) -> String {
    let mut conds = Vec::new();
    if state {
        conds.push("l.state = $1");
    }
    if search {
        conds.push(
            "(l.email_normalized LIKE $2 ESCAPE '\\' OR lower(l.first_name || ' ' || l.last_name) LIKE $2 ESCAPE '\\')",
        );
    }
    if conds.is_empty() { "TRUE".to_owned() } else { conds.join(" AND ") }
}

fn cursor_sql(cursor: Option<bool>) -> (&'static str, &'static str) {
    match cursor {
        Some(true) => (" AND l.id > $3", "ASC"),
        Some(false) => (" AND l.id < $3", "DESC"),
        None => ("", "DESC"),
    }
}

/// Every shape's statements, built once: by `state`, `search`, cursor (none, before, after).
static LIST_SQL: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let mut v = Vec::new();
    for state in [false, true] {
        for search in [false, true] {
            for cursor in [None, Some(true), Some(false)] {
                v.push((list_sql(state, search, cursor), dense_sql(state, cursor)));
            }
        }
    }
    v
});

fn shape(state: bool, search: bool, cursor: Option<bool>) -> &'static (String, String) {
    let c = match cursor {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    };
    &LIST_SQL[(state as usize) * 6 + (search as usize) * 3 + c]
}

/// Matches a search collects before it pages by walking the newest leads instead.
const MATCHES_CAP: i64 = 10_000;

static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = $1")
});

#[async_trait]
impl DashboardStore for PgDb {
    async fn list(&self, f: &LeadFilter, limit: i64) -> Result<Listed, DbError> {
        let state = f.state.map(LeadState::as_str);
        let pattern = (!f.q.is_empty()).then(|| format!("%{}%", escape_like(&f.q.to_lowercase())));
        let (cursor, before) = match (f.after, f.before) {
            (_, Some(b)) => (Some(b), Some(true)),
            (Some(a), None) => (Some(a), Some(false)),
            (None, None) => (None, None),
        };
        let (sql, dense) = shape(state.is_some(), pattern.is_some(), before);
        // Unused parameters are still sent (typed), so every shape binds the same list.
        // A search is planned with its pattern each time (an unnamed statement): a
        // cached generic plan cannot tell a rare name, answered by the trigram
        // indexes, from a common one, and would scan the table for the count.
        let rows = sqlx::query(sql)
            .persistent(pattern.is_none())
            .bind(state)
            .bind(&pattern)
            .bind(cursor)
            .bind(limit)
            .bind(MATCHES_CAP + 1)
            .fetch_all(&self.pool)
            .await?;
        let (matched, as_of): (i64, i64) = match rows.first() {
            Some(r) => (r.try_get("total")?, r.try_get("as_of")?),
            None => (0, 0),
        };
        // Searches count up to SEARCH_COUNT_CAP + 1 ("1000+").
        let total = if pattern.is_some() { matched.min(SEARCH_COUNT_CAP + 1) } else { matched };
        let mut leads = Vec::with_capacity(rows.len());
        if pattern.is_some() && matched > MATCHES_CAP {
            let rows = sqlx::query(dense)
                .persistent(false)
                .bind(state)
                .bind(&pattern)
                .bind(cursor)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                leads.push(row::summary(r)?);
            }
        } else {
            for r in &rows {
                // The LEFT JOIN's one row with no lead: an empty page.
                if r.try_get::<Option<Uuid>, _>("id")?.is_some() {
                    leads.push(row::summary(r)?);
                }
            }
        }
        if before == Some(true) {
            leads.reverse();
        }
        Ok(Listed { rows: leads, total, as_of })
    }

    async fn summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError> {
        let row = sqlx::query(&SUMMARY_SQL).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::summary).transpose()
    }

    async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {HISTORY_COLUMNS} FROM {HISTORY_FROM} WHERE e.lead_id = $1 ORDER BY e.id")
        });
        let rows = sqlx::query(&SQL).bind(id).fetch_all(&self.pool).await?;
        rows.iter().map(row::history_entry).collect()
    }

    async fn mark_reached_out(&self, id: Uuid, by: Actor<'_>, now: i64) -> Result<MarkOutcome, DbError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE leads SET state = 'REACHED_OUT', reached_out_at = $1, reached_out_by = $2, updated_at = $1
             WHERE id = $3 AND state = 'PENDING'",
        )
        .bind(now)
        .bind(by.attorney.id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            order_events(&mut tx).await?;
            let event_id: i64 = sqlx::query_scalar(
                "INSERT INTO lead_events (lead_id, kind, state, attorney_id, token_id, at)
                 VALUES ($1, 'STATE_CHANGED', 'REACHED_OUT', $2, $3, $4) RETURNING id",
            )
            .bind(id)
            .bind(by.attorney.id)
            .bind(by.token.map(|t| t.id))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let row = sqlx::query(&SUMMARY_SQL).bind(id).fetch_one(&mut *tx).await?;
            let event = super::reached_out_event(event_id, row::summary(&row)?, by, now);
            notify_all(&mut tx, std::slice::from_ref(&event)).await?;
            tx.commit().await?;
            return Ok(MarkOutcome::Marked(Box::new(event)));
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

    async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| row::events_after_sql("$1", "$2"));
        let rows = sqlx::query(&SQL).bind(id).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(row::live_event).collect()
    }
}
