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
    /// Where the prospect came from.
    #[serde(default)]
    pub origin: crate::domain::LeadOrigin,
    /// The attorney working the lead, if anyone is.
    #[serde(default)]
    pub assignee: Option<Assignee>,
}

/// An attorney a lead is assigned to.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
}

/// Whose leads a view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// The viewer's.
    Me,
    /// Nobody's yet.
    #[serde(rename = "none")]
    Nobody,
}

impl Owner {
    pub fn param(self) -> &'static str {
        match self {
            Self::Me => "me",
            Self::Nobody => "none",
        }
    }
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
    /// Only leads with this `utm_source`.
    #[serde(default)]
    pub source: Option<String>,
    /// Only the viewer's leads, or only unassigned ones.
    #[serde(default)]
    pub owner: Option<Owner>,
    /// Only pending leads past their follow-up deadline (`state` is then pending).
    #[serde(default)]
    pub overdue: bool,
    /// Older than this lead (next page).
    pub after: Option<Uuid>,
    /// Newer than this lead (previous page).
    pub before: Option<Uuid>,
}

impl LeadFilter {
    /// Reads the dashboard's query parameters (`state`, `q`, `source`,
    /// `owner`, `after`, `before`) through `get`; unknown values fall back to "all".
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let state = get("state");
        Self {
            source: get("source").and_then(|s| crate::domain::LeadOrigin::clean("", s, "", "").utm_source),
            state: match state {
                Some("pending" | "overdue") => Some(LeadState::Pending),
                Some("reached_out") => Some(LeadState::ReachedOut),
                _ => None,
            },
            overdue: state == Some("overdue"),
            owner: match get("owner") {
                Some("me") => Some(Owner::Me),
                Some("none") => Some(Owner::Nobody),
                _ => None,
            },
            q: clean_query(get("q").unwrap_or_default()),
            after: get("after").and_then(|s| Uuid::parse_str(s).ok()),
            before: get("before").and_then(|s| Uuid::parse_str(s).ok()),
        }
    }

    /// The URL for this filter with a different cursor.
    pub fn href(&self, after: Option<Uuid>, before: Option<Uuid>) -> String {
        let mut parts = vec![];
        if self.overdue {
            parts.push("state=overdue".into());
        } else if let Some(s) = self.state {
            parts.push(format!("state={}", state_param(s)));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode_component(&self.q)));
        }
        if let Some(s) = &self.source {
            parts.push(format!("source={}", encode_component(s)));
        }
        if let Some(o) = self.owner {
            parts.push(format!("owner={}", o.param()));
        }
        if let Some(a) = after {
            parts.push(format!("after={a}"));
        }
        if let Some(b) = before {
            parts.push(format!("before={b}"));
        }
        if parts.is_empty() { "/leads".into() } else { format!("/leads?{}", parts.join("&")) }
    }

    /// The CSV export of this view (every page of it).
    pub fn export_href(&self) -> String {
        let view = LeadFilter { after: None, before: None, ..self.clone() }.href(None, None);
        view.replacen("/leads", "/leads/export.csv", 1)
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
    /// The viewer ("mine").
    #[serde(default)]
    pub viewer: Option<Uuid>,
    /// The follow-up deadline (ms after arrival), when the firm sets one.
    #[serde(default)]
    pub follow_up_ms: Option<i64>,
}

impl LeadPage {
    /// Whether a lead is past its follow-up deadline at `now`.
    pub fn overdue(&self, lead: &LeadSummary, now: i64) -> bool {
        is_overdue(lead, self.follow_up_ms, now)
    }

    /// How long (ms) from the server's time `now` until the first pending
    /// row shown here, not overdue when the page was read, passes its
    /// deadline (negative: it has). `now` is today's time, not the page's:
    /// live events change the rows but not `now_ms`.
    pub fn next_deadline_in(&self, now: i64) -> Option<i64> {
        let follow_up = self.follow_up_ms?;
        self.rows
            .iter()
            .filter(|r| r.state == LeadState::Pending && !self.overdue(r, self.now_ms))
            .map(|r| r.created_at + follow_up - now)
            .min()
    }
}

/// Whether a lead is still pending past its follow-up deadline.
pub fn is_overdue(lead: &LeadSummary, follow_up_ms: Option<i64>, now: i64) -> bool {
    lead.state == LeadState::Pending && follow_up_ms.is_some_and(|f| lead.created_at < now - f)
}

