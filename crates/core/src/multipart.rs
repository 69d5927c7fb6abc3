//! A submission's multipart body, bounded in shape as it streams: the
//! preamble and each part's headers are cut off past their limits, so a
//! parser never buffers without limit (the HTTP host applies it in front of
//! the submission routes, with the size and idle-time bounds).

use crate::error::Error;
use axum::{body::Body, http::header};
use memchr::memmem;

/// Bytes a submission may carry beyond the resume: the text fields and the
/// multipart framing, with room to spare.
pub const SUBMIT_ALLOWANCE: u64 = 256 * 1024;

/// A submission's whole body, at most: the resume and each document question's
/// file may each be as large as the resume limit, plus the text fields.
/// Each file is held to its own limit as it streams; this bound only cuts a
/// body off that could never be valid.
pub fn submission_limit(max_file_bytes: u64) -> u64 {
    max_file_bytes.saturating_mul(1 + intake_domain::questions::MAX_DOCUMENTS as u64).saturating_add(SUBMIT_ALLOWANCE)
}
/// Defaults: the first boundary must come within this many bytes (browsers
/// send none before it), and a part's headers must end within the next.
pub const MAX_PREAMBLE: usize = 1024;
pub const MAX_PART_HEADERS: usize = 8 * 1024;

/// Why a body was cut off; found again in the error chain by [`refusal_in`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyRefusal {
    #[error("the form's first boundary does not come at its start")]
    NoEarlyBoundary,
    #[error("a part's headers are too long")]
    PartHeadersTooLong,
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
