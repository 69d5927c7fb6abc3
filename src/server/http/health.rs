//! Probes: `/healthz` (the process serves) and `/readyz` (it can do its work).

use crate::server::state::AppState;
use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// Liveness: `200 ok` while the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "`ok`")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: `200` when the database answers and resumes can be
/// stored, else `503` naming what failed; each check is bounded in time.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "`{\"database\": \"ok\", \"storage\": \"ok\"}`"),
        (status = 503, description = "The failing part is `\"failing\"` (the cause is logged)"),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
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
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
