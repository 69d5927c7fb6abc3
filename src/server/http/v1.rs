//! `/api/v1/`: the integrator API (routed in [`super::routes`]). Bearer tokens only: every handler takes a
//! [`TokenCaller`] (see [`intake_core::auth::token`]). The same operations
//! as the dashboard, through the same functions, in a JSON shape of its own
//! that stays stable when the dashboard changes.

use super::resume;
use crate::server::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    response::Response,
};
use intake_core::{auth::token::TokenCaller, conflict, error::Error, leads};
use intake_domain::conflict::{ConflictDecision, ConflictStatus, ConflictView, NewParty};
use intake_domain::questions::LeadAnswers;
use intake_domain::{LeadState, filter::LeadFilter, listing::EmailStatus, listing::HistoryEntry, listing::LeadSummary};
use intake_store::{Actor, TokenScope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `pending`, `reached_out` or `all` (the default).
    // A pattern, not an enum: Swagger UI draws enums as a <select> without a label.
    #[param(pattern = "^(pending|reached_out|all)$")]
    state: Option<String>,
    /// Search in names, emails, and short-text and phone answers (up to 100
    /// characters; more is cut). A phone number may be written with spaces,
    /// dashes or brackets: `+34 612 345 678` finds `+34612345678`.
    q: Option<String>,
    /// Only leads whose form address carried this `utm_source` (exact).
    #[param(min_length = 1, max_length = 100)]
    source: Option<String>,
    /// Only leads with this conflict status: `possible` (matches wait for a decision), `conflict`,
    /// `cleared`, `clear` (no match) or `unchecked` (checked moments after arriving).
    #[param(pattern = "^(unchecked|clear|possible|cleared|conflict)$")]
    conflict: Option<String>,
    /// Only leads of this matter type (its key, as in the form and in `matter_type`).
    #[param(pattern = "^[a-z0-9_-]{1,64}$")]
    matter_type: Option<String>,
    /// A lead id from `next_after`: the page of leads older than it.
    #[param(value_type = Option<Uuid>)]
    after: Option<String>,
}

/// One page of leads (50), newest first.
#[derive(Serialize, ToSchema)]
pub struct LeadList {
    pub leads: Vec<LeadSummary>,
    /// Leads matching the filter on all pages (a search counts up to 1,001).
    pub total: i64,
    /// Pass as `after` for the next (older) page; null on the last page.
    pub next_after: Option<Uuid>,
}

/// Everything about one lead.
#[derive(Serialize, ToSchema)]
pub struct LeadView {
    pub lead: LeadSummary,
    /// Null when the prospect sent none (the matter type makes it optional).
    pub resume: Option<ResumeView>,
    /// Oldest first: the submission, then each state change and who made it.
    pub history: Vec<HistoryEntry>,
    /// The confirmation and notification emails and their delivery.
    pub emails: Vec<EmailStatus>,
    /// Webhook deliveries about the lead: `kind` is the event type, `recipients` the endpoint's id
    /// (never its URL, which may hold a credential); `last_error` only says that a delivery failed.
    pub webhooks: Vec<EmailStatus>,
    /// The conflict check: the lead's status and what it matched (decisions are in `history`).
    pub conflicts: ConflictView,
    /// The firm's questions as the prospect was asked them (the form version
    /// they answered), with the answers in words; null for a lead sent while
    /// the firm had no intake form.
    pub answers: Option<LeadAnswers>,
}

/// Parties to add to the firm's list (or to replace it with).
#[derive(Deserialize, ToSchema)]
pub struct PartiesIn {
    pub parties: Vec<PartyIn>,
    /// Replace the whole list: parties not sent are removed (default: add to it).
    #[serde(default)]
    pub replace: bool,
}

/// One party. `name` (or `organisation`) and `role` are required.
#[derive(Deserialize, ToSchema)]
pub struct PartyIn {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub email: String,
    /// `client`, `former_client`, `adverse_party` or `related_party`.
    pub role: String,
    /// The firm's matter reference.
    #[serde(default)]
    pub matter: String,
}

/// What an import did; leads waiting for a decision and pending leads are checked again.
#[derive(Serialize, ToSchema)]
pub struct PartiesOut {
    pub added: u64,
    pub kept: u64,
    pub removed: u64,
    pub rechecks: u64,
}

/// An attorney's decision about a lead's possible conflicts.
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `cleared` or `conflict`.
    pub decision: String,
    /// Why (up to 2,000 characters); kept in the lead's history.
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResumeView {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// Where to download it (with the same token).
    pub url: String,
}

