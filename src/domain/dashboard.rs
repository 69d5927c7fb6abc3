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

/// Searches count matches only up to this many, and show "1000+" beyond.
pub const SEARCH_COUNT_CAP: i64 = 1000;

/// A lead as listed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// The newest live event this page already reflects: later events patch it.
    #[serde(default)]
    pub as_of: i64,
}

/// What a live event did to a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patch {
    /// Already reflected, or not about this view.
    Unchanged,
    /// The page now shows the change.
    Applied,
    /// The event cannot be applied here (it carries no row): fetch the page again.
    Refetch,
}

impl LeadFilter {
    /// Whether a lead belongs in this view, by the same rules as the
    /// server's query: its state, and the search as a case-insensitive
    /// substring of the email or of "first last".
    pub fn matches(&self, lead: &LeadSummary) -> bool {
        if self.state.is_some_and(|s| s != lead.state) {
            return false;
        }
        if self.q.is_empty() {
            return true;
        }
        let q = self.q.to_lowercase();
        lead.email.to_lowercase().contains(&q)
            || format!("{} {}", lead.first_name, lead.last_name).to_lowercase().contains(&q)
    }
}

impl LeadPage {
    /// Applies a live event in place: the row is added, updated or removed
    /// as the filter and the page's window say, and the total follows. Events
    /// arrive in id order; those the page already reflects are skipped.
    pub fn apply(&mut self, filter: &LeadFilter, ev: &LiveEvent) -> Patch {
        if ev.id <= self.as_of {
            return Patch::Unchanged;
        }
        self.as_of = ev.id;
        let Some(after) = ev.row() else { return Patch::Refetch };
        // A lead's only change is PENDING → REACHED_OUT, so the row before is known.
        let was = ev.kind == LiveEventKind::StateChanged && filter.matches(&after.before_reaching_out());
        let is = filter.matches(&after);
        // Past the search cap the total is "1000+" and stays so.
        let capped = !filter.q.is_empty() && self.total > SEARCH_COUNT_CAP;
        if !capped {
            self.total = (self.total + i64::from(is) - i64::from(was)).max(0);
        }
        match (self.rows.iter().position(|r| r.id == after.id), is) {
            (Some(i), true) => self.rows[i] = after,
            (Some(i), false) => {
                self.rows.remove(i);
            }
            (None, true) if self.window_holds(after.id) => {
                let at = self.rows.iter().position(|r| r.id < after.id).unwrap_or(self.rows.len());
                self.rows.insert(at, after);
                if self.rows.len() > PAGE_SIZE {
                    self.rows.truncate(PAGE_SIZE);
                    self.older = self.rows.last().map(|r| r.id);
                }
            }
            (None, _) if !(was || is) => return Patch::Unchanged,
            (None, _) => {}
        }
        Patch::Applied
    }

    /// Whether a lead with this id falls between this page's neighbours
    /// (pages are keyset ranges of the time-ordered id, newest first).
    fn window_holds(&self, id: Uuid) -> bool {
        let below_newer = self.newer.is_none() || self.rows.first().is_some_and(|r| id < r.id);
        let above_older = self.older.is_none() || self.rows.last().is_some_and(|r| id > r.id);
        below_newer && above_older
    }
}

impl LeadSummary {
    /// This lead as it was while still pending.
    fn before_reaching_out(&self) -> Self {
        Self { state: LeadState::Pending, reached_out_by: None, reached_out_at: None, ..self.clone() }
    }
}

/// One change in a lead's history.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub state: LeadState,
    pub created: bool,
    pub by: Option<String>,
    pub at: i64,
}

/// Delivery status of one of the lead's emails.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

impl LiveEvent {
    /// The lead's row as of this event (a replayed event's row may be newer).
    pub fn row(&self) -> Option<LeadSummary> {
        let mut row = self.lead.clone()?;
        row.state = self.state;
        (row.reached_out_by, row.reached_out_at) = match self.state {
            LeadState::Pending => (None, None),
            LeadState::ReachedOut => (self.by.clone(), Some(self.at)),
        };
        Some(row)
    }
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

    fn lead(n: u128, first: &str, email: &str) -> LeadSummary {
        LeadSummary {
            id: Uuid::from_u128(n),
            first_name: first.into(),
            last_name: "Doe".into(),
            email: email.into(),
            state: LeadState::Pending,
            created_at: n as i64,
            resume_file_name: "cv.pdf".into(),
            resume_content_type: "application/pdf".into(),
            reached_out_by: None,
            reached_out_at: None,
        }
    }

