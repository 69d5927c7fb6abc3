//! PostgreSQL: what the dashboard reads, and the state change.
//!
//! Each filter shape gets its own statement text, holding only the
//! conditions it uses: a prepared statement with `$1 IS NULL OR …` arms
//! gets one generic plan for every shape, which cannot use the right index.

use super::{AssignOutcome, Assignment, DashboardStore, ListQuery, Listed, Overdue, OwnerIs};
use crate::{
    Actor, DbError, MarkOutcome, SEARCH_COUNT_CAP, escape_like, postgres::PgDb, postgres::events::notify_all,
    postgres::events::order_events, row, row::HISTORY_COLUMNS, row::HISTORY_FROM, row::SUMMARY_COLUMNS,
};
use async_trait::async_trait;
use intake_domain::{LeadState, listing::HistoryEntry, listing::LeadSummary, live::LiveEvent};
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

/// The page and its total in one round trip. Parameters: `$1` state, `$2`
/// lower-cased LIKE pattern, `$3` cursor, `$4` limit, `$5` count cap, `$6`
/// source, `$7` owner, `$8` created before (overdue), `$9` conflict status,
/// each present only in the shapes that use it.
///
/// A search first collects at most `$5` ([`MATCHES_CAP`]) matches through
/// the trigram indexes (`m`): that gives its count, and, when it holds every
/// match (the usual case: a name), the page is cut from it. A search
/// matching more is answered by [`dense_sql`] instead. (Left to itself, the
/// planner walks the newest leads until 50 match: every lead since the last
/// match, tens of thousands of rows for a name that is rare lately.)
fn list_sql(s: Shape) -> String {
    let Shape { state, search, source, cursor, owner, overdue, conflict, matter } = s;
    let filter = filter_sql(s);
    let (cursor_sql, order) = cursor_sql(cursor);
    let as_of = "(SELECT COALESCE(MAX(id), 0) FROM lead_events)";
    if search {
        // The matches carry their columns, so no lead is read twice.
        return format!(
            "WITH m AS MATERIALIZED (
                 SELECT l.id, l.first_name, l.last_name, l.email, l.state, l.created_at, l.resume_file_name,
                        l.resume_content_type, l.reached_out_at, l.reached_out_by,
                        l.referrer, l.utm_source, l.utm_medium, l.utm_campaign, l.assigned_to, l.conflict,
                        l.matter_type, l.answers_text
                 FROM leads l WHERE {filter} LIMIT $5)
             SELECT t.total, t.as_of, p.* FROM (SELECT (SELECT COUNT(*) FROM m) AS total, {as_of} AS as_of) AS t
             LEFT JOIN (
                 SELECT {SUMMARY_COLUMNS} FROM m AS l LEFT JOIN attorneys a ON a.id = l.reached_out_by
                 WHERE TRUE{cursor_sql} ORDER BY l.id {order} LIMIT $4) AS p ON TRUE"
        );
    }
    // Kept by triggers (migrations 0003, 0007): no counting of rows; one
    // source's or one attorney's leads are counted on their index; overdue
    // leads are the pending ones less the recent ones, unassigned leads all
    // less the assigned ones (both few).
    let in_state = if state {
        "(SELECT COALESCE(SUM(n), 0)::BIGINT FROM lead_counts WHERE state = $1)"
    } else {
        "(SELECT COALESCE(SUM(n), 0)::BIGINT FROM lead_counts)"
    };
    let total = match (source || conflict || matter, owner, overdue) {
        (false, Owned::Any, false) => in_state.to_owned(),
        (false, Owned::Any, true) => {
            format!("({in_state} - (SELECT COUNT(*) FROM leads WHERE state = $1 AND created_at >= $8))")
        }
        (false, Owned::Nobody, false) => format!(
            "({in_state} - (SELECT COUNT(*) FROM leads WHERE assigned_to IS NOT NULL{}))",
            if state { " AND state = $1" } else { "" }
        ),
        _ => format!("(SELECT COUNT(*) FROM leads l WHERE {filter})"),
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
fn dense_sql(s: Shape) -> String {
    let filter = filter_sql(Shape { search: true, ..s });
    let (cursor_sql, order) = cursor_sql(s.cursor);
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
         WHERE {filter}{cursor_sql} ORDER BY l.id {order} LIMIT $4"
    )
}

