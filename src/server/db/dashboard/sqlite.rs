//! SQLite: what the dashboard reads, and the state change.

use super::{DashboardStore, Listed};
use crate::{
    domain::{
        LeadState,
        dashboard::{HistoryEntry, LeadFilter, LeadSummary, LiveEvent},
    },
    server::db::{
        Actor, DbError, MarkOutcome, SEARCH_COUNT_CAP, escape_like,
        row::{self, HISTORY_COLUMNS, HISTORY_FROM, SUMMARY_COLUMNS},
        sqlite::SqliteDb,
    },
};
use async_trait::async_trait;
use rusqlite::{Connection, params};
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

/// The WHERE clause shared by the page and the count. `?1` state, `?2` LIKE pattern.
const FILTER: &str = "(?1 IS NULL OR l.state = ?1)
     AND (?2 IS NULL OR l.email_normalized LIKE ?2 ESCAPE '\\'
          OR (l.first_name || ' ' || l.last_name) LIKE ?2 ESCAPE '\\')";

/// The same with `?2` an FTS5 phrase, answered by the trigram index (3+ characters).
const FILTER_INDEXED: &str = "(?1 IS NULL OR l.state = ?1)
     AND l.id IN (SELECT lead_id FROM lead_search WHERE lead_search MATCH ?2)";

/// Matches a search collects before it pages by walking the newest leads instead.
const MATCHES_CAP: i64 = 10_000;

