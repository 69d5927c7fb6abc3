//! Every request body is bounded in size, in idle time and, for the public
//! submissions, in shape: a client cannot make the server buffer or wait
//! without limit. Applied in front of all routes (see `startup::router`).

use crate::server::state::AppState;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures::StreamExt;
use http_body_util::Limited;
use intake_core::{
    error::Error,
    multipart::{MultipartGuard, multipart_boundary, submission_limit},
};
use tower_http::timeout::TimeoutBody;

/// A refused submission's body up to this size is read (and dropped) first.
const DRAIN_BEFORE_REFUSING: u64 = 1024 * 1024;
/// The routes anyone may post a resume to.
pub fn is_submission(path: &str) -> bool {
    matches!(path, "/" | "/api/leads" | "/api/submit_lead")
}

/// The routes a parties list is posted to (signed in, or with a token: checked before the body is read).
pub fn is_parties_list(path: &str) -> bool {
    matches!(path, "/api/v1/parties" | "/admin/parties")
}

pub async fn bound_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let submission = is_submission(req.uri().path()) && req.method() == axum::http::Method::POST;
    let limit = if submission {
        submission_limit(state.config.intake.max_resume_bytes)
    } else if is_parties_list(req.uri().path()) {
        state.config.leads.max_parties_bytes
    } else {
        state.config.http.max_body_bytes
    };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    // The no-JS form (`/`) answers with a page, so it reads up to the limit and lets the handler refuse.
    if declared.is_some_and(|n| n > limit) && req.uri().path() != "/" {
        let mut res = if submission {
            Error::TooLarge { limit: state.config.intake.max_resume_bytes, question: None }.into_response()
        } else {
            Error::BodyTooLarge.into_response()
        };
        // The body was not read: the connection cannot carry another request.
        res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return res;
    }
    // Submissions stream to disk and are checked as they arrive; a cap keeps
    // a flood from holding every file descriptor and blocking thread.
    let _slot = if submission {
        match state.limits.upload_within(state.config.intake.upload_wait).await {
            Some(slot) => Some(slot),
            None => {
                // Read and drop a small body first, so the client gets this
                // answer (a browser shows our message) instead of a reset.
                if declared.is_some_and(|n| n <= DRAIN_BEFORE_REFUSING) {
                    let mut body = req.into_body().into_data_stream();
                    let drain = async { while let Some(Ok(_)) = body.next().await {} };
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
                }
                return Error::Busy { retry_after: std::time::Duration::from_secs(2) }.into_response();
            }
        }
    } else {
        None
    };
    let idle = state.config.http.body_idle_timeout;
    let (parts, body) = req.into_parts();
    let body = match multipart_boundary(&parts.headers).filter(|_| submission) {
        Some(boundary) => {
            let mut guard = MultipartGuard::new(&boundary)
                .with_limits(state.config.intake.max_preamble, state.config.intake.max_part_headers);
            let checked = body.into_data_stream().map(move |chunk| {
                let chunk = chunk.map_err(axum::BoxError::from)?;
                guard.feed(&chunk)?;
                Ok::<Bytes, axum::BoxError>(chunk)
            });
            Body::from_stream(checked)
        }
        None => body,
    };
    let body = Body::new(Limited::new(TimeoutBody::new(idle, body), limit as usize));
    next.run(Request::from_parts(parts, body)).await
}