/// Who looks at a view, and when: what "mine" and "overdue" mean for it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewpoint {
    pub me: Option<Uuid>,
    /// Leads created before this (ms) are overdue, when a deadline is set.
    pub overdue_before: Option<i64>,
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
    pub fn matches(&self, lead: &LeadSummary, at: Viewpoint) -> bool {
        if self.state.is_some_and(|s| s != lead.state) {
            return false;
        }
        if self.overdue && at.overdue_before.is_some_and(|t| lead.created_at >= t) {
            return false;
        }
        match self.owner {
            Some(Owner::Me) if at.me.is_none() || lead.assignee.as_ref().map(|a| a.id) != at.me => return false,
            Some(Owner::Nobody) if lead.assignee.is_some() => return false,
            _ => {}
        }
        if self.source.is_some() && self.source != lead.origin.utm_source {
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
        let at = Viewpoint { me: self.viewer, overdue_before: self.follow_up_ms.map(|f| ev.at - f) };
        let was = match ev.kind {
            LiveEventKind::Created => false,
            // The only state change is PENDING → REACHED_OUT, so the row before is known.
            LiveEventKind::StateChanged => filter.matches(&after.before_reaching_out(), at),
            // Who had it before is not carried: a view by owner is fetched again.
            LiveEventKind::Assigned if filter.owner.is_some() => return Patch::Refetch,
            LiveEventKind::Assigned => filter.matches(&after, at),
        };
        let is = filter.matches(&after, at);
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

/// One change in a lead's history.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub state: LeadState,
    pub created: bool,
    pub by: Option<String>,
    pub at: i64,
    /// An assignment: to whom (`None` inside: the lead was unassigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<Option<String>>,
    /// The prospect sent the form again with the same address (no new lead was made).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resubmitted: bool,
}

/// Delivery status of one of the lead's emails or webhook deliveries (for
/// those, `kind` is the event type and `recipients` the endpoint: its URL
/// for administrators, its id for everyone else).
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
    /// Webhook deliveries about this lead (none when no endpoint is set up).
    pub webhooks: Vec<EmailStatus>,
    /// Attorneys' notes, oldest first.
    pub notes: Vec<Note>,
    /// The viewer is an administrator, who may erase the lead.
    pub can_erase: bool,
    /// The viewer.
    #[serde(default)]
    pub viewer: Option<Uuid>,
    /// The active attorneys the lead can be assigned to.
    #[serde(default)]
    pub colleagues: Vec<Assignee>,
    /// The firm's follow-up deadline (ms), if it sets one.
    #[serde(default)]
    pub follow_up_ms: Option<i64>,
    pub now_ms: i64,
}

/// The signed-in attorney.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub display_name: String,
    /// May manage integrations (`/admin`).
    pub admin: bool,
    #[serde(default)]
    pub id: Uuid,
}

/// The numbers in the header: what waits for the viewer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCounts {
    /// Pending leads assigned to the viewer.
    pub mine: i64,
    /// Pending leads past the follow-up deadline (`None`: no deadline set).
    pub overdue: Option<i64>,
    /// When (server ms) `overdue` next changes by time alone, as the oldest
    /// pending lead not yet overdue passes its deadline: the header reads
    /// the counts again then.
    #[serde(default)]
    pub overdue_changes_at: Option<i64>,
    /// The server's clock when these were counted (ms).
    #[serde(default)]
    pub now_ms: i64,
}

/// Pushed to open pages when a lead's notes change (one added or edited):
/// only that lead's page shows notes, so it reads itself again. Not stored,
/// unlike [`LiveEvent`]s; a page that was offline reloads on reconnecting anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotesChanged {
    pub lead_id: Uuid,
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
        if self.kind == LiveEventKind::Assigned {
            // `by` made the assignment; the row says who has the lead.
            return Some(row);
        }
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
    /// The lead was given to an attorney, or taken back.
    Assigned,
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
    /// Signed in, but this needs another role (403); the message says which.
    Forbidden(String),
    /// A value sent is wrong (400); the message names it and says why.
    Invalid(String),
    /// Something failed on the server or on the way (500).
    Unavailable(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("Your session has ended. Please log in again."),
            Self::NotFound => f.write_str("This lead does not exist."),
            Self::Conflict(m) | Self::Forbidden(m) | Self::Invalid(m) | Self::Unavailable(m) => f.write_str(m),
        }
    }
}

