//! The attorneys' server functions. Each checks the session itself, on top of
//! the guard in front of `/api/internal/`.

use crate::api::error::AppError;
use intake_domain::{
    filter::LeadFilter, listing::Assignee, listing::FilterChoices, listing::LeadDetail, listing::LeadPage,
    listing::LeadSummary, listing::Me, listing::MyCounts,
};
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::server::respond::Respond;

/// A page of leads for the dashboard.
#[server(prefix = "/api/internal", endpoint = "leads")]
pub async fn list_leads(filter: LeadFilter) -> Result<LeadPage, AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    let state = app_state()?;
    intake_core::leads::page(&state, &filter, Some(attorney.id))
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// The header's numbers: the signed-in attorney's pending leads, and the overdue ones.
#[server(prefix = "/api/internal", endpoint = "my_counts")]
pub async fn header_counts() -> Result<MyCounts, AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    intake_core::leads::counts(&services()?, attorney.id).await.map_err(crate::server::respond::Respond::into_app_error)
}

/// The colleagues a lead can be assigned to.
#[server(prefix = "/api/internal", endpoint = "colleagues")]
pub async fn colleagues() -> Result<Vec<Assignee>, AppError> {
    let _attorney = crate::server::http::caller::require_attorney().await?;
    intake_core::leads::colleagues(&services()?).await.map_err(crate::server::respond::Respond::into_app_error)
}

/// Assigns a lead to an attorney (`to` empty: to nobody), if it is still
/// held by `expected` (empty: nobody), as the page showed it. Plain strings,
/// as an HTML form sends them.
#[server(prefix = "/api/internal", endpoint = "assign")]
pub async fn assign_lead(id: Uuid, to: String, expected: String) -> Result<LeadSummary, AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    let state = app_state()?;
    let parse = |field: &str, v: &str| match v.trim() {
        "" => Ok(None),
        v => Uuid::parse_str(v).map(Some).map_err(|_| {
            intake_core::error::Error::BadParam(format!("{field}: not an attorney's id.")).into_app_error()
        }),
    };
    let (to, expected) = (parse("Assign to", &to)?, parse("Expected", &expected)?);
    let by = intake_store::Actor { attorney: &attorney, token: None };
    intake_core::leads::assign(&state, id, to, expected, by)
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// What the dashboard's filters offer: lead sources (`utm_source`) and matter types.
#[server(prefix = "/api/internal", endpoint = "filter_choices")]
pub async fn view_choices() -> Result<FilterChoices, AppError> {
    let _attorney = crate::server::http::caller::require_attorney().await?;
    intake_core::leads::filter_choices(&services()?).await.map_err(crate::server::respond::Respond::into_app_error)
}

/// Everything about one lead.
#[server(prefix = "/api/internal", endpoint = "lead")]
pub async fn get_lead(id: Uuid) -> Result<LeadDetail, AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    let state = app_state()?;
    intake_core::leads::detail(&state, id, Some(&attorney))
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// Adds a note to a lead, as the signed-in attorney.
#[server(prefix = "/api/internal", endpoint = "add_note")]
pub async fn add_note(lead: Uuid, body: String) -> Result<(), AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    intake_core::leads::add_note(&services()?, lead, &attorney, &body)
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// Edits one of the signed-in attorney's own recent notes.
#[server(prefix = "/api/internal", endpoint = "edit_note")]
pub async fn edit_note(id: Uuid, body: String) -> Result<(), AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    intake_core::leads::edit_note(&services()?, id, &attorney, &body)
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// Records the signed-in attorney's decision about a lead's possible conflicts.
#[server(prefix = "/api/internal", endpoint = "decide_conflict")]
pub async fn decide_conflict(lead: Uuid, decision: String, note: String) -> Result<(), AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    let decision = intake_domain::conflict::ConflictDecision::parse(&decision)
        .ok_or_else(|| AppError::Invalid("Choose \"No conflict\" or \"Conflict\".".into()))?;
    let by = intake_store::Actor { attorney: &attorney, token: None };
    intake_core::conflict::decide(&services()?, lead, decision, &note, by)
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// The firm's parties list (administrators).
#[server(prefix = "/api/internal", endpoint = "parties")]
pub async fn get_parties() -> Result<intake_domain::conflict::PartiesView, AppError> {
    crate::server::http::caller::require_admin().await?;
    intake_core::conflict::view(&services()?).await.map_err(crate::server::respond::Respond::into_app_error)
}

/// Marks a pending lead as reached out by the signed-in attorney.
#[server(prefix = "/api/internal", endpoint = "mark_reached_out")]
pub async fn mark_reached_out(id: Uuid) -> Result<LeadSummary, AppError> {
    let attorney = crate::server::http::caller::require_attorney().await?;
    let state = app_state()?;
    intake_core::leads::mark_reached_out(&state, id, intake_store::Actor { attorney: &attorney, token: None })
        .await
        .map_err(crate::server::respond::Respond::into_app_error)
}

/// The signed-in attorney.
#[server(prefix = "/api/internal", endpoint = "me")]
pub async fn current_attorney() -> Result<Me, AppError> {
    let a = crate::server::http::caller::require_attorney().await?;
    let admin = a.role == intake_store::Role::Admin;
    Ok(Me { email: a.email, display_name: a.display_name, admin, id: a.id })
}

/// The use cases' services, for a server function.
#[cfg(feature = "ssr")]
pub(super) fn services() -> Result<intake_core::services::Services, AppError> {
    app_state().map(|s| s.services)
}

#[cfg(feature = "ssr")]
pub(super) fn app_state() -> Result<crate::server::state::AppState, AppError> {
    use_context::<crate::server::state::AppState>()
        .ok_or_else(|| AppError::Unavailable("Server state is missing.".into()))
}
