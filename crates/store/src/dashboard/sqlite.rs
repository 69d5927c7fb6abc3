//! SQLite: what the dashboard reads, and the state change.

use super::{AssignOutcome, Assignment, DashboardStore, ListQuery, Listed, Overdue, OwnerIs};
use crate::{
    Actor, DbError, MarkOutcome, SEARCH_COUNT_CAP, escape_like, row, row::HISTORY_COLUMNS, row::HISTORY_FROM,
    row::SUMMARY_COLUMNS, sqlite::SqliteDb,
};
use async_trait::async_trait;
use intake_domain::{LeadState, listing::HistoryEntry, listing::LeadSummary, live::LiveEvent};
use rusqlite::{Connection, params};
use sqlx::Row;
use std::sync::LazyLock;
use uuid::Uuid;

/// The WHERE clause shared by the page and the count. `?1` state, `?2` LIKE
/// pattern, `?5` source (`utm_source`).
const FILTER: &str = "(?1 IS NULL OR l.state = ?1) AND (?5 IS NULL OR l.utm_source = ?5)
     AND (?2 IS NULL OR l.email_normalized LIKE ?2 ESCAPE '\\'
          OR (l.first_name || ' ' || l.last_name) LIKE ?2 ESCAPE '\\'
          OR l.answers_text LIKE ?2 ESCAPE '\\')";

/// The same with `?2` an FTS5 phrase, answered by the trigram index (3+ characters).
const FILTER_INDEXED: &str = "(?1 IS NULL OR l.state = ?1) AND (?5 IS NULL OR l.utm_source = ?5)
     AND l.seq IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ?2)";

/// Matches a search with other filters checks one by one before it pages by
/// walking the newest leads instead.
const MATCHES_CAP: i64 = 10_000;

