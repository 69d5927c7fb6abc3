//! The firm's intake form, edited by administrators on `/admin/form`.

use crate::api::error::AppError;
use intake_domain::questions::IntakeForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::server::respond::Respond;

/// The form as saved, and its version (`None`: none saved yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    pub version: Option<i64>,
    pub form: IntakeForm,
}

/// The current form, for the editor (administrators).
#[server(prefix = "/api/internal", endpoint = "intake_form")]
pub async fn get_intake_form() -> Result<FormDraft, AppError> {
    crate::server::http::caller::require_admin().await?;
    let state = super::leads::app_state()?;
    let (version, form) = intake_core::forms::current(&state.db).await.map_err(Respond::into_app_error)?;
    Ok(FormDraft { version, form })
}

/// Saves the edited form as the next version, if `after` is still the newest
/// (administrators). Returns the new version.
#[server(prefix = "/api/internal", endpoint = "save_intake_form", input = Json)]
pub async fn save_intake_form(form: IntakeForm, after: Option<i64>) -> Result<i64, AppError> {
    let admin = crate::server::http::caller::require_admin().await?;
    let state = super::leads::app_state()?;
    intake_core::forms::save(&state.db, form, after, admin.id).await.map_err(Respond::into_app_error)
}
