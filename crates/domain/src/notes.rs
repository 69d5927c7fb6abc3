//! Attorneys' notes on a lead: what one is, and the rule a new one must pass
//! (the same in the browser and on the server).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;
/// How long after writing it the author may edit a note (ms).
pub const NOTE_EDIT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// An attorney's note on a lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: Uuid,
    pub author: String,
    /// Plain text, shown as typed (never as HTML).
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    /// The viewer wrote it and may still edit it.
    pub editable: bool,
}

/// Checks a note as typed; the same rule runs on the server.
pub fn check_note(body: &str) -> Result<String, String> {
    // Browsers send a textarea's line breaks as CRLF.
    let body = body.replace("\r\n", "\n");
    let body = body.trim();
    if body.is_empty() {
        return Err("Note: write something first.".into());
    }
    if body.chars().count() > MAX_NOTE_CHARS {
        return Err(format!("Note: at most {MAX_NOTE_CHARS} characters."));
    }
    if body.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("Note: remove the control characters.".into());
    }
    Ok(body.to_owned())
}
