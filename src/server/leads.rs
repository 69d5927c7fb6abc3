//! Attorney-side operations over the data layer: paging, details, the state change.

use crate::{
    domain::dashboard::{EmailStatus, LeadDetail, LeadFilter, LeadPage, PAGE_SIZE, clean_query},
    server::{
        db::{Actor, MarkOutcome, now_ms},
        error::Error,
        state::AppState,
    },
};
use uuid::Uuid;

/// One page of the dashboard (keyset pagination on the time-ordered id).
pub async fn page(state: &AppState, filter: &LeadFilter) -> Result<LeadPage, Error> {
    // The server function takes any filter a client sends, not only the page's.
    let cleaned = LeadFilter { q: clean_query(&filter.q), ..filter.clone() };
    let filter = &cleaned;
    let limit = PAGE_SIZE as i64 + 1;
    let listed = state.db.dashboard().list(filter, limit).await?;
    let (mut rows, total, as_of) = (listed.rows, listed.total, listed.as_of);
    let (newer, older);
    if filter.before.is_some() {
        if rows.len() <= PAGE_SIZE {
            // Reached the newest leads: show the first page rather than a short one.
            let first = LeadFilter { after: None, before: None, ..filter.clone() };
            return Box::pin(page(state, &first)).await;
        }
        rows.remove(0);
        newer = rows.first().map(|r| r.id);
        older = rows.last().map(|r| r.id);
    } else {
        let more = rows.len() > PAGE_SIZE;
        rows.truncate(PAGE_SIZE);
        older = if more { rows.last().map(|r| r.id) } else { None };
        newer = if filter.after.is_some() { rows.first().map(|r| r.id) } else { None };
    }
    Ok(LeadPage { rows, total, older, newer, now_ms: now_ms(), as_of })
}

pub async fn detail(state: &AppState, id: Uuid) -> Result<LeadDetail, Error> {
    let lead = state.db.leads().get(id).await?.ok_or(Error::NotFound("lead"))?;
    let summary = state.db.dashboard().summary(id).await?.ok_or(Error::NotFound("lead"))?;
    let history = state.db.dashboard().history(id).await?;
    let emails = state
        .db
        .outbox()
        .for_lead(id)
        .await?
        .into_iter()
        .map(|m| EmailStatus {
            kind: m.kind,
            recipients: m.recipients,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            sent_at: m.sent_at,
        })
        .collect();
    Ok(LeadDetail {
        lead: summary,
        resume_size: lead.resume.size,
        resume_sha256: lead.resume.sha256,
        history,
        emails,
        now_ms: now_ms(),
    })
}

/// Marks a lead reached out; a lead already marked is a conflict naming who and when.
pub async fn mark_reached_out(
    state: &AppState,
    id: Uuid,
    by: Actor<'_>,
) -> Result<crate::domain::dashboard::LeadSummary, Error> {
    match state.db.dashboard().mark_reached_out(id, by, now_ms()).await? {
        MarkOutcome::Marked(event) => match event.lead {
            Some(row) => Ok(row),
            None => state.db.dashboard().summary(id).await?.ok_or(Error::NotFound("lead")),
        },
        MarkOutcome::AlreadyMarked { by, at } => Err(Error::Conflict(format!(
            "Already marked reached out by {} at {}.",
            by.as_deref().unwrap_or("another attorney"),
            at.map(crate::domain::time::format_utc).unwrap_or_else(|| "an earlier time".into())
        ))),
        MarkOutcome::NotFound => Err(Error::NotFound("lead")),
    }
}
