//! Who is calling: the signed-in attorney of a server function, the token of
//! an integrator API call.

use crate::{
    api::error::AppError,
    server::{respond::Respond, state::AppState},
};
use axum::{
    Extension,
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use intake_core::{
    auth::token::{TokenCaller, authenticate},
    error::Error,
};
use intake_store::Attorney;

/// The attorney behind the current request, put in the request by [`guard`].
#[derive(Clone, Debug)]
pub struct CurrentAttorney(pub Attorney);

/// For server functions: the signed-in attorney, or `Unauthorized` (401).
pub async fn require_attorney() -> Result<Attorney, AppError> {
    match leptos_axum::extract::<Extension<CurrentAttorney>>().await {
        Ok(Extension(CurrentAttorney(a))) => Ok(a),
        Err(_) => Err(Error::Unauthorized.into_app_error()),
    }
}

/// For server functions an administrator may call: the signed-in admin,
/// `Unauthorized` (401) without a session, `Forbidden` (403) for an attorney.
pub async fn require_admin() -> Result<Attorney, AppError> {
    let a = require_attorney().await?;
    match a.role {
        intake_store::Role::Admin => Ok(a),
        intake_store::Role::Attorney => Err(Error::Forbidden(
            "Only administrators can do this: manage integrations, erase leads. Ask one to change your role.",
        )
        .into_app_error()),
    }
}

/// For a dangerous action (erasing a lead, a new token or webhook, inviting,
/// disabling or resetting a colleague): the signed-in admin, whose second
/// factor, if they have one, was proved recently (`ProofNeeded`, 403, otherwise).
pub async fn require_fresh_admin() -> Result<Attorney, AppError> {
    let admin = require_admin().await?;
    let state = leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| AppError::Unavailable("Server state is missing.".into()))?;
    let session =
        leptos_axum::extract::<tower_sessions::Session>().await.map_err(|_| Error::Unauthorized.into_app_error())?;
    intake_core::auth::fresh::require(&state, &session, &admin).await.map_err(Respond::into_app_error)?;
    Ok(admin)
}

/// Every `/api/v1/` handler takes a [`TokenCaller`]: no token, no call.
impl FromRequestParts<AppState> for TokenCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        authenticate(state, authorization).await
    }
}
