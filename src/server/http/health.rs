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
    let (database, storage) = tokio::join!(probe("database", state.db.ping()), probe("storage", state.resumes.check()));
    let status = if database == "ok" && storage == "ok" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    // What failed, not why: details may name hosts and paths, and this route is public.
    let body = serde_json::json!({ "database": database, "storage": storage });
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `"ok"`, or `"failing"` with the cause logged; no answer within 3 s is failing.
async fn probe<E: std::fmt::Display>(part: &'static str, check: impl Future<Output = Result<(), E>>) -> &'static str {
    match tokio::time::timeout(std::time::Duration::from_secs(3), check).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(part, error = %e, "not ready");
            "failing"
        }
        Err(_) => {
            tracing::warn!(part, "not ready: no answer within 3 s");
            "failing"
        }
    }
}
