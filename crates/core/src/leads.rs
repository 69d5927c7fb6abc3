//! Attorney-side operations over the data layer: paging, details, the state change.

use crate::{error::Error, services::Services};
use intake_domain::{
    filter::LeadFilter, filter::clean_query, listing::Assignee, listing::EmailStatus, listing::HistoryEntry,
    listing::LeadDetail, listing::LeadPage, listing::LeadSummary, listing::MyCounts, listing::PAGE_SIZE,
    notes::NOTE_EDIT_WINDOW_MS, notes::Note, notes::check_note,
};
use intake_store::{
    Actor, Attorney, MarkOutcome, dashboard::AssignOutcome, dashboard::Assignment, dashboard::ListQuery,
    notes::NewNote, notes::NoteEdit, now_ms, outbox::Channel,
};
use uuid::Uuid;

/// The firm's follow-up deadline in ms, if it has one.
pub fn follow_up_ms(state: &Services) -> Option<i64> {
    state.config.leads.follow_up.map(|d| d.as_millis() as i64)
}

/// What the dashboard's filters offer: the sources seen, and every matter
/// type any version of the form asked about (named as its newest version names it).
pub async fn filter_choices(state: &Services) -> Result<intake_domain::listing::FilterChoices, Error> {
    let sources = state.db.dashboard().sources(200).await?;
    let mut matter_types: Vec<(String, String)> = Vec::new();
    // Newest first: the current form's types in its order, then older ones.
    for v in state.db.forms().form_versions().await? {
        for m in v.form.matter_types {
            if !matter_types.iter().any(|(k, _)| *k == m.key) {
                let name = m.name.get(intake_domain::questions::Lang::En).to_owned();
                matter_types.push((m.key, name));
            }
        }
    }
    Ok(intake_domain::listing::FilterChoices { sources, matter_types })
}

