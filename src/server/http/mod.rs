//! HTTP routes that are not Leptos pages or server functions: the no-JS
//! form post, the JSON API, login/logout, the live stream, resume downloads.

mod api;
mod auth;
mod form;
mod live;
mod resume;
pub mod security;
pub mod v1;

use crate::{app::shell, server::state::AppState};
use axum::{
    Router,
    body::Body,
    extract::Request,
    http::{Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};

/// Every internal endpoint, for the test that proves each refuses anonymous
/// callers. Internal routes live under `/leads` or `/api/internal/`, where the
/// guard ([`crate::server::auth::guard`]) requires a session.
pub const INTERNAL_ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/leads"),
    ("GET", "/leads/00000000-0000-7000-8000-000000000000"),
    ("GET", "/leads/00000000-0000-7000-8000-000000000000/resume"),
    ("GET", "/api/internal/events"),
    ("POST", "/api/internal/leads"),
    ("POST", "/api/internal/lead"),
    ("POST", "/api/internal/mark_reached_out"),
    ("POST", "/api/internal/me"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", post(form::submit_form))
        .route("/api/leads", post(api::create_lead))
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/api/internal/events", get(live::events))
        .route("/leads/{id}/resume", get(resume::download))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

/// `GET /readyz`: `200` when the database answers and resumes can be
/// stored, else `503` naming what failed; each check is bounded in time.
async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    use std::time::Duration;
    const LIMIT: Duration = Duration::from_secs(3);
    let db = match tokio::time::timeout(LIMIT, state.db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 3 s".to_owned()),
    };
    let storage = match tokio::time::timeout(LIMIT, state.resumes.check()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 3 s".to_owned()),
    };
    let status = if db.is_ok() && storage.is_ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let show = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            "failing".to_owned()
        }
    };
    // What failed, not why: details may name hosts and paths, and this route is public.
    let body = serde_json::json!({ "database": show(&db), "storage": show(&storage) });
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

/// Renders the page at `parts.uri` (as a GET) with extra context, for replies to plain form posts.
pub async fn render_page(
    state: &AppState,
    parts: &Parts,
    status: StatusCode,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let mut req = Request::new(Body::empty());
    *req.method_mut() = Method::GET;
    *req.uri_mut() = parts.uri.clone();
    *req.headers_mut() = parts.headers.clone();
    req.headers_mut().remove(header::CONTENT_TYPE);
    req.headers_mut().remove(header::CONTENT_LENGTH);
    *req.extensions_mut() = parts.extensions.clone();
    let options = state.leptos_options.clone();
    let app_state = state.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            security::provide_page_nonce();
            leptos::prelude::provide_context(app_state.clone());
            context();
        },
        move || shell(options.clone()),
    );
    let mut res = render(req).await.into_response();
    *res.status_mut() = status;
    res
}
