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

/// Every `/api/v1/` handler takes a [`TokenCaller`]: no token, no call.
impl FromRequestParts<AppState> for TokenCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        authenticate(state, authorization).await
    }
}
