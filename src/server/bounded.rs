//! Every request body is bounded in size, in idle time and, for the public
//! submissions, in shape: a client cannot make the server buffer or wait
//! without limit. Applied in front of all routes (see `startup::router`).

use crate::server::{error::Error, state::AppState};
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
use memchr::memmem;
use tower_http::timeout::TimeoutBody;

/// Bytes a submission may carry beyond the resume: the text fields and the
/// multipart framing, with room to spare.
pub const SUBMIT_ALLOWANCE: u64 = 256 * 1024;
/// Defaults: the first boundary must come within this many bytes (browsers
/// send none before it), and a part's headers must end within the next.
pub const MAX_PREAMBLE: usize = 1024;
/// A refused submission's body up to this size is read (and dropped) first.
const DRAIN_BEFORE_REFUSING: u64 = 1024 * 1024;
pub const MAX_PART_HEADERS: usize = 8 * 1024;

/// Why a body was cut off; found again in the error chain by [`refusal_in`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyRefusal {
    #[error("the form's first boundary does not come at its start")]
    NoEarlyBoundary,
    #[error("a part's headers are too long")]
    PartHeadersTooLong,
}

/// The routes anyone may post a resume to.
pub fn is_submission(path: &str) -> bool {
    matches!(path, "/" | "/api/leads" | "/api/submit_lead")
}

