//! `GET /leads/{id}/resume`: streams a lead's resume to a signed-in attorney
//! (and, through [`serve`], to an integrator's token).

use crate::server::state::AppState;
use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{HeaderValue, header},
    response::Response,
};
use intake_core::error::Error;
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    inline: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, Error> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound("lead"))?;
    serve(&state, id, q.inline.is_some()).await
}

/// The resume of lead `id`, as an attachment or (PDFs only) inline.
pub async fn serve(state: &AppState, id: Uuid, inline: bool) -> Result<Response, Error> {
    let lead = state.db.leads().get(id).await?.ok_or(Error::NotFound("lead"))?;
    // The matter type made it optional and the prospect sent none.
    let resume = lead.resume.ok_or(Error::NotFound("resume"))?;
    serve_file(state, id, resume, inline).await
}

/// `GET /leads/{id}/documents/{question}`: the file a prospect sent for a document question.
pub async fn document(
    State(state): State<AppState>,
    Path((id, question)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, Error> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound("lead"))?;
    serve_document(&state, id, &question, q.inline.is_some()).await
}

/// A lead's document for `question`, as [`serve`] serves a resume.
pub async fn serve_document(state: &AppState, id: Uuid, question: &str, inline: bool) -> Result<Response, Error> {
    let documents = state.db.leads().documents(id).await?;
    let file = documents.into_iter().find(|d| d.question_key == question).ok_or(Error::NotFound("document"))?.file;
    serve_file(state, id, file, inline).await
}

/// A stored file, as an attachment or (PDFs only) inline.
async fn serve_file(
    state: &AppState,
    id: Uuid,
    resume: intake_store::ResumeMeta,
    inline: bool,
) -> Result<Response, Error> {
    let (len, stream) = state.resumes.open(&resume.key).await.map_err(|e| {
        tracing::error!(error = %e, lead = %id, "stored file missing");
        Error::NotFound("file")
    })?;
    let is_pdf = resume.content_type == "application/pdf";
    // Only PDFs are shown in the browser; everything else downloads.
    let disposition = if inline && is_pdf { "inline" } else { "attachment" };
    let body = Body::from_stream(stream);
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&resume.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CONTENT_DISPOSITION, content_disposition(disposition, &resume.file_name));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if disposition == "inline" {
        // Shown in the lead page's frame, as an opaque origin that can run nothing of ours.
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; frame-ancestors 'self'"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
    Ok(res)
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn content_disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn file_names_are_quoted_safely() {
        let v = content_disposition("attachment", "Zoë \"cv\".pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"Zo_ _cv_.pdf\"; filename*=UTF-8''Zo%C3%AB%20%22cv%22.pdf"
        );
    }
}
