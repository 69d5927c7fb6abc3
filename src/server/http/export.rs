//! `GET /leads/export.csv?state=…&q=…&source=…&matter=…`: the dashboard's view as CSV, for a signed-in attorney.

use crate::{server::http::caller::CurrentAttorney, server::state::AppState};
use axum::{
    Extension,
    body::Body,
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use intake_core::{error::Error, export, limits::StreamRefusal};
use intake_domain::{filter::LeadFilter, time::iso_utc};
use intake_store::now_ms;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ExportQuery {
    state: Option<String>,
    q: Option<String>,
    source: Option<String>,
    owner: Option<String>,
    conflict: Option<String>,
    matter: Option<String>,
}

pub async fn leads_csv(
    State(state): State<AppState>,
    Extension(CurrentAttorney(viewer)): Extension<CurrentAttorney>,
    Query(q): Query<ExportQuery>,
) -> Response {
    // Each export reads the whole view: a few at once, one per account, or 429/503 with Retry-After.
    let slot = match state.limits.export(viewer.id) {
        Ok(slot) => slot,
        Err(StreamRefusal::Full) => {
            return Error::Busy { retry_after: std::time::Duration::from_secs(10) }.into_response();
        }
        Err(StreamRefusal::SessionFull) => return Error::ExportRunning.into_response(),
    };
    let filter = LeadFilter::from_query(|k| match k {
        "state" => q.state.as_deref(),
        "q" => q.q.as_deref(),
        "source" => q.source.as_deref(),
        "owner" => q.owner.as_deref(),
        "conflict" => q.conflict.as_deref(),
        "matter" => q.matter.as_deref(),
        _ => None,
    });
    let day = &iso_utc(now_ms())[..10];
    let mut res = Response::new(Body::from_stream(export::leads_csv(state.services.clone(), filter, viewer.id, slot)));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"leads-{day}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