/// One page of the dashboard (keyset pagination on the time-ordered id), as
/// `viewer` sees it ("mine").
pub async fn page(state: &Services, filter: &LeadFilter, viewer: Option<Uuid>) -> Result<LeadPage, Error> {
    // The server function takes any filter a client sends, not only the page's.
    let mut cleaned = LeadFilter {
        q: clean_query(&filter.q),
        matter: filter.matter.as_deref().and_then(intake_domain::filter::matter_key),
        ..filter.clone()
    };
    if cleaned.overdue {
        cleaned.state = Some(intake_domain::LeadState::Pending);
    }
    let filter = &cleaned;
    let limit = PAGE_SIZE as i64 + 1;
    let now = now_ms();
    let follow_up = follow_up_ms(state);
    let query = ListQuery::new(filter, viewer, follow_up, now);
    let listed = state.db.dashboard().list(&query, limit).await?;
    let (mut rows, total, as_of) = (listed.rows, listed.total, listed.as_of);
    let (newer, older);
    if filter.before.is_some() {
        if rows.len() <= PAGE_SIZE {
            // Reached the newest leads: show the first page rather than a short one.
            let first = LeadFilter { after: None, before: None, ..filter.clone() };
            return Box::pin(page(state, &first, viewer)).await;
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
    Ok(LeadPage { rows, total, older, newer, now_ms: now, as_of, viewer, follow_up_ms: follow_up })
}

/// The header's numbers for `me`.
pub async fn counts(state: &Services, me: Uuid) -> Result<MyCounts, Error> {
    let Some(follow_up) = follow_up_ms(state) else {
        let mine = state.db.dashboard().counts(me, None).await?.0;
        return Ok(MyCounts { mine, overdue: None, overdue_changes_at: None, now_ms: now_ms() });
    };
    let now = now_ms();
    let (cached, generation) = state.db.overdue().get(now);
    let overdue_before = cached.is_none().then_some(now - follow_up);
    let (mine, counted) = state.db.dashboard().counts(me, overdue_before).await?;
    let counted = counted.map(|o| {
        // The count holds until the oldest lead not yet overdue passes its deadline.
        let until = o.oldest_not_overdue.map(|t| t + follow_up);
        state.db.overdue().put(o.count, until, generation);
        (o.count, until)
    });
    let (overdue, until) = match cached.or(counted) {
        Some((n, until)) => (Some(n), until),
        None => (None, None),
    };
    Ok(MyCounts { mine, overdue, overdue_changes_at: until, now_ms: now })
}

/// Gives a lead to `to` (`None`: nobody) if it is still held by `expected`,
/// as the attorney saw it; the new holder is emailed unless they assigned it
/// to themselves. A lead held by someone else by now is a conflict naming them.
pub async fn assign(
    state: &Services,
    lead: Uuid,
    to: Option<Uuid>,
    expected: Option<Uuid>,
    by: Actor<'_>,
) -> Result<LeadSummary, Error> {
    let assignee = match to {
        None => None,
        Some(id) => match state.db.accounts().by_id(id).await? {
            Some(a) if a.is_active() => Some(a),
            _ => return Err(Error::BadParam("Assign to: choose an active colleague.".into())),
        },
    };
    let summary = state.db.dashboard().summary(lead).await?.ok_or(Error::NotFound("lead"))?;
    let email = assignee
        .as_ref()
        .filter(|a| a.id != by.attorney.id)
        .map(|a| crate::mail::compose::assignment(&state.config, &summary, a, &by.display()));
    let assignment = Assignment { lead, to, expected, email: email.as_ref() };
    match state.db.dashboard().assign(assignment, Some(by), now_ms()).await? {
        AssignOutcome::Assigned(event) => {
            if email.is_some() {
                state.outbox_wake.notify();
            }
            match event.lead {
                Some(row) => Ok(row),
                None => state.db.dashboard().summary(lead).await?.ok_or(Error::NotFound("lead")),
            }
        }
        AssignOutcome::Conflict { current } => Err(Error::Conflict(match current {
            Some(name) => format!("Already assigned to {name}."),
            None => "Already unassigned by a colleague.".into(),
        })),
        AssignOutcome::NotFound => Err(Error::NotFound("lead")),
    }
}

/// Who Intake itself names in a lead's history and emails.
pub const ROUND_ROBIN: &str = "Intake (round robin)";

/// With `INTAKE_ASSIGN=round-robin`: gives a new lead to the next active
/// attorney after the one Intake chose last (by account, in a fixed order),
/// and emails them. One choice at a time per instance; two instances choosing
/// at the same moment may choose the same attorney, and the turn goes on
/// from there. A failure leaves the lead unassigned (it is stored either
/// way) and is logged.
pub async fn assign_in_turn(state: &Services, lead: &LeadSummary) {
    let _turn = state.assign_turn.lock().await;
    let result = async {
        let mut candidates: Vec<Attorney> =
            state.db.accounts().list().await?.into_iter().filter(Attorney::is_active).collect();
        if candidates.iter().any(|a| a.role == intake_store::Role::Attorney) {
            candidates.retain(|a| a.role == intake_store::Role::Attorney);
        }
        candidates.sort_by_key(|a| a.id);
        let last = state.db.dashboard().last_auto_assignee().await?;
        let Some(next) = candidates.iter().find(|a| last.is_some_and(|l| a.id > l)).or(candidates.first()) else {
            return Ok::<_, Error>(());
        };
        let email = crate::mail::compose::assignment(&state.config, lead, next, ROUND_ROBIN);
        let assignment = Assignment { lead: lead.id, to: Some(next.id), expected: None, email: Some(&email) };
        if let AssignOutcome::Assigned(_) = state.db.dashboard().assign(assignment, None, now_ms()).await? {
            state.outbox_wake.notify();
        }
        Ok(())
    };
    if let Err(e) = result.await {
        tracing::error!(lead = %lead.id, error = %e, "round-robin assignment failed; the lead stays unassigned");
    }
}

/// The active attorneys a lead can be assigned to, by name.
pub async fn colleagues(state: &Services) -> Result<Vec<Assignee>, Error> {
    let mut out: Vec<Assignee> = state
        .db
        .accounts()
        .list()
        .await?
        .into_iter()
        // Not disabled accounts, nor invited ones that have no password yet.
        .filter(Attorney::is_active)
        .map(|a| Assignee { id: a.id, name: a.display_name })
        .collect();
    out.sort_by_key(|a| a.name.to_lowercase());
    Ok(out)
}

/// Everything on a lead's page, for `viewer` (who may edit their own recent notes).
pub async fn detail(state: &Services, id: Uuid, viewer: Option<&Attorney>) -> Result<LeadDetail, Error> {
    let viewer_id = viewer.map(|v| v.id);
    let lead = state.db.leads().get(id).await?.ok_or(Error::NotFound("lead"))?;
    let summary = state.db.dashboard().summary(id).await?.ok_or(Error::NotFound("lead"))?;
    let mut history = state.db.dashboard().history(id).await?;
    // Repeats of the submission, in time order among the changes.
    let repeats = state.db.leads().resubmissions(id).await?;
    if !repeats.is_empty() {
        let first = history.first().map(|h| h.state).unwrap_or(intake_domain::LeadState::Pending);
        history.extend(repeats.into_iter().map(|at| HistoryEntry {
            state: first,
            created: false,
            by: None,
            at,
            assigned: None,
            resubmitted: true,
            conflict: None,
            note: None,
        }));
        history.sort_by_key(|h| h.at);
        // A repeat leaves the lead's state as it was.
        let mut state = first;
        for h in &mut history {
            if h.resubmitted {
                h.state = state;
            }
            state = h.state;
        }
    }
    let (mut emails, mut webhooks) = (Vec::new(), Vec::new());
    // A webhook URL can be a credential (Zapier, Slack), and a delivery's
    // error describes the firm's network: administrators only. Others (and
    // API tokens) see the endpoint by id.
    let admin = viewer.is_some_and(|v| v.role == intake_store::Role::Admin);
    for m in state.db.outbox().for_lead(id).await? {
        let (list, recipients, last_error) = match m.channel {
            Channel::Email => (&mut emails, m.recipients, m.last_error),
            Channel::Webhook if admin => (&mut webhooks, m.recipients, m.last_error),
            Channel::Webhook => {
                let endpoint = m.endpoint_id.map(|e| format!("endpoint {e}")).unwrap_or_else(|| "endpoint".into());
                let failed = m.last_error.map(|_| "the delivery failed (details for administrators)".to_owned());
                (&mut webhooks, endpoint, failed)
            }
        };
        list.push(EmailStatus {
            kind: m.kind,
            recipients,
            status: m.status,
            attempts: m.attempts,
            last_error,
            sent_at: m.sent_at,
        });
    }
    let now = now_ms();
    let notes = state
        .db
        .notes()
        .notes(id)
        .await?
        .into_iter()
        .map(|n| Note {
            editable: Some(n.attorney_id) == viewer_id && now - n.created_at < NOTE_EDIT_WINDOW_MS,
            id: n.id,
            author: n.author,
            body: n.body,
            created_at: n.created_at,
            edited_at: n.edited_at,
        })
        .collect();
    Ok(LeadDetail {
        lead: summary,
        resume_size: lead.resume.as_ref().map(|r| r.size),
        resume_sha256: lead.resume.map(|r| r.sha256),
        history,
        emails,
        webhooks,
        notes,
        conflict: state.db.conflicts().conflicts(id).await?,
        answers: answers(state, id).await?,
        can_erase: viewer.is_some_and(|v| v.role == intake_store::Role::Admin),
        viewer: viewer_id,
        follow_up_ms: follow_up_ms(state),
        colleagues: if viewer.is_some() { colleagues(state).await? } else { Vec::new() },
        now_ms: now,
    })
}

/// The lead's answers with the questions of the version it answered.
async fn answers(state: &Services, id: Uuid) -> Result<Option<intake_domain::questions::LeadAnswers>, Error> {
    use intake_domain::questions::{Lang, LeadAnswers};
    let Some(intake) = state.db.leads().intake(id).await? else { return Ok(None) };
    let Some(version) = intake.form_version else { return Ok(None) };
    // Versions are never deleted; the lead's row names one that exists (a foreign key).
    let missing = || Error::Internal(format!("lead {id}: form version {version} or its matter type is missing"));
    let form = state.db.forms().form_version(version).await?.ok_or_else(missing)?.form;
    let matter = match intake.matter_type.as_deref() {
        Some(key) => Some(form.matter_type(key).ok_or_else(missing)?),
        None => None,
    };
    Ok(Some(LeadAnswers {
        matter_type: matter.map(|m| m.name.get(Lang::En).to_owned()),
        form_version: version,
        lang: intake.lang,
        answers: matter.map(|m| m.shown(&intake.answers)).unwrap_or_default(),
        notice: form.notice.is_some(),
        consent_at: intake.consent_at,
    }))
}

/// Marks a lead reached out; a lead already marked is a conflict naming who and when.
pub async fn mark_reached_out(
    state: &Services,
    id: Uuid,
    by: Actor<'_>,
) -> Result<intake_domain::listing::LeadSummary, Error> {
    match state.db.dashboard().mark_reached_out(id, by, now_ms()).await? {
        MarkOutcome::Marked(event) => {
            // Webhook deliveries were queued with the change.
            state.outbox_wake.notify();
            match event.lead {
                Some(row) => Ok(row),
                None => state.db.dashboard().summary(id).await?.ok_or(Error::NotFound("lead")),
            }
        }
        MarkOutcome::AlreadyMarked { by, at } => Err(Error::Conflict(format!(
            "Already marked reached out by {} at {}.",
            by.as_deref().unwrap_or("another attorney"),
            at.map(intake_domain::time::format_utc).unwrap_or_else(|| "an earlier time".into())
        ))),
        MarkOutcome::NotFound => Err(Error::NotFound("lead")),
    }
}

/// Adds `by`'s note to a lead.
pub async fn add_note(state: &Services, lead: Uuid, by: &Attorney, body: &str) -> Result<(), Error> {
    let body = check_note(body).map_err(Error::BadParam)?;
    let max = state.config.leads.max_notes_per_lead;
    let note = NewNote { id: Uuid::now_v7(), lead_id: lead, attorney_id: by.id, body: &body, now: now_ms() };
    if state.db.notes().add_note(&note, max as i64).await? {
        return Ok(());
    }
    match state.db.leads().get(lead).await? {
        Some(_) => {
            Err(Error::Conflict(format!("This lead holds {max} notes, the most it may: correct a recent one instead.")))
        }
        None => Err(Error::NotFound("lead")),
    }
}

/// Changes a note: only its author, and only within [`NOTE_EDIT_WINDOW_MS`] of writing it.
pub async fn edit_note(state: &Services, id: Uuid, by: &Attorney, body: &str) -> Result<(), Error> {
    let body = check_note(body).map_err(Error::BadParam)?;
    let now = now_ms();
    match state.db.notes().edit_note(id, by.id, &body, now, now - NOTE_EDIT_WINDOW_MS).await? {
        NoteEdit::Edited => Ok(()),
        NoteEdit::NotFound => Err(Error::NotFound("note")),
        NoteEdit::NotAuthor => Err(Error::Forbidden("Only the note's author can edit it.")),
        NoteEdit::TooLate => Err(Error::Conflict("A note can be edited for 15 minutes after it is written.".into())),
    }
}
