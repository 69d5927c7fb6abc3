//! HTTP routes that are not Leptos pages: the no-JS form post and the JSON API.

mod api;
mod form;

use crate::server::{intake::SubmitError, state::AppState};
use axum::{
    Router,
    body::Body,
    http::{HeaderMap, header},
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", post(form::submit_form))
        .route("/api/leads", post(api::create_lead))
        .route("/healthz", get(|| async { "ok" }))
}

/// Opens a streaming multipart reader over a request body.
pub fn multipart_from(headers: &HeaderMap, body: Body) -> Result<multer::Multipart<'static>, SubmitError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| SubmitError::Malformed("send it as multipart/form-data".into()))?;
    Ok(multer::Multipart::new(body.into_data_stream(), boundary))
}