/// An error: one key naming its kind (`BadRequest`, `Unauthorized`,
/// `Forbidden`, `NotFound`, `Conflict`, `RateLimited`) and a readable message.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub message: String,
}

#[utoipa::path(
    get, path = "/api/v1/leads", tag = "integrator API", params(ListQuery),
    security(("token" = [])),
    responses(
        (status = 200, description = "A page of leads", body = LeadList),
        (status = 400, description = "A parameter is wrong; the message names it", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 429, description = "Past the token's rate (`Retry-After` says when)", body = ApiError),
    )
)]
pub async fn list(
    _caller: TokenCaller,
    State(state): State<AppState>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<LeadList>, Error> {
    // axum's own refusal is plain text; this API answers in its JSON.
    let Query(q) = q.map_err(|e| Error::BadParam(format!("The query string could not be read: {}.", e.body_text())))?;
    // Strict, unlike the dashboard's URL: an integration's typo must not list everything.
    let lead_state = match q.state.as_deref() {
        None | Some("all") => None,
        Some("pending") => Some(LeadState::Pending),
        Some("reached_out") => Some(LeadState::ReachedOut),
        Some(_) => return Err(Error::BadParam("state must be pending, reached_out or all.".into())),
    };
    let after = match q.after.as_deref() {
        None => None,
        Some(s) => Some(Uuid::parse_str(s).map_err(|_| Error::BadParam("after must be a lead id.".into()))?),
    };
    let source = match q.source {
        None => None,
        Some(s) if s.is_empty() || s.chars().count() > 100 => {
            return Err(Error::BadParam("source must be 1 to 100 characters.".into()));
        }
        // Cleaned as stored sources are; one that cleans to nothing matches nothing.
        Some(s) => Some(intake_domain::LeadOrigin::clean("", &s, "", "").utm_source.unwrap_or(s)),
    };
    let conflict = match q.conflict.as_deref() {
        None => None,
        Some(c) => Some(ConflictStatus::parse(c).ok_or_else(|| {
            Error::BadParam("conflict must be unchecked, clear, possible, cleared or conflict.".into())
        })?),
    };
    let matter = match q.matter_type.as_deref() {
        None => None,
        Some(m) => Some(intake_domain::filter::matter_key(m).ok_or_else(|| {
            Error::BadParam("matter_type must be a matter type's key: 1 to 64 of a-z, 0-9, - and _.".into())
        })?),
    };
    let filter = LeadFilter {
        state: lead_state,
        q: q.q.unwrap_or_default(),
        source,
        conflict,
        matter,
        after,
        ..LeadFilter::default()
    };
    let page = leads::page(&state, &filter, None).await?;
    Ok(Json(LeadList { leads: page.rows, total: page.total, next_after: page.older }))
}

#[utoipa::path(
    get, path = "/api/v1/leads/{id}", tag = "integrator API",
    params(("id" = Uuid, Path, description = "The lead's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The lead, its resume, history and emails", body = LeadView),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such lead", body = ApiError),
        (status = 429, description = "Past the token's rate", body = ApiError),
    )
)]
pub async fn one(
    _caller: TokenCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<LeadView>, Error> {
    let d = leads::detail(&state, lead_id(&id)?, None).await?;
    let resume =
        match (d.lead.resume_file_name.clone(), d.lead.resume_content_type.clone(), d.resume_size, d.resume_sha256) {
            (Some(file_name), Some(content_type), Some(size), Some(sha256)) => Some(ResumeView {
                file_name,
                content_type,
                size,
                sha256,
                url: format!("/api/v1/leads/{}/resume", d.lead.id),
            }),
            _ => None,
        };
    Ok(Json(LeadView {
        lead: d.lead,
        resume,
        history: d.history,
        emails: d.emails,
        webhooks: d.webhooks,
        conflicts: d.conflict,
        answers: d.answers,
    }))
}

#[utoipa::path(
    get, path = "/api/v1/leads/{id}/resume", tag = "integrator API",
    params(("id" = Uuid, Path, description = "The lead's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The file, as an attachment, with its detected type",
         content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such lead, or it has no resume", body = ApiError),
        (status = 429, description = "Past the token's rate", body = ApiError),
    )
)]
pub async fn resume_file(
    _caller: TokenCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    resume::serve(&state, lead_id(&id)?, false).await
}