impl AppError {
    /// Arguments a server function could not read. On the server, the
    /// response's status becomes 400 (the handler never ran to set it).
    fn bad_arguments(why: &str) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(axum::http::StatusCode::BAD_REQUEST);
        }
        let why: String = why.chars().filter(|c| !c.is_control()).take(300).collect();
        Self::Invalid(format!("The request's arguments are not valid: {why}"))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => {
                Self::Unavailable("Cannot reach the server. Check your connection and try again.".into())
            }
            // The arguments could not be read: the caller's mistake (400), named, not a failure of ours.
            ServerFnErrorErr::Args(why) | ServerFnErrorErr::MissingArg(why) => Self::bad_arguments(&why),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(why) => Self::bad_arguments(&why),
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
            origin: Default::default(),
            assignee: None,
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
    fn the_next_deadline_is_measured_from_now_not_from_when_the_page_was_read() {
        // Read at 0 with a lead of 0 (deadline 60 s); a newer lead outside the view arrives at 30 s.
        let mut p = LeadPage { follow_up_ms: Some(60_000), now_ms: 0, ..page(vec![lead(0, "Due", "due@x.test")], 1) };
        let search = LeadFilter { q: "due".into(), ..LeadFilter::default() };
        p.apply(&search, &LiveEvent { at: 30_000, ..created(11, &lead(30_000, "Other", "other@x.test")) });
        assert_eq!(p.next_deadline_in(30_000), Some(30_000), "30 s left at 30 s, not 60 s again");
        // A row already overdue when read, or not pending, sets no timer.
        let late = LeadPage { follow_up_ms: Some(60_000), now_ms: 90_000, ..page(vec![lead(0, "L", "l@x.test")], 1) };
        assert_eq!(late.next_deadline_in(90_000), None);
        assert_eq!(LeadPage { follow_up_ms: None, ..p.clone() }.next_deadline_in(0), None);
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
    fn an_assignment_updates_its_row_in_place_but_a_view_by_owner_is_fetched_again() {
        let l = lead(5, "Ada", "ada@x.test");
        let mut given = l.clone();
        given.assignee = Some(Assignee { id: Uuid::from_u128(77), name: "Ann".into() });
        let ev =
            LiveEvent { kind: LiveEventKind::Assigned, by: Some("Bob".into()), lead: Some(given), ..created(11, &l) };
        let mut p = page(vec![l.clone()], 1);
        assert_eq!(p.apply(&LeadFilter::default(), &ev), Patch::Applied);
        assert_eq!(p.rows[0].assignee.as_ref().map(|a| a.name.as_str()), Some("Ann"));
        assert_eq!((p.total, p.rows[0].reached_out_by.as_deref()), (1, None), "the assigner did not reach out");
        let mine = LeadFilter { owner: Some(Owner::Me), ..LeadFilter::default() };
        assert_eq!(page(vec![], 0).apply(&mine, &ev), Patch::Refetch);
    }

    #[test]
    fn mine_and_overdue_views_match_by_viewer_and_deadline() {
        let me = Uuid::from_u128(77);
        let mut l = lead(5, "Ada", "ada@x.test");
        l.created_at = 1_000;
        let at = Viewpoint { me: Some(me), overdue_before: Some(2_000) };
        let mine = LeadFilter { owner: Some(Owner::Me), ..LeadFilter::default() };
        let nobody = LeadFilter { owner: Some(Owner::Nobody), ..LeadFilter::default() };
        assert!(!mine.matches(&l, at) && nobody.matches(&l, at));
        l.assignee = Some(Assignee { id: me, name: "Me".into() });
        assert!(mine.matches(&l, at) && !nobody.matches(&l, at));
        assert!(!mine.matches(&l, Viewpoint { me: Some(Uuid::from_u128(78)), ..at }), "someone else's view");
        let overdue = LeadFilter { state: Some(LeadState::Pending), overdue: true, ..LeadFilter::default() };
        assert!(overdue.matches(&l, at));
        assert!(!overdue.matches(&l, Viewpoint { overdue_before: Some(1_000), ..at }), "not yet");
        assert!(
            is_overdue(&l, Some(500), 2_000) && !is_overdue(&l, Some(5_000), 2_000) && !is_overdue(&l, None, 9_999)
        );
        l.state = LeadState::ReachedOut;
        assert!(!overdue.matches(&l, at) && !is_overdue(&l, Some(500), 2_000));
        // The URL round trip.
        let f = LeadFilter::from_query(|k| match k {
            "state" => Some("overdue"),
            "owner" => Some("none"),
            _ => None,
        });
        assert_eq!((f.state, f.overdue, f.owner), (Some(LeadState::Pending), true, Some(Owner::Nobody)));
        assert_eq!(f.href(None, None), "/leads?state=overdue&owner=none");
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
        let ids = id.to_string();
        let f = LeadFilter::from_query(|k| match k {
            "state" => Some("pending"),
            "q" => Some(" Zoë & co "),
            "after" => Some(ids.as_str()),
            _ => None,
        });
        assert_eq!(f.state, Some(LeadState::Pending));
        assert_eq!(f.q, "Zoë & co");
        assert_eq!(f.after, Some(id));
        assert_eq!(f.href(None, None), "/leads?state=pending&q=Zo%C3%AB+%26+co");
        let bad = LeadFilter::from_query(|k| match k {
            "state" => Some("bogus"),
            "owner" => Some("them"),
            "after" => Some("not-a-uuid"),
            _ => None,
        });
        assert_eq!(bad, LeadFilter::default());
        assert_eq!(bad.href(None, None), "/leads");
    }
}