pub async fn bound_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let submission = is_submission(req.uri().path()) && req.method() == axum::http::Method::POST;
    let limit = if submission { state.config.max_resume_bytes + SUBMIT_ALLOWANCE } else { state.config.max_body_bytes };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    // The no-JS form (`/`) answers with a page, so it reads up to the limit and lets the handler refuse.
    if declared.is_some_and(|n| n > limit) && req.uri().path() != "/" {
        let mut res = if submission {
            Error::TooLarge { limit: state.config.max_resume_bytes }.into_response()
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
        match state.limits.upload_within(state.config.upload_wait).await {
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
    let idle = state.config.body_idle_timeout;
    let (parts, body) = req.into_parts();
    let body = match multipart_boundary(&parts.headers).filter(|_| submission) {
        Some(boundary) => {
            let mut guard =
                MultipartGuard::new(&boundary).with_limits(state.config.max_preamble, state.config.max_part_headers);
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

/// Whether an error from reading a body (as multer or an extractor reports
/// it) was one of our bounds, and which.
pub fn refusal_in(err: &(dyn std::error::Error + 'static)) -> Option<Cut> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<http_body_util::LengthLimitError>() {
            return Some(Cut::TooLarge);
        }
        if e.is::<tower_http::timeout::TimeoutError>() {
            return Some(Cut::Stalled);
        }
        if let Some(r) = e.downcast_ref::<BodyRefusal>() {
            return Some(Cut::Shape(r.to_string()));
        }
        cur = e.source();
    }
    None
}

/// A bound that cut a body off.
#[derive(Debug, PartialEq, Eq)]
pub enum Cut {
    TooLarge,
    Stalled,
    Shape(String),
}

/// Follows a multipart body just far enough to bound what a parser would
/// buffer: the preamble before the first boundary and each part's headers.
/// Part contents pass through unexamined (they are streamed, not buffered).
pub struct MultipartGuard {
    /// `--boundary`.
    delimiter: Vec<u8>,
    /// `\r\n--boundary`.
    between: Vec<u8>,
    state: Section,
    max_preamble: usize,
    max_part_headers: usize,
    /// Absolute offset of `carry[0]` and where the current section began.
    offset: usize,
    section_start: usize,
    /// The tail of the last chunk, so patterns split across chunks are found.
    carry: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Preamble,
    Headers,
    Content,
}

impl MultipartGuard {
    pub fn new(boundary: &str) -> Self {
        let delimiter = [b"--", boundary.as_bytes()].concat();
        let between = [b"\r\n", delimiter.as_slice()].concat();
        Self {
            delimiter,
            between,
            state: Section::Preamble,
            max_preamble: MAX_PREAMBLE,
            max_part_headers: MAX_PART_HEADERS,
            offset: 0,
            section_start: 0,
            carry: Vec::new(),
        }
    }

    pub fn with_limits(mut self, max_preamble: usize, max_part_headers: usize) -> Self {
        self.max_preamble = max_preamble;
        self.max_part_headers = max_part_headers;
        self
    }

    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), BodyRefusal> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(chunk);
        let mut pos = 0;
        loop {
            let (pattern, limit, refusal): (&[u8], usize, BodyRefusal) = match self.state {
                Section::Preamble => (&self.delimiter, self.max_preamble, BodyRefusal::NoEarlyBoundary),
                Section::Headers => (b"\r\n\r\n", self.max_part_headers, BodyRefusal::PartHeadersTooLong),
                Section::Content => (&self.between, usize::MAX, BodyRefusal::PartHeadersTooLong),
            };
            match memmem::find(&buf[pos..], pattern) {
                Some(i) => {
                    let end = pos + i + pattern.len();
                    if self.offset + pos + i - self.section_start > limit {
                        return Err(refusal);
                    }
                    self.state = match self.state {
                        Section::Preamble | Section::Content => Section::Headers,
                        Section::Headers => Section::Content,
                    };
                    self.section_start = self.offset + end;
                    pos = end;
                }
                None => {
                    if self.offset + buf.len() - self.section_start > limit.saturating_add(pattern.len()) {
                        return Err(refusal);
                    }
                    // Keep what could be the start of a pattern split across chunks.
                    let keep_from = buf.len().saturating_sub(pattern.len().max(self.between.len())).max(pos);
                    self.offset += keep_from;
                    self.carry = buf.split_off(keep_from);
                    return Ok(());
                }
            }
        }
    }
}

/// The multipart boundary a request declares, if it is a multipart form.
pub fn multipart_boundary(headers: &axum::http::HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(content_type).ok()
}

/// Opens a streaming multipart reader over a request body.
pub fn multipart_from(headers: &axum::http::HeaderMap, body: Body) -> Result<multer::Multipart<'static>, Error> {
    let boundary =
        multipart_boundary(headers).ok_or_else(|| Error::Malformed("send it as multipart/form-data".into()))?;
    Ok(multer::Multipart::new(body.into_data_stream(), boundary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut b = Vec::new();
        for (name, value) in parts {
            b.extend_from_slice(
                format!("--XYZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        b.extend_from_slice(b"--XYZ--\r\n");
        b
    }

    fn feed_in(chunk: usize, data: &[u8]) -> Result<(), BodyRefusal> {
        let mut g = MultipartGuard::new("XYZ");
        data.chunks(chunk).try_for_each(|c| g.feed(c))
    }

    #[test]
    fn a_normal_form_passes_in_any_chunking() {
        let big = "x".repeat(100_000);
        let data = body(&[("first_name", "Ada"), ("resume", &big), ("email", "a@b.co")]);
        for chunk in [1, 2, 3, 7, 64, 4096, data.len()] {
            assert_eq!(feed_in(chunk, &data), Ok(()), "chunks of {chunk}");
        }
    }

    #[test]
    fn a_boundary_that_never_comes_is_refused_early() {
        let data = vec![0u8; 10_000];
        assert_eq!(feed_in(997, &data), Err(BodyRefusal::NoEarlyBoundary));
        let mut g = MultipartGuard::new("XYZ");
        let mut fed = 0;
        while g.feed(&[0u8; 100]).is_ok() {
            fed += 100;
        }
        assert!(fed <= MAX_PREAMBLE + 100, "refused after {fed} bytes");
    }

    #[test]
    fn endless_part_headers_are_refused() {
        let mut data = b"--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ".to_vec();
        data.extend(std::iter::repeat_n(b'a', 20_000));
        assert_eq!(feed_in(1000, &data), Err(BodyRefusal::PartHeadersTooLong));
    }
}