fn filter_sql(s: Shape) -> String {
    let mut conds = Vec::new();
    if s.state {
        conds.push("l.state = $1");
    }
    if s.source {
        conds.push("l.utm_source = $6");
    }
    if s.conflict {
        conds.push("l.conflict = $9");
    }
    if s.matter {
        conds.push("l.matter_type = $10");
    }
    match s.owner {
        Owned::Any => {}
        Owned::Nobody => conds.push("l.assigned_to IS NULL"),
        Owned::Attorney => conds.push("l.assigned_to = $7"),
    }
    if s.overdue {
        conds.push("l.created_at < $8");
    }
    if s.search {
        conds.push(
            "(l.email_normalized LIKE $2 ESCAPE '\\' OR lower(l.first_name || ' ' || l.last_name) LIKE $2 ESCAPE '\\'
              OR lower(l.answers_text) LIKE $2 ESCAPE '\\')",
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

/// Which conditions a list query has; the cursor is none, before (`true`) or after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Shape {
    state: bool,
    search: bool,
    source: bool,
    cursor: Option<bool>,
    owner: Owned,
    overdue: bool,
    conflict: bool,
    matter: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Owned {
    Any,
    Nobody,
    Attorney,
}

/// Every shape's statements (page, and dense search page), built once.
static LIST_SQL: LazyLock<std::collections::HashMap<Shape, (String, String)>> = LazyLock::new(|| {
    let mut m = std::collections::HashMap::new();
    for state in [false, true] {
        for search in [false, true] {
            for source in [false, true] {
                for cursor in [None, Some(true), Some(false)] {
                    for owner in [Owned::Any, Owned::Nobody, Owned::Attorney] {
                        for overdue in [false, true] {
                            for conflict in [false, true] {
                                for matter in [false, true] {
                                    let s = Shape { state, search, source, cursor, owner, overdue, conflict, matter };
                                    m.insert(s, (list_sql(s), dense_sql(s)));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    m
});

/// Matches a search collects before it pages by walking the newest leads instead.
const MATCHES_CAP: i64 = 10_000;

static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = $1")
});

#[async_trait]
impl DashboardStore for PgDb {
    async fn list(&self, query: &ListQuery<'_>, limit: i64) -> Result<Listed, DbError> {
        let f = query.filter;
        let state = f.state.map(LeadState::as_str);
        let owner_id = match query.owner {
            OwnerIs::Attorney(id) => Some(id),
            _ => None,
        };
        let term = f.term();
        let pattern = (!term.is_empty()).then(|| format!("%{}%", escape_like(&term.to_lowercase())));
        let (cursor, before) = match (f.after, f.before) {
            (_, Some(b)) => (Some(b), Some(true)),
            (Some(a), None) => (Some(a), Some(false)),
            (None, None) => (None, None),
        };
        let (sql, dense) = &LIST_SQL[&Shape {
            // Overdue leads are pending ones.
            state: state.is_some() || query.created_before.is_some(),
            search: pattern.is_some(),
            source: f.source.is_some(),
            cursor: before,
            owner: match query.owner {
                OwnerIs::Any => Owned::Any,
                OwnerIs::Nobody => Owned::Nobody,
                OwnerIs::Attorney(_) => Owned::Attorney,
            },
            overdue: query.created_before.is_some(),
            conflict: f.conflict.is_some(),
            matter: f.matter.is_some(),
        }];
        let conflict = f.conflict.map(|c| c.as_str());
        let state = if query.created_before.is_some() { Some(LeadState::Pending.as_str()) } else { state };
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
            .bind(&f.source)
            .bind(owner_id)
            .bind(query.created_before)
            .bind(conflict)
            .bind(&f.matter)
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
                .bind(None::<i64>)
                .bind(&f.source)
                .bind(owner_id)
                .bind(query.created_before)
                .bind(conflict)
                .bind(&f.matter)
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

    async fn counts(&self, me: Uuid, overdue_before: Option<i64>) -> Result<(i64, Option<Overdue>), DbError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM leads WHERE assigned_to = $1 AND state = 'PENDING') AS mine,
                    (SELECT COALESCE(SUM(n), 0)::BIGINT FROM lead_counts WHERE state = 'PENDING') AS pending,
                    recent.n AS recent, recent.oldest AS oldest
             FROM (SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM leads
                   WHERE created_at >= $2 AND state = 'PENDING') recent",
        )
        .bind(me)
        .bind(overdue_before.unwrap_or(i64::MAX))
        .fetch_one(&self.pool)
        .await?;
        let overdue = match overdue_before {
            None => None,
            Some(_) => Some(Overdue {
                count: row.try_get::<i64, _>("pending")? - row.try_get::<i64, _>("recent")?,
                oldest_not_overdue: row.try_get("oldest")?,
            }),
        };
        Ok((row.try_get("mine")?, overdue))
    }

    async fn last_auto_assignee(&self) -> Result<Option<Uuid>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| crate::dollars(super::LAST_AUTO_SQL));
        Ok(sqlx::query_scalar(&SQL).fetch_optional(&self.pool).await?)
    }

    async fn assign(&self, a: Assignment<'_>, by: Option<Actor<'_>>, now: i64) -> Result<AssignOutcome, DbError> {
        static ASSIGN: LazyLock<String> = LazyLock::new(|| crate::dollars(super::ASSIGN_SQL));
        static HOLDER: LazyLock<String> = LazyLock::new(|| crate::dollars(super::HOLDER_SQL));
        static EVENT: LazyLock<String> = LazyLock::new(|| crate::dollars(super::ASSIGN_EVENT_SQL));
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(&ASSIGN)
            .bind(a.to)
            .bind(now)
            .bind(a.lead)
            .bind(a.expected)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            let holder: Option<Option<String>> =
                sqlx::query_scalar(&HOLDER).bind(a.lead).fetch_optional(&mut *tx).await?;
            tx.commit().await?;
            return Ok(match holder {
                None => AssignOutcome::NotFound,
                Some(current) => AssignOutcome::Conflict { current },
            });
        }
        order_events(&mut tx).await?;
        let event_id: i64 = sqlx::query_scalar(&EVENT)
            .bind(a.to)
            .bind(a.lead)
            .bind(by.map(|b| b.attorney.id))
            .bind(by.and_then(|b| b.token).map(|t| t.id))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(m) = a.email {
            crate::outbox::postgres::queue_email(&mut tx, Some(a.lead), m, now).await?;
        }
        let row = sqlx::query(&SUMMARY_SQL).bind(a.lead).fetch_one(&mut *tx).await?;
        let event = super::assigned_event(event_id, row::summary(&row)?, by, now);
        crate::webhooks::deliveries::queue_postgres(&mut tx, std::slice::from_ref(&event)).await?;
        notify_all(&mut tx, std::slice::from_ref(&event)).await?;
        tx.commit().await?;
        Ok(AssignOutcome::Assigned(Box::new(event)))
    }

    async fn summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError> {
        let row = sqlx::query(&SUMMARY_SQL).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(row::summary).transpose()
    }

    async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {HISTORY_COLUMNS} FROM {HISTORY_FROM} WHERE e.lead_id = $1 AND {} ORDER BY e.id",
                row::history_window("$1")
            )
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
            crate::webhooks::deliveries::queue_postgres(&mut tx, std::slice::from_ref(&event)).await?;
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

    async fn sources(&self, limit: i64) -> Result<Vec<String>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| crate::dollars(super::SOURCES_SQL));
        Ok(sqlx::query_scalar(&SQL).bind(limit).fetch_all(&self.pool).await?)
    }

    async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| row::events_after_sql("$1", "$2"));
        let rows = sqlx::query(&SQL).bind(id).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(row::live_event).collect()
    }
}
