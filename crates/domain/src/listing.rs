//! What attorneys are shown: lead rows, pages of them, a lead's details, the header's counts.

use crate::{LeadState, notes::Note};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Rows per dashboard page.
pub const PAGE_SIZE: usize = 50;

/// Searches count matches only up to this many, and show "1000+" beyond.
pub const SEARCH_COUNT_CAP: i64 = 1000;

/// A lead as listed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub state: LeadState,
    pub created_at: i64,
    /// `None`: the prospect sent no resume (the matter type makes it optional).
    pub resume_file_name: Option<String>,
    pub resume_content_type: Option<String>,
    pub reached_out_by: Option<String>,
    pub reached_out_at: Option<i64>,
    /// Where the prospect came from.
    #[serde(default)]
    pub origin: crate::LeadOrigin,
    /// The attorney working the lead, if anyone is.
    #[serde(default)]
    pub assignee: Option<Assignee>,
    /// Where the lead stands on conflicts of interest.
    #[serde(default)]
    pub conflict: crate::conflict::ConflictStatus,
    /// The matter type's key, when the firm's form asked for one.
    #[serde(default)]
    pub matter_type: Option<String>,
    /// The short-text and phone answers, one per line: what the search
    /// reads besides name and email.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub answers_text: String,
}

/// What the dashboard's filters offer beyond the fixed ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    /// The `utm_source`s seen so far.
    pub sources: Vec<String>,
    /// Matter types (key, English name): the current form's in its order,
    /// then those only earlier versions asked about (their leads remain).
    pub matter_types: Vec<(String, String)>,
}

impl FilterChoices {
    /// A matter type's name, or its key when no version names it.
    pub fn matter_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.matter_types.iter().find(|(k, _)| k == key).map_or(key, |(_, n)| n.as_str())
    }
}

/// A pending lead for tests: `first` Doe at `email`, created at `n` ms.
#[cfg(test)]
pub(crate) fn sample_lead(n: u128, first: &str, email: &str) -> LeadSummary {
    LeadSummary {
        id: Uuid::from_u128(n),
        first_name: first.into(),
        last_name: "Doe".into(),
        email: email.into(),
        state: LeadState::Pending,
        created_at: n as i64,
        resume_file_name: Some("cv.pdf".into()),
        resume_content_type: Some("application/pdf".into()),
        reached_out_by: None,
        reached_out_at: None,
        origin: Default::default(),
        assignee: None,
        conflict: Default::default(),
        matter_type: None,
        answers_text: String::new(),
    }
}

/// An attorney a lead is assigned to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Assignee {
    pub id: Uuid,
    pub name: String,
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

/// One change in a lead's history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// A conflict check found matches (`possible`), or an attorney decided (`cleared`, `conflict`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<crate::conflict::ConflictStatus>,
    /// A conflict decision's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Delivery status of one of the lead's emails or webhook deliveries (for
/// those, `kind` is the event type and `recipients` the endpoint: its URL
/// for administrators, its id for everyone else).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub resume_size: Option<i64>,
    pub resume_sha256: Option<String>,
    pub history: Vec<HistoryEntry>,
    pub emails: Vec<EmailStatus>,
    /// Webhook deliveries about this lead (none when no endpoint is set up).
    pub webhooks: Vec<EmailStatus>,
    /// Attorneys' notes, oldest first.
    pub notes: Vec<Note>,
    /// The conflict check: its matches and any decision.
    #[serde(default)]
    pub conflict: crate::conflict::ConflictView,
    /// The firm's questions as the prospect saw them, with their answers
    /// (`None`: sent while the firm had no form).
    #[serde(default)]
    pub answers: Option<crate::questions::LeadAnswers>,
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