/// A search answered from the trigram index, whose rowid is the lead's `seq`:
/// the index yields matches newest first without reading a lead, so a search
/// alone reads only its page's rows and counts (up to the cap) in the index,
/// at a cost that does not grow with the number of matches. With other
/// filters each match is read and checked. (Reading every match to order it
/// by id cost far more than the match itself.)
/// Pages are in the order leads were stored, which is the id order but for
/// submissions in flight at the same moment.
/// `None` when a filtered search matches more than [`MATCHES_CAP`], or the
/// cursor's lead is gone: then walking the newest leads by id answers.
fn page_from_matches(
    tx: &Connection,
    phrase: &str,
    narrowed: bool,
    keep: &dyn Fn(&LeadSummary) -> bool,
    after: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Option<(Vec<LeadSummary>, i64)>, DbError> {
    let seq_of = |id: &str| -> Result<Option<i64>, DbError> {
        let mut stmt = tx.prepare_cached("SELECT seq FROM leads WHERE id = ?1")?;
        Ok(stmt.query([id])?.next()?.map(|r| r.get(0)).transpose()?)
    };
    // A `before` cursor wins over `after`, as in the walk by id.
    let cursor = match before.or(after) {
        Some(id) => match seq_of(id)? {
            Some(seq) => Some(seq),
            None => return Ok(None),
        },
        None => None,
    };
    let (after, before) = if before.is_some() { (None, cursor) } else { (cursor, None) };
    if narrowed {
        matches_checked(tx, phrase, keep, after, before, limit)
    } else {
        matches_alone(tx, phrase, after, before, limit).map(Some)
    }
}

/// A search alone: the index yields its matches newest first and stops at the
/// page's end (or at the count's cap): neither reads a lead, whatever the
/// matches' number. `after`/`before` are cursors' `seq`.
fn matches_alone(
    tx: &Connection,
    phrase: &str,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<LeadSummary>, i64), DbError> {
    let (sql, bound) = match (after, before) {
        (_, Some(b)) => (PAGE_UP_SQL, b),
        (Some(a), None) => (PAGE_DOWN_SQL, a),
        (None, None) => (PAGE_DOWN_SQL, i64::MAX),
    };
    let mut page = Vec::with_capacity(limit as usize);
    {
        let mut seqs = tx.prepare_cached(sql)?;
        let mut seqs = seqs.query(params![phrase, bound, limit])?;
        let mut lead = tx.prepare_cached(&SUMMARY_BY_SEQ_SQL)?;
        while let Some(r) = seqs.next()? {
            let seq: i64 = r.get(0)?;
            if let Some(l) = lead.query([seq])?.next()?.map(row::summary_sqlite).transpose()? {
                page.push(l);
            }
        }
    }
    if before.is_some() {
        page.reverse();
    }
    let total: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM (SELECT 1 FROM lead_search WHERE lead_search MATCH ?1 LIMIT ?2)")?
        .query_row(params![phrase, SEARCH_COUNT_CAP + 1], |r| r.get(0))?;
    Ok((page, total))
}

/// A search with other filters: each match is read, checked against them, and
/// counted; `None` past [`MATCHES_CAP`] matches.
fn matches_checked(
    tx: &Connection,
    phrase: &str,
    keep: &dyn Fn(&LeadSummary) -> bool,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<Option<(Vec<LeadSummary>, i64)>, DbError> {
    let cap = SEARCH_COUNT_CAP + 1;
    let mut seqs: Vec<i64> = Vec::new();
    {
        let mut stmt =
            tx.prepare_cached("SELECT rowid FROM lead_search WHERE lead_search MATCH ?1 ORDER BY rowid DESC LIMIT ?2")?;
        let mut rows = stmt.query(params![phrase, MATCHES_CAP + 1])?;
        while let Some(r) = rows.next()? {
            seqs.push(r.get(0)?);
        }
    }
    if seqs.len() as i64 > MATCHES_CAP {
        return Ok(None);
    }
    // A `before` page reads upwards from its cursor.
    if before.is_some() {
        seqs.reverse();
    }
    let in_window = |seq: i64| match (after, before) {
        (_, Some(b)) => seq > b,
        (Some(a), None) => seq < a,
        (None, None) => true,
    };
    let mut total = 0;
    let mut page = Vec::with_capacity(limit as usize);
    let mut stmt = tx.prepare_cached(&SUMMARY_BY_SEQ_SQL)?;
    for &seq in &seqs {
        let full = page.len() >= limit as usize;
        let counting = total < cap;
        if full && !counting {
            break;
        }
        let wanted = !full && in_window(seq);
        if !wanted && !counting {
            continue;
        }
        let Some(lead) = stmt.query([seq])?.next()?.map(row::summary_sqlite).transpose()? else { continue };
        if !keep(&lead) {
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

/// One dashboard read, as SQL and parameters: the page by id (newest first,
/// or upwards from a `before` cursor), its total, and `as_of`, from one snapshot.
struct ListPlan {
    state: Option<&'static str>,
    source: Option<String>,
    /// A conflict status (one of a fixed set, written into `extra`).
    conflict: Option<&'static str>,
    /// A matter type's key (`?9`).
    matter: Option<String>,
    owner: OwnerIs,
    owner_id: Option<String>,
    created_before: Option<i64>,
    /// The search: an FTS5 phrase (3+ characters, `indexed`) or a LIKE pattern.
    pattern: Option<String>,
    indexed: bool,
    /// The WHERE clause: [`FILTER`] or [`FILTER_INDEXED`], then the owner and deadline terms.
    filter: &'static str,
    extra: String,
    after: Option<String>,
    before: Option<String>,
    limit: i64,
}

impl ListPlan {
    fn new(query: &ListQuery<'_>, limit: i64) -> Self {
        let f = query.filter;
        let (owner, created_before) = (query.owner, query.created_before);
        let owner_id = match owner {
            OwnerIs::Attorney(id) => Some(id.hyphenated().to_string()),
            _ => None,
        };
        // The owner, the deadline and the matter type, with the same nine
        // parameters in every shape; the plain terms added when they apply
        // let SQLite use the `leads_assigned` and `leads_matter_type` indexes.
        let mut extra = String::from(
            " AND (?6 IS NULL OR l.assigned_to = ?6) AND (?7 IS NULL OR l.created_at < ?7)
              AND (?8 = 0 OR l.assigned_to IS NULL) AND (?9 IS NULL OR l.matter_type = ?9)",
        );
        if owner_id.is_some() {
            extra.push_str(" AND l.assigned_to = ?6");
        }
        if f.matter.is_some() {
            extra.push_str(" AND l.matter_type = ?9");
        }
        if created_before.is_some() {
            extra.push_str(" AND l.created_at < ?7");
        }
        let conflict = f.conflict.map(|c| c.as_str());
        if let Some(c) = conflict {
            // A literal from a fixed set, not user text; on the `leads_conflict` index.
            extra.push_str(&format!(" AND l.conflict = '{c}'"));
        }
        let term = f.term();
        let indexed = term.chars().count() >= 3;
        let (filter, pattern) = if indexed {
            (FILTER_INDEXED, Some(format!("\"{}\"", term.replace('"', "\"\""))))
        } else {
            (FILTER, (!term.is_empty()).then(|| format!("%{}%", escape_like(&term.to_lowercase()))))
        };
        Self {
            state: f.state.map(LeadState::as_str),
            source: f.source.clone(),
            conflict,
            matter: f.matter.clone(),
            owner,
            owner_id,
            created_before,
            pattern,
            indexed,
            filter,
            extra,
            after: f.after.map(|a| a.hyphenated().to_string()),
            before: f.before.map(|b| b.hyphenated().to_string()),
            limit,
        }
    }

    /// Whether anything but the state narrows the view.
    fn narrowed(&self) -> bool {
        self.state.is_some()
            || self.source.is_some()
            || self.conflict.is_some()
            || self.matter.is_some()
            || self.owner != OwnerIs::Any
            || self.created_before.is_some()
    }

    fn may_scan(&self) -> bool {
        self.pattern.is_some()
            || self.source.is_some()
            || self.conflict.is_some()
            || self.matter.is_some()
            || self.owner != OwnerIs::Any
            || self.created_before.is_some()
    }

    /// Whether a lead read from the search index belongs in this view.
    fn keeps(&self, l: &LeadSummary) -> bool {
        self.state.is_none_or(|s| l.state.as_str() == s)
            && self.source.as_ref().is_none_or(|s| l.origin.utm_source.as_ref() == Some(s))
            && self.conflict.is_none_or(|c| l.conflict.as_str() == c)
            && self.matter.as_ref().is_none_or(|m| l.matter_type.as_ref() == Some(m))
            && self.created_before.is_none_or(|t| l.created_at < t)
            && match self.owner {
                OwnerIs::Any => true,
                OwnerIs::Nobody => l.assignee.is_none(),
                OwnerIs::Attorney(id) => l.assignee.as_ref().is_some_and(|a| a.id == id),
            }
    }

    /// One read transaction: the page, its total and `as_of` from one snapshot.
    fn run(&self, conn: &Connection) -> Result<Listed, DbError> {
        let tx = conn.unchecked_transaction()?;
        let as_of: i64 =
            tx.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM lead_events")?.query_row([], |r| r.get(0))?;
        if self.indexed
            && let Some(phrase) = &self.pattern
            && let Some((rows, total)) = page_from_matches(
                &tx,
                phrase,
                self.narrowed(),
                &|l| self.keeps(l),
                self.after.as_deref(),
                self.before.as_deref(),
                self.limit,
            )?
        {
            tx.commit()?;
            return Ok(Listed { rows, total, as_of });
        }
        let rows = self.page(&tx)?;
        let total = self.total(&tx)?;
        tx.commit()?;
        Ok(Listed { rows, total, as_of })
    }

    /// The page, walking the leads by id.
    fn page(&self, tx: &Connection) -> Result<Vec<LeadSummary>, DbError> {
        let (cursor_sql, cursor, order) = match (&self.after, &self.before) {
            (_, Some(b)) => ("AND l.id > ?3", Some(b), "ASC"),
            (Some(a), None) => ("AND l.id < ?3", Some(a), "DESC"),
            (None, None) => ("AND ?3 IS NULL", None, "DESC"),
        };
        let (filter, extra) = (self.filter, &self.extra);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by
             WHERE {filter}{extra} {cursor_sql} ORDER BY l.id {order} LIMIT ?4"
        );
        let mut leads = Vec::with_capacity(self.limit as usize);
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![
            self.state,
            self.pattern,
            cursor,
            self.limit,
            self.source,
            self.owner_id,
            self.created_before,
            self.owner == OwnerIs::Nobody,
            self.matter
        ])?;
        while let Some(r) = rows.next()? {
            leads.push(row::summary_sqlite(r)?);
        }
        if order == "ASC" {
            leads.reverse();
        }
        Ok(leads)
    }

    /// The view's total: kept by triggers where it can be, counted on an index
    /// otherwise, and at most `SEARCH_COUNT_CAP + 1` for a search ("1000+").
    fn total(&self, tx: &Connection) -> Result<i64, DbError> {
        let in_state = || -> Result<i64, DbError> {
            Ok(tx
                .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE (?1 IS NULL OR state = ?1)")?
                .query_row([self.state], |r| r.get(0))?)
        };
        let (filter, extra) = (self.filter, &self.extra);
        let count = |sql: String, limit: Option<i64>| -> Result<i64, DbError> {
            let nobody = self.owner == OwnerIs::Nobody;
            Ok(tx.prepare_cached(&sql)?.query_row(
                params![
                    self.state,
                    self.pattern,
                    limit,
                    None::<i64>,
                    self.source,
                    self.owner_id,
                    self.created_before,
                    nobody,
                    self.matter
                ],
                |r| r.get(0),
            )?)
        };
        // A source, a conflict status or a matter type: counted on its index like one attorney's leads.
        let by_index = self.source.is_some() || self.conflict.is_some() || self.matter.is_some();
        Ok(match (&self.pattern, by_index, self.owner, self.created_before) {
            // Kept by triggers: no counting of rows.
            (None, false, OwnerIs::Any, None) => in_state()?,
            // Overdue: the pending leads less the recent ones (few, on the `leads_created_at` index).
            (None, false, OwnerIs::Any, Some(t)) => {
                let recent: i64 = tx
                    .prepare_cached("SELECT COUNT(*) FROM leads WHERE created_at >= ?1 AND state = 'PENDING'")?
                    .query_row([t], |r| r.get(0))?;
                in_state()? - recent
            }
            // Unassigned: all less the assigned ones (on the `leads_assigned` index).
            (None, false, OwnerIs::Nobody, None) => {
                let assigned: i64 = tx
                    .prepare_cached(
                        "SELECT COUNT(*) FROM leads WHERE assigned_to IS NOT NULL AND (?1 IS NULL OR state = ?1)",
                    )?
                    .query_row([self.state], |r| r.get(0))?;
                in_state()? - assigned
            }
            // One source's or one attorney's leads, counted on their index.
            (None, _, _, _) => count(
                format!("SELECT COUNT(*) FROM leads l WHERE {filter}{extra} AND ?3 IS NULL AND ?4 IS NULL"),
                None,
            )?,
            // Searching counts at most SEARCH_COUNT_CAP + 1 matches ("1000+").
            (Some(_), _, _, _) => count(
                format!("SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE {filter}{extra} AND ?4 IS NULL LIMIT ?3)"),
                Some(SEARCH_COUNT_CAP + 1),
            )?,
        })
    }
}

#[async_trait]
impl DashboardStore for SqliteDb {
    async fn list(&self, query: &ListQuery<'_>, limit: i64) -> Result<Listed, DbError> {
        let plan = ListPlan::new(query, limit);
        // A search or a source's count may read many rows: off the async threads.
        // (A state alone walks the newest leads, and a count by index is a few
        // page-cache lookups.)
        let may_scan = plan.may_scan();
        let run = move |conn: &Connection| plan.run(conn);
        if may_scan { self.readers.with_blocking(run).await } else { self.readers.with(run) }
    }

    async fn counts(&self, me: Uuid, overdue_before: Option<i64>) -> Result<(i64, Option<Overdue>), DbError> {
        let me = me.hyphenated().to_string();
        self.readers.with(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let mine: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM leads WHERE assigned_to = ?1 AND state = 'PENDING'")?
                .query_row([&me], |r| r.get(0))?;
            let overdue = match overdue_before {
                None => None,
                Some(t) => {
                    let pending: i64 = tx
                        .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE state = 'PENDING'")?
                        .query_row([], |r| r.get(0))?;
                    // The same range read once for the count and for when it next changes.
                    let (recent, oldest): (i64, Option<i64>) = tx
                        .prepare_cached(
                            "SELECT COUNT(*), MIN(created_at) FROM leads WHERE created_at >= ?1 AND state = 'PENDING'",
                        )?
                        .query_row([t], |r| Ok((r.get(0)?, r.get(1)?)))?;
                    Some(Overdue { count: pending - recent, oldest_not_overdue: oldest })
                }
            };
            tx.commit()?;
            Ok((mine, overdue))
        })
    }

    async fn last_auto_assignee(&self) -> Result<Option<Uuid>, DbError> {
        let id: Option<String> = sqlx::query_scalar(super::LAST_AUTO_SQL).fetch_optional(&self.pool).await?;
        id.map(|s| Uuid::parse_str(&s).map_err(|e| DbError::corrupt("assignee_id", e))).transpose()
    }

    async fn assign(&self, a: Assignment<'_>, by: Option<Actor<'_>>, now: i64) -> Result<AssignOutcome, DbError> {
        let (lead, to) = (a.lead.hyphenated().to_string(), a.to.map(|t| t.hyphenated().to_string()));
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let changed = sqlx::query(super::ASSIGN_SQL)
            .bind(&to)
            .bind(now)
            .bind(&lead)
            .bind(a.expected.map(|e| e.hyphenated().to_string()))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            let holder: Option<Option<String>> =
                sqlx::query_scalar(super::HOLDER_SQL).bind(&lead).fetch_optional(&mut *tx).await?;
            tx.commit().await?;
            return Ok(match holder {
                None => AssignOutcome::NotFound,
                Some(current) => AssignOutcome::Conflict { current },
            });
        }
        let event_id: i64 = sqlx::query_scalar(super::ASSIGN_EVENT_SQL)
            .bind(&to)
            .bind(&lead)
            .bind(by.map(|b| b.attorney.id.hyphenated().to_string()))
            .bind(by.and_then(|b| b.token).map(|t| t.id.hyphenated().to_string()))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(m) = a.email {
            crate::outbox::sqlite::queue_email(&mut tx, Some(a.lead), m, now).await?;
        }
        let row = sqlx::query(&SUMMARY_SQL).bind(&lead).fetch_one(&mut *tx).await?;
        let event = super::assigned_event(event_id, row::summary(&row)?, by, now);
        crate::webhooks::deliveries::queue_sqlite(&mut tx, &event).await?;
        let _in_order = self.events.order.lock().await;
        tx.commit().await?;
        self.events.publish_lead(&event);
        Ok(AssignOutcome::Assigned(Box::new(event)))
    }

    async fn summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError> {
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached(&SUMMARY_SQL)?;
            let mut rows = stmt.query([id.hyphenated().to_string()])?;
            rows.next()?.map(row::summary_sqlite).transpose()
        })
    }

    async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {HISTORY_COLUMNS} FROM {HISTORY_FROM} WHERE e.lead_id = ?1 AND {} ORDER BY e.id",
                row::history_window("?1")
            )
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
            crate::webhooks::deliveries::queue_sqlite(&mut tx, &event).await?;
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

    async fn sources(&self, limit: i64) -> Result<Vec<String>, DbError> {
        // A skip scan of the source index: one step per source, read in place
        // (each dashboard page asks for it).
        self.readers.with(|conn| {
            let mut stmt = conn.prepare_cached(super::SOURCES_SQL)?;
            let rows = stmt.query_map([limit], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
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

/// A search's page below a `seq`, newest first, straight from the index.
const PAGE_DOWN_SQL: &str =
    "SELECT rowid FROM lead_search WHERE lead_search MATCH ?1 AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3";
/// A search's page above a `seq` (the newer page), oldest first.
const PAGE_UP_SQL: &str =
    "SELECT rowid FROM lead_search WHERE lead_search MATCH ?1 AND rowid > ?2 ORDER BY rowid ASC LIMIT ?3";

/// One lead's row, by its place in the search index.
static SUMMARY_BY_SEQ_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.seq = ?1")
});

/// One lead's row, by id.
static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SUMMARY_COLUMNS} FROM leads l LEFT JOIN attorneys a ON a.id = l.reached_out_by WHERE l.id = ?1")
});