#[utoipa::path(
    get, path = "/api/v1/leads/{id}/documents/{question}", tag = "integrator API",
    params(
        ("id" = Uuid, Path, description = "The lead's id"),
        ("question" = String, Path, description = "The document question's key (`answers.answers[].document`)"),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The file the prospect sent for that question, as an attachment, with its detected type",
         content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 404, description = "No such lead, or no file for that question", body = ApiError),
        (status = 429, description = "Past the token's rate", body = ApiError),
    )
)]
pub async fn document_file(
    _caller: TokenCaller,
    State(state): State<AppState>,
    Path((id, question)): Path<(String, String)>,
) -> Result<Response, Error> {
    resume::serve_document(&state, lead_id(&id)?, &question, false).await
}

/// Marks a pending lead reached out, as the token's attorney; 409 names who did it first.
#[utoipa::path(
    post, path = "/api/v1/leads/{id}/reached-out", tag = "integrator API",
    params(("id" = Uuid, Path, description = "The lead's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Marked; the lead's row", body = LeadSummary),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "A read-only token", body = ApiError),
        (status = 404, description = "No such lead", body = ApiError),
        (status = 409, description = "Already marked; the message names who and when", body = ApiError),
        (status = 429, description = "Past the token's rate", body = ApiError),
    )
)]
pub async fn reached_out(
    caller: TokenCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<LeadSummary>, Error> {
    caller.require(TokenScope::Write)?;
    let by = Actor { attorney: &caller.attorney, token: Some(&caller.token) };
    Ok(Json(leads::mark_reached_out(&state, lead_id(&id)?, by).await?))
}

/// Adds parties to the firm's conflict list (or replaces it); one wrong party refuses them all.
#[utoipa::path(
    post, path = "/api/v1/parties", tag = "integrator API", request_body = PartiesIn,
    security(("token" = [])),
    responses(
        (status = 200, description = "Imported", body = PartiesOut),
        (status = 400, description = "A party is wrong; the message names it, its field and why", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "A read-only token", body = ApiError),
        (status = 413, description = "Over `INTAKE_MAX_PARTIES_BYTES`", body = ApiError),
        (status = 429, description = "Past the token's rate", body = ApiError),
    )
)]
pub async fn parties(
    caller: TokenCaller,
    State(state): State<AppState>,
    body: Result<Json<PartiesIn>, JsonRejection>,
) -> Result<Json<PartiesOut>, Error> {
    caller.require(TokenScope::Write)?;
    let Json(body) = body.map_err(|e| match e.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => Error::BodyTooLarge,
        _ => Error::BadParam(format!("The body could not be read: {}.", e.body_text())),
    })?;
    let parties = body
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            NewParty::parse(&p.name, &p.organisation, &p.email, &p.role, &p.matter)
                .map_err(|e| Error::BadParam(format!("parties[{i}].{e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let done = conflict::import(&state, parties, body.replace).await?;
    Ok(Json(PartiesOut { added: done.added, kept: done.kept, removed: done.removed, rechecks: done.rechecks }))
}

/// Records a decision about a lead's possible conflicts, as the token's attorney.
#[utoipa::path(
    post, path = "/api/v1/leads/{id}/conflict", tag = "integrator API", request_body = DecisionIn,
    params(("id" = Uuid, Path, description = "The lead's id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "Recorded; the lead's conflict check", body = ConflictView),
        (status = 400, description = "A wrong decision or a note too long", body = ApiError),
        (status = 401, description = "No valid token", body = ApiError),
        (status = 403, description = "A read-only token", body = ApiError),
        (status = 404, description = "No such lead", body = ApiError),
        (status = 429, description = "Past the token's rate", body = ApiError),
    )
)]
pub async fn decide(
    caller: TokenCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<DecisionIn>, JsonRejection>,
) -> Result<Json<ConflictView>, Error> {
    caller.require(TokenScope::Write)?;
    let Json(body) = body.map_err(|e| Error::BadParam(format!("The body could not be read: {}.", e.body_text())))?;
    let decision = ConflictDecision::parse(&body.decision)
        .ok_or_else(|| Error::BadParam("decision must be cleared or conflict.".into()))?;
    let lead = lead_id(&id)?;
    let by = Actor { attorney: &caller.attorney, token: Some(&caller.token) };
    conflict::decide(&state, lead, decision, &body.note, by).await?;
    Ok(Json(state.db.conflicts().conflicts(lead).await?))
}

fn lead_id(s: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(s).map_err(|_| Error::NotFound("lead"))
}
