//! What the dashboard reads (pages, a lead's row and history, replayed
//! events) and the one state change attorneys make.

mod postgres;
mod sqlite;

use super::{Actor, DbError, MarkOutcome};
use crate::domain::dashboard::{HistoryEntry, LeadFilter, LeadSummary, LiveEvent};
use async_trait::async_trait;
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

#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// One page of leads and the number matching the filter.
    async fn list(&self, filter: &LeadFilter, limit: i64) -> Result<Listed, DbError>;

    async fn summary(&self, id: Uuid) -> Result<Option<LeadSummary>, DbError>;

    async fn history(&self, id: Uuid) -> Result<Vec<HistoryEntry>, DbError>;

    /// Moves a pending lead to reached-out, once, and announces it; a second
    /// attempt reports who did it. The history records the actor's token, if any.
    async fn mark_reached_out(&self, id: Uuid, by: Actor<'_>, now: i64) -> Result<MarkOutcome, DbError>;

    /// Events after `id`, oldest first, with their leads' rows (to catch a reconnecting stream up).
    async fn events_after(&self, id: i64, limit: i64) -> Result<Vec<LiveEvent>, DbError>;
}

/// The event announcing that `by` reached out to the lead now in `row`.
pub(crate) fn reached_out_event(event_id: i64, row: LeadSummary, by: Actor<'_>, now: i64) -> LiveEvent {
    LiveEvent {
        id: event_id,
        lead_id: row.id,
        kind: crate::domain::dashboard::LiveEventKind::StateChanged,
        state: row.state,
        by: Some(by.display()),
        at: now,
        lead: Some(row),
    }
}