    fn created(id: i64, l: &LeadSummary) -> LiveEvent {
        LiveEvent {
            id,
            lead_id: l.id,
            kind: LiveEventKind::Created,
            state: LeadState::Pending,
            by: None,
            at: 1,
            lead: Some(l.clone()),
        }
    }

    fn reached(id: i64, l: &LeadSummary) -> LiveEvent {
        LiveEvent {
            kind: LiveEventKind::StateChanged,
            state: LeadState::ReachedOut,
            by: Some("Ann".into()),
            at: 2,
            ..created(id, l)
        }
    }

    fn page(rows: Vec<LeadSummary>, total: i64) -> LeadPage {
        LeadPage { rows, total, as_of: 10, ..LeadPage::default() }
    }

    #[test]
    fn a_new_lead_tops_the_first_page_and_counts() {
        let mut p = page(vec![lead(5, "Old", "old@x.test")], 1);
        let new = lead(9, "New", "new@x.test");
        assert_eq!(p.apply(&LeadFilter::default(), &created(11, &new)), Patch::Applied);
        assert_eq!(p.rows.iter().map(|r| r.first_name.as_str()).collect::<Vec<_>>(), ["New", "Old"]);
        assert_eq!((p.total, p.as_of), (2, 11));
        // The same event again (a replay after reconnecting) changes nothing.
        assert_eq!(p.apply(&LeadFilter::default(), &created(11, &new)), Patch::Unchanged);
        assert_eq!(p.total, 2);
    }

    #[test]
    fn a_full_first_page_keeps_its_size_and_points_older() {
        let rows: Vec<_> = (1..=PAGE_SIZE as u128).rev().map(|n| lead(n, "A", "a@x.test")).collect();
        let mut p = page(rows, PAGE_SIZE as i64);
        p.apply(&LeadFilter::default(), &created(11, &lead(1000, "New", "n@x.test")));
        assert_eq!(p.rows.len(), PAGE_SIZE);
        assert_eq!(p.rows[0].first_name, "New");
        assert_eq!(p.older, Some(Uuid::from_u128(2)));
        assert_eq!(p.total, PAGE_SIZE as i64 + 1);
    }

    #[test]
    fn an_older_page_only_counts_a_new_lead() {
        let mut p = page(vec![lead(5, "Old", "old@x.test")], 60);
        p.newer = Some(Uuid::from_u128(6));
        assert_eq!(p.apply(&LeadFilter::default(), &created(11, &lead(9, "New", "n@x.test"))), Patch::Applied);
        assert_eq!((p.rows.len(), p.total), (1, 61));
    }

    #[test]
    fn reaching_out_leaves_the_pending_view_and_joins_the_other() {
        let l = lead(5, "Ada", "ada@x.test");
        let pending = LeadFilter { state: Some(LeadState::Pending), ..LeadFilter::default() };
        let mut p = page(vec![l.clone()], 1);
        assert_eq!(p.apply(&pending, &reached(11, &l)), Patch::Applied);
        assert!(p.rows.is_empty());
        assert_eq!(p.total, 0);

        let done = LeadFilter { state: Some(LeadState::ReachedOut), ..LeadFilter::default() };
        let mut p = page(vec![], 0);
        p.apply(&done, &reached(11, &l));
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].state, LeadState::ReachedOut);
        assert_eq!(p.rows[0].reached_out_by.as_deref(), Some("Ann"));
        assert_eq!(p.total, 1);

        let mut p = page(vec![l.clone()], 1);
        p.apply(&LeadFilter::default(), &reached(11, &l));
        assert_eq!((p.rows[0].state, p.total), (LeadState::ReachedOut, 1));
    }

    #[test]
    fn a_search_shows_only_matching_leads() {
        let search = LeadFilter { q: "zoë".into(), ..LeadFilter::default() };
        let mut p = page(vec![], 0);
        assert_eq!(p.apply(&search, &created(11, &lead(9, "Bob", "bob@x.test"))), Patch::Unchanged);
        p.apply(&search, &created(12, &lead(10, "ZOË", "z@x.test")));
        assert_eq!((p.rows.len(), p.total), (1, 1));
        // Past the cap the count stays "1000+".
        let mut p = page(vec![], SEARCH_COUNT_CAP + 1);
        p.apply(&search, &created(11, &lead(9, "Zoë", "z@x.test")));
        assert_eq!(p.total, SEARCH_COUNT_CAP + 1);
    }

    #[test]
    fn an_event_without_a_row_asks_for_a_refetch() {
        let mut ev = created(11, &lead(9, "A", "a@x.test"));
        ev.lead = None;
        assert_eq!(page(vec![], 0).apply(&LeadFilter::default(), &ev), Patch::Refetch);
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
