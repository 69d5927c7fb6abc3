//! What the dashboard reads (pages, a lead's row and history, replayed
//! events) and the one state change attorneys make.

pub mod overdue;
mod postgres;
mod sqlite;

use super::{Actor, DbError, MarkOutcome, NewMessage};
use async_trait::async_trait;
use intake_domain::{filter::LeadFilter, listing::HistoryEntry, listing::LeadSummary, live::LiveEvent};
use uuid::Uuid;

/// One page of leads, read in one snapshot.
#[derive(Debug)]
pub struct Listed {
    /// Newest first.
    pub rows: Vec<LeadSummary>,
    /// Leads matching the filter (searches count up to `SEARCH_COUNT_CAP + 1`).
    pub total: i64,
    /// The newest event the snapshot includes; events commit in id order
    /// (see `events`), so live dashboards apply exactly the later ones.
    pub as_of: i64,
}

/// A dashboard filter as the database runs it: "mine" resolved to an
/// attorney and "overdue" to a time.
#[derive(Clone, Copy, Debug)]
pub struct ListQuery<'a> {
    pub filter: &'a LeadFilter,
    pub owner: OwnerIs,
    /// Only leads created before this (ms).
    pub created_before: Option<i64>,
}

impl<'a> ListQuery<'a> {
    /// `filter` as `viewer` sees it at `now`, with the firm's follow-up deadline.
    pub fn new(filter: &'a LeadFilter, viewer: Option<Uuid>, follow_up_ms: Option<i64>, now: i64) -> Self {
        use intake_domain::filter::Owner;
        Self {
            filter,
            owner: match filter.owner {
                None => OwnerIs::Any,
                Some(Owner::Nobody) => OwnerIs::Nobody,
                // Without a viewer (an API token's owner is one), nobody's.
                Some(Owner::Me) => viewer.map_or(OwnerIs::Nobody, OwnerIs::Attorney),
            },
            created_before: follow_up_ms.filter(|_| filter.overdue).map(|f| now - f),
        }
    }

    /// Every lead the filter matches, as stored.
    pub fn plain(filter: &'a LeadFilter) -> Self {
        Self { filter, owner: OwnerIs::Any, created_before: None }
    }
}

/// Whose leads a query lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerIs {
    Any,
    Nobody,
    Attorney(Uuid),
}

/// Outcome of an assignment.
#[derive(Clone, Debug)]
pub enum AssignOutcome {
    Assigned(Box<LiveEvent>),
    /// The lead's owner was not the one the attorney saw (or already the one
    /// asked for): who has it now.
    Conflict {
        current: Option<String>,
    },
    NotFound,
}

/// An assignment to make: to whom (`None`: nobody), from whom the attorney
/// saw it held, and the email telling the new owner.
#[derive(Clone, Copy, Debug)]
pub struct Assignment<'a> {
    pub lead: Uuid,
    pub to: Option<Uuid>,
    pub expected: Option<Uuid>,
    pub email: Option<&'a NewMessage>,
}

/// The overdue count at a moment, and when it next changes by time alone:
/// the creation time of the oldest pending lead not yet overdue (`None`: no
/// pending lead will become overdue without a new one arriving).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overdue {
    pub count: i64,
    pub oldest_not_overdue: Option<i64>,
}

#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// One page of leads and the number matching the filter.
    async fn list(&self, query: &ListQuery<'_>, limit: i64) -> Result<Listed, DbError>;

    /// Pending leads assigned to `me`, and pending leads created before `overdue_before`.
    async fn counts(&self, me: Uuid, overdue_before: Option<i64>) -> Result<(i64, Option<Overdue>), DbError>;

    /// Gives a lead to an attorney (or to nobody) if it is still held as
    /// the attorney saw it; records it in the history, queues the email and
    /// announces it, in one transaction. `by` is `None` for Intake itself (round robin).
    async fn assign(&self, a: Assignment<'_>, by: Option<Actor<'_>>, now: i64) -> Result<AssignOutcome, DbError>;

    /// The attorney Intake itself assigned a lead to last (round robin).
    async fn last_auto_assignee(&self) -> Result<Option<Uuid>, DbError>;

    async fn summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError>;

    async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError>;

    /// Moves a pending lead to reached-out, once, and announces it; a second
    /// attempt reports who did it. The history records the actor's token, if any.
    async fn mark_reached_out(&self, id: Uuid, by: Actor<'_>, now: i64) -> Result<MarkOutcome, DbError>;

    /// The distinct `utm_source`s leads came with, in order (at most `limit`).
    async fn sources(&self, limit: i64) -> Result<Vec<String>, DbError>;

    /// Events after `id`, oldest first, with their leads' rows (to catch a reconnecting stream up).
    async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError>;
}

/// The event announcing that `by` reached out to the lead now in `row`.
pub(crate) fn reached_out_event(event_id: i64, row: LeadSummary, by: Actor<'_>, now: i64) -> LiveEvent {
    LiveEvent {
        id: event_id,
        lead_id: row.id,
        kind: intake_domain::live::LiveEventKind::StateChanged,
        state: row.state,
        by: Some(by.display()),
        at: now,
        lead: Some(row),
    }
}

/// The event announcing that `by` (`None`: Intake) assigned the lead now in `row`.
pub(crate) fn assigned_event(event_id: i64, row: LeadSummary, by: Option<Actor<'_>>, now: i64) -> LiveEvent {
    LiveEvent {
        id: event_id,
        lead_id: row.id,
        kind: intake_domain::live::LiveEventKind::Assigned,
        state: row.state,
        by: by.map(|b| b.display()),
        at: now,
        lead: Some(row),
    }
}

/// Both dialects: an assignment, if the lead is still held by `?4` (NULL:
/// nobody) and not already by `?1`.
pub(crate) const ASSIGN_SQL: &str = "UPDATE leads SET assigned_to = ?1, updated_at = ?2
     WHERE id = ?3 AND assigned_to IS NOT DISTINCT FROM ?4 AND assigned_to IS DISTINCT FROM ?1";

/// Both dialects: the history entry of an assignment; `?2` is the lead's id.
pub(crate) const ASSIGN_EVENT_SQL: &str =
    "INSERT INTO lead_events (lead_id, kind, state, attorney_id, token_id, at, assignee_id)
     SELECT ?2, 'ASSIGNED', l.state, ?3, ?4, ?5, ?1 FROM leads l WHERE l.id = ?2 RETURNING id";

/// Both dialects: whom Intake assigned a lead to last.
pub(crate) const LAST_AUTO_SQL: &str = "SELECT assignee_id FROM lead_events
     WHERE kind = 'ASSIGNED' AND attorney_id IS NULL AND assignee_id IS NOT NULL ORDER BY id DESC LIMIT 1";

/// Both dialects: who holds a lead now.
pub(crate) const HOLDER_SQL: &str =
    "SELECT x.display_name FROM leads l LEFT JOIN attorneys x ON x.id = l.assigned_to WHERE l.id = ?1";

/// Both dialects: the distinct sources by walking the `leads_utm_source`
/// index from one value to the next (a loose index scan: one probe per
/// source, not one row per lead). `?1` is the limit.
pub(crate) const SOURCES_SQL: &str = "WITH RECURSIVE s(v) AS (
         SELECT (SELECT utm_source FROM leads WHERE utm_source IS NOT NULL ORDER BY utm_source LIMIT 1)
         UNION ALL
         SELECT (SELECT utm_source FROM leads WHERE utm_source > s.v ORDER BY utm_source LIMIT 1) FROM s
         WHERE s.v IS NOT NULL)
     SELECT v FROM s WHERE v IS NOT NULL LIMIT ?1";
