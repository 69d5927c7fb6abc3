//! `/api/v1/`: the integrator API. Bearer tokens only (see
//! [`crate::server::auth::token`]); the same operations as the dashboard,
//! through the same functions, in a JSON shape of its own that stays stable
//! when the dashboard changes.

use super::resume;
use crate::{
    domain::{
        LeadState,
        dashboard::{EmailStatus, HistoryEntry, LeadFilter, LeadSummary},
    },
    server::{
        auth::token::{TokenCaller, require_token},
        db::{Actor, TokenScope},
        error::Error,
        leads,
        state::AppState,
    },
};
use axum::{
    Extension, Json, Router,
    extract::{Path, Query, State},
    middleware,
    response::Response,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/leads", get(list))
        .route("/api/v1/leads/{id}", get(one))
        .route("/api/v1/leads/{id}/resume", get(resume_file))
        .route("/api/v1/leads/{id}/reached-out", post(reached_out))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token))
}

#[derive(Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    q: Option<String>,
    after: Option<String>,
}

/// One page of leads, newest first.
#[derive(Serialize)]
pub struct LeadList {
    pub leads: Vec<LeadSummary>,
    /// Leads matching the filter on all pages (a search counts up to 1,001).
    pub total: i64,
    /// Pass as `after` for the next (older) page; null on the last page.
    pub next_after: Option<Uuid>,
}

/// Everything about one lead.
#[derive(Serialize)]
pub struct LeadView {
    pub lead: LeadSummary,
    pub resume: ResumeView,
    pub history: Vec<HistoryEntry>,
    pub emails: Vec<EmailStatus>,
}

#[derive(Serialize)]
pub struct ResumeView {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
}

async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Json<LeadList>, Error> {
    let lead_state = match q.state.as_deref() {
        None | Some("") | Some("all") => None,
        Some("pending") => Some(LeadState::Pending),
        Some("reached_out") => Some(LeadState::ReachedOut),
        Some(_) => return Err(Error::BadParam("state must be pending, reached_out or all.".into())),
    };
    let after = match q.after.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Uuid::parse_str(s).map_err(|_| Error::BadParam("after must be a lead id.".into()))?),
    };
    let filter = LeadFilter { state: lead_state, q: q.q.unwrap_or_default(), after, before: None };
    let page = leads::page(&state, &filter).await?;
    Ok(Json(LeadList { leads: page.rows, total: page.total, next_after: page.older }))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<LeadView>, Error> {
    let d = leads::detail(&state, lead_id(&id)?).await?;
    let resume = ResumeView {
        file_name: d.lead.resume_file_name.clone(),
        content_type: d.lead.resume_content_type.clone(),
        size: d.resume_size,
        sha256: d.resume_sha256,
        url: format!("/api/v1/leads/{}/resume", d.lead.id),
    };
    Ok(Json(LeadView { lead: d.lead, resume, history: d.history, emails: d.emails }))
}

async fn resume_file(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Error> {
    resume::serve(&state, lead_id(&id)?, false).await
}

/// Marks a pending lead reached out, as the token's attorney; 409 names who did it first.
async fn reached_out(
    State(state): State<AppState>,
    Extension(caller): Extension<TokenCaller>,
    Path(id): Path<String>,
) -> Result<Json<LeadSummary>, Error> {
    caller.require(TokenScope::Write)?;
    let by = Actor { attorney: &caller.attorney, token: Some(&caller.token) };
    Ok(Json(leads::mark_reached_out(&state, lead_id(&id)?, by).await?))
}

fn lead_id(s: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(s).map_err(|_| Error::NotFound("lead"))
}
