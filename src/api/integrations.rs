//! Administrators' server functions (`/admin`): each requires the admin role.

use crate::api::error::AppError;
use intake_domain::{integrations::Created, integrations::Integrations};
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::server::respond::Respond;

/// API tokens and webhook endpoints.
#[server(prefix = "/api/internal", endpoint = "integrations")]
pub async fn get_integrations() -> Result<Integrations, AppError> {
    crate::server::http::caller::require_admin().await?;
    intake_core::integrations::integrations(&super::leads::services()?).await.map_err(Respond::into_app_error)
}

/// A new API token acting as the signed-in admin; its secret is returned once.
#[server(prefix = "/api/internal", endpoint = "create_token")]
pub async fn create_token(name: String, scope: String) -> Result<Created, AppError> {
    let admin = crate::server::http::caller::require_fresh_admin().await?;
    intake_core::integrations::create_token(&super::leads::services()?, &admin, &name, &scope)
        .await
        .map_err(Respond::into_app_error)
}

#[server(prefix = "/api/internal", endpoint = "revoke_token")]
pub async fn revoke_token(id: Uuid) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_admin().await?;
    intake_core::integrations::revoke_token(&super::leads::services()?, &admin, id)
        .await
        .map_err(Respond::into_app_error)
}

/// A new webhook endpoint; its signing secret is returned once.
#[server(prefix = "/api/internal", endpoint = "add_webhook")]
pub async fn add_webhook(url: String) -> Result<Created, AppError> {
    let admin = crate::server::http::caller::require_fresh_admin().await?;
    intake_core::integrations::add_webhook(&super::leads::services()?, &admin, &url)
        .await
        .map_err(Respond::into_app_error)
}

#[server(prefix = "/api/internal", endpoint = "remove_webhook")]
pub async fn remove_webhook(id: Uuid) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_admin().await?;
    intake_core::integrations::remove_webhook(&super::leads::services()?, &admin, id)
        .await
        .map_err(Respond::into_app_error)
}

/// Erases a lead for good (administrators): its personal data, resume, notes,
/// history and emails; a tombstone with `reason` (one of the list) and an
/// optional `reference` stays in the audit trail.
#[server(prefix = "/api/internal", endpoint = "erase_lead")]
pub async fn erase_lead(id: Uuid, reason: String, reference: Option<String>) -> Result<(), AppError> {
    let admin = crate::server::http::caller::require_fresh_admin().await?;
    let reference = reference.unwrap_or_default();
    intake_core::erasure::erase(&super::leads::services()?, id, &admin, &reason, &reference)
        .await
        .map_err(Respond::into_app_error)
}
