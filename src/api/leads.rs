//! The attorneys' server functions. Each checks the session itself, on top of
//! the guard in front of `/api/internal/`.

use crate::domain::dashboard::{AppError, LeadDetail, LeadFilter, LeadPage, LeadSummary, Me};
use leptos::prelude::*;
use uuid::Uuid;

/// A page of leads for the dashboard.
#[server(prefix = "/api/internal", endpoint = "leads")]
pub async fn list_leads(filter: LeadFilter) -> Result<LeadPage, AppError> {
    let _attorney = crate::server::auth::require_attorney().await?;
    let state = app_state()?;
    crate::server::leads::page(&state, &filter).await.map_err(crate::server::error::Error::into_app_error)
}

/// Everything about one lead.
#[server(prefix = "/api/internal", endpoint = "lead")]
pub async fn get_lead(id: Uuid) -> Result<LeadDetail, AppError> {
    let _attorney = crate::server::auth::require_attorney().await?;
    let state = app_state()?;
    crate::server::leads::detail(&state, id).await.map_err(crate::server::error::Error::into_app_error)
}

/// Marks a pending lead as reached out by the signed-in attorney.
#[server(prefix = "/api/internal", endpoint = "mark_reached_out")]
pub async fn mark_reached_out(id: Uuid) -> Result<LeadSummary, AppError> {
    let attorney = crate::server::auth::require_attorney().await?;
    let state = app_state()?;
    crate::server::leads::mark_reached_out(&state, id, crate::server::db::Actor { attorney: &attorney, token: None })
        .await
        .map_err(crate::server::error::Error::into_app_error)
}

/// The signed-in attorney.
#[server(prefix = "/api/internal", endpoint = "me")]
pub async fn current_attorney() -> Result<Me, AppError> {
    let a = crate::server::auth::require_attorney().await?;
    Ok(Me { email: a.email, display_name: a.display_name })
}

#[cfg(feature = "ssr")]
fn app_state() -> Result<crate::server::state::AppState, AppError> {
    use_context::<crate::server::state::AppState>()
        .ok_or_else(|| AppError::Unavailable("Server state is missing.".into()))
}