/// A search answered from its matches: the trigram index gives every
/// matching id (a name matches a few hundred leads), they are sorted newest
/// first (UUID v7 text sorts by time), and only the page's rows are read.
/// `None` when more than [`MATCHES_CAP`] match: then walking the newest
/// leads finds a page sooner. (Joining the index's matches in SQL made
/// SQLite walk every lead and test each against them.)
fn page_from_matches(
    tx: &Connection,
    phrase: &str,
    state: Option<&str>,
    after: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Option<(Vec<LeadSummary>, i64)>, DbError> {
    let mut ids: Vec<String> = Vec::new();
    {
        let mut stmt = tx.prepare_cached("SELECT lead_id FROM lead_search WHERE lead_search MATCH ?1 LIMIT ?2")?;
        let mut rows = stmt.query(params![phrase, MATCHES_CAP + 1])?;
        while let Some(r) = rows.next()? {
            ids.push(r.get(0)?);
        }
    }
    if ids.len() as i64 > MATCHES_CAP {
        return Ok(None);
    }
    // Newest first; a `before` page reads upwards from its cursor.
    ids.sort_unstable_by(|a, b| b.cmp(a));
    if before.is_some() {
        ids.reverse();
    }
    let in_window = |id: &str| match (after, before) {
        (_, Some(b)) => id > b,
        (Some(a), None) => id < a,
        (None, None) => true,
    };
    let cap = SEARCH_COUNT_CAP + 1;
    let mut total = if state.is_none() { (ids.len() as i64).min(cap) } else { 0 };
    let mut page = Vec::with_capacity(limit as usize);
    let mut stmt = tx.prepare_cached(&SUMMARY_SQL)?;
    for id in &ids {
        let full = page.len() >= limit as usize;
        let counting = state.is_some() && total < cap;
        if full && !counting {
            break;
        }
        let wanted = !full && in_window(id);
        if !wanted && !counting {
            continue;
        }
        let Some(lead) = stmt.query([id])?.next()?.map(row::summary).transpose()? else { continue };
        if state.is_some_and(|s| lead.state.as_str() != s) {
            continue;
        }
        if counting {
            total += 1;
        }
        if wanted {
            page.push(lead);
        }
    }
    if before.is_some() {
        page.reverse();
    }
    Ok(Some((page, total)))
}

#[async_trait]
impl DashboardStore for SqliteDb {
    async fn list(&self, f: &LeadFilter, limit: i64) -> Result<Listed, DbError> {
        let state = f.state.map(LeadState::as_str);
        let indexed = f.q.chars().count() >= 3;
        let (filter, pattern) = if indexed {
            (FILTER_INDEXED, Some(format!("\"{}\"", f.q.replace('"', "\"\""))))
        } else {
            (FILTER, (!f.q.is_empty()).then(|| format!("%{}%", escape_like(&f.q.to_lowercase()))))
        };
        let (cursor_sql, cursor, order) = match (f.after, f.before) {
            (_, Some(b)) => ("AND l.id > ?3", Some(b), "ASC"),
            (Some(a), None) => ("AND l.id < ?3", Some(a), "DESC"),
            (None, None) => ("AND ?3 IS NULL", None, "DESC"),
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
             WHERE {filter} {cursor_sql} ORDER BY l.id {order} LIMIT ?4"
        );
        let cursor = cursor.map(|c| c.hyphenated().to_string());
        let searching = pattern.is_some();
        let (after, before) =
            (f.after.map(|a| a.hyphenated().to_string()), f.before.map(|b| b.hyphenated().to_string()));
        let run = move |conn: &Connection| -> Result<Listed, DbError> {
            // One read transaction: the page, its total and `as_of` from one snapshot.
            let tx = conn.unchecked_transaction()?;
            let as_of: i64 =
                tx.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM lead_events")?.query_row([], |r| r.get(0))?;
            if indexed
                && let Some(phrase) = &pattern
                && let Some((rows, total)) =
                    page_from_matches(&tx, phrase, state, after.as_deref(), before.as_deref(), limit)?
            {
                tx.commit()?;
                return Ok(Listed { rows, total, as_of });
            }
            let mut leads = Vec::with_capacity(limit as usize);
            {
                let mut stmt = tx.prepare_cached(&sql)?;
                let mut rows = stmt.query(params![state, pattern, cursor, limit])?;
                while let Some(r) = rows.next()? {
                    leads.push(row::summary(r)?);
                }
            }
            if order == "ASC" {
                leads.reverse();
            }
            let total: i64 = match &pattern {
                // Kept by triggers: no counting of rows.
                None => tx
                    .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE (?1 IS NULL OR state = ?1)")?
                    .query_row([state], |r| r.get(0))?,
                // Searching counts at most SEARCH_COUNT_CAP + 1 matches ("1000+").
                Some(_) => {
                    let count_sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE {filter} LIMIT ?3)");
                    tx.prepare_cached(&count_sql)?
                        .query_row(params![state, pattern, SEARCH_COUNT_CAP + 1], |r| r.get(0))?
                }
            };
            tx.commit()?;
            Ok(Listed { rows: leads, total, as_of })
        };
        // A page or a count by index is a few page-cache lookups; a search may scan.
        if searching { self.readers.with_blocking(run).await } else { self.readers.with(run) }
    }

    async fn summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError> {
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached(&SUMMARY_SQL)?;
            let mut rows = stmt.query([id.hyphenated().to_string()])?;
            rows.next()?.map(row::summary).transpose()
        })
    }

    async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!("SELECT {HISTORY_COLUMNS} FROM {HISTORY_FROM} WHERE e.lead_id = ?1 ORDER BY e.id")
        });
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached(&SQL)?;
            let mut rows = stmt.query([id.hyphenated().to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(row::history_entry(r)?);
            }
            Ok(out)
        })
    }

    async fn mark_reached_out(&self, id: Uuid, by: Actor<'_>, now: i64) -> Result<MarkOutcome, DbError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let changed = sqlx::query(
            "UPDATE leads SET state = 'REACHED_OUT', reached_out_at = ?1, reached_out_by = ?2, updated_at = ?1
             WHERE id = ?3 AND state = 'PENDING'",
        )
        .bind(now)
        .bind(by.attorney.id.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            let event_id: i64 = sqlx::query_scalar(
                "INSERT INTO lead_events (lead_id, kind, state, attorney_id, token_id, at)
                 VALUES (?, 'STATE_CHANGED', 'REACHED_OUT', ?, ?, ?) RETURNING id",
            )
            .bind(id.to_string())
            .bind(by.attorney.id.to_string())
            .bind(by.token.map(|t| t.id.to_string()))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let row = sqlx::query(&SUMMARY_SQL).bind(id.to_string()).fetch_one(&mut *tx).await?;
            let event = super::reached_out_event(event_id, row::summary(&row)?, by, now);
            let _in_order = self.events.order.lock().await;
            tx.commit().await?;
            self.events.publish_lead(&event);
            return Ok(MarkOutcome::Marked(Box::new(event)));
        }
        let row = sqlx::query(
            "SELECT l.reached_out_at, a.display_name FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
             WHERE l.id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(match row {
            None => MarkOutcome::NotFound,
            Some(r) => MarkOutcome::AlreadyMarked { by: r.try_get("display_name")?, at: r.try_get("reached_out_at")? },
        })
    }

    async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| row::events_after_sql("?1", "?2"));
        self.readers
            .with_blocking(move |conn| {
                let mut stmt = conn.prepare_cached(&SQL)?;
                let mut rows = stmt.query(params![id, limit])?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(row::live_event(r)?);
                }
                Ok(out)
            })
            .await
    }
}

/// One lead's row, by id.
static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = ?1")
});
