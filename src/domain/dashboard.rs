//! What attorneys see: lead lists, details, live events, and the errors of internal calls.

use super::LeadState;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use uuid::Uuid;

/// Rows per dashboard page.
pub const PAGE_SIZE: usize = 50;

/// A lead as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub state: LeadState,
    pub created_at: i64,
    pub resume_file_name: String,
    pub resume_content_type: String,
    pub reached_out_by: Option<String>,
    pub reached_out_at: Option<i64>,
}

/// Longest search the dashboard runs; longer input is cut.
pub const MAX_QUERY_CHARS: usize = 100;

/// A search as it is run, in the browser and on the server alike: control
/// characters (NUL included) dropped, trimmed, at most [`MAX_QUERY_CHARS`].
pub fn clean_query(q: &str) -> String {
    let kept: String = q.chars().filter(|c| !c.is_control()).collect();
    kept.trim().chars().take(MAX_QUERY_CHARS).collect()
}

/// Which leads to list: the dashboard's URL query (`state`, `q`, `after`, `before`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadFilter {
    pub state: Option<LeadState>,
    pub q: String,
    /// Older than this lead (next page).
    pub after: Option<Uuid>,
    /// Newer than this lead (previous page).
    pub before: Option<Uuid>,
}

impl LeadFilter {
    /// Reads the dashboard's query parameters; unknown values fall back to "all".
    pub fn from_query(state: Option<&str>, q: Option<&str>, after: Option<&str>, before: Option<&str>) -> Self {
        Self {
            state: match state {
                Some("pending") => Some(LeadState::Pending),
                Some("reached_out") => Some(LeadState::ReachedOut),
                _ => None,
            },
            q: clean_query(q.unwrap_or_default()),
            after: after.and_then(|s| Uuid::parse_str(s).ok()),
            before: before.and_then(|s| Uuid::parse_str(s).ok()),
        }
    }

    /// The URL for this filter with a different cursor.
    pub fn href(&self, after: Option<Uuid>, before: Option<Uuid>) -> String {
        let mut parts = vec![];
        if let Some(s) = self.state {
            parts.push(format!("state={}", state_param(s)));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode_component(&self.q)));
        }
        if let Some(a) = after {
            parts.push(format!("after={a}"));
        }
        if let Some(b) = before {
            parts.push(format!("before={b}"));
        }
        if parts.is_empty() { "/leads".into() } else { format!("/leads?{}", parts.join("&")) }
    }
}

/// The URL form of a state filter.
pub fn state_param(s: LeadState) -> &'static str {
    match s {
        LeadState::Pending => "pending",
        LeadState::ReachedOut => "reached_out",
    }
}

/// Percent-encodes a query component.
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One page of leads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPage {
    pub rows: Vec<LeadSummary>,
    /// Leads matching the filter, on all pages.
    pub total: i64,
    /// Cursor for the next (older) page.
    pub older: Option<Uuid>,
    /// Cursor for the previous (newer) page.
    pub newer: Option<Uuid>,
    /// The server's clock, for relative times.
    pub now_ms: i64,
}

/// One change in a lead's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub state: LeadState,
    pub created: bool,
    pub by: Option<String>,
    pub at: i64,
}

/// Delivery status of one of the lead's emails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailStatus {
    pub kind: String,
    pub recipients: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

/// Everything on the lead's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadDetail {
    pub lead: LeadSummary,
    pub resume_size: i64,
    pub resume_sha256: String,
    pub history: Vec<HistoryEntry>,
    pub emails: Vec<EmailStatus>,
    pub now_ms: i64,
}

/// The signed-in attorney.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub display_name: String,
}

/// A change pushed to open dashboards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub id: i64,
    pub lead_id: Uuid,
    pub kind: LiveEventKind,
    pub state: LeadState,
    pub by: Option<String>,
    pub at: i64,
    /// The lead's row as dashboards list it, so they update their view
    /// without asking (see [`LeadPage::apply`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<LeadSummary>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveEventKind {
    Created,
    StateChanged,
}

/// Failure of an internal (attorney) call; mapped to an HTTP status in one place on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// No valid session (401).
    Unauthorized,
    /// No such lead (404).
    NotFound,
    /// The change conflicts with the current state (409); the message says why.
    Conflict(String),
    /// Something failed on the server or on the way (500).
    Unavailable(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("Your session has ended. Please log in again."),
            Self::NotFound => f.write_str("This lead does not exist."),
            Self::Conflict(m) | Self::Unavailable(m) => f.write_str(m),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => {
                Self::Unavailable("Cannot reach the server. Check your connection and try again.".into())
            }
            _ => Self::Unavailable("Something went wrong on our side. Please try again.".into()),
        }
    }
}

impl std::error::Error for AppError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_lose_control_characters_and_are_capped() {
        assert_eq!(clean_query(" a\0b\u{7}c\n "), "abc");
        assert_eq!(clean_query(&"é".repeat(500)).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(clean_query("\0\0"), "");
    }

    #[test]
    fn filter_round_trips_through_the_url() {
        let id = Uuid::now_v7();
        let f = LeadFilter::from_query(Some("pending"), Some(" Zoë & co "), Some(&id.to_string()), None);
        assert_eq!(f.state, Some(LeadState::Pending));
        assert_eq!(f.q, "Zoë & co");
        assert_eq!(f.after, Some(id));
        assert_eq!(f.href(None, None), "/leads?state=pending&q=Zo%C3%AB+%26+co");
        let bad = LeadFilter::from_query(Some("bogus"), None, Some("not-a-uuid"), None);
        assert_eq!(bad, LeadFilter::default());
        assert_eq!(bad.href(None, None), "/leads");
    }
}
