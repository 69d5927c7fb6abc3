//! What the data layer stores and returns, whatever the backend.

use intake_domain::{Email, LeadOrigin, PersonName, live::LiveEvent, questions::LeadIntake};
use std::time::{SystemTime, UNIX_EPOCH};
use uuid::Uuid;

/// Milliseconds since the Unix epoch, the unit every stored time uses.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A lead ready to be stored: validated values, as the form checked them.
/// A new field is added here, to both dialects' insert and to a migration;
/// the compiler finds every place that builds one.
#[derive(Clone, Debug)]
pub struct NewLead {
    pub id: Uuid,
    pub first_name: PersonName,
    pub last_name: PersonName,
    /// Stored as typed, and as [`Email::normalized`] for uniqueness and search.
    pub email: Email,
    pub created_at: i64,
    /// `None` when the matter type makes the resume optional and none was sent.
    pub resume: Option<ResumeMeta>,
    /// Files sent for the matter type's document questions, one per question.
    pub documents: Vec<Document>,
    /// Where the prospect came from.
    pub origin: LeadOrigin,
    /// The language, form version and answers (`None`: English, no form).
    pub intake: Option<LeadIntake>,
}

/// What we know about a stored resume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResumeMeta {
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub key: String,
}

/// A file sent in answer to a document question: a resume of its own kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub question_key: String,
    pub file: ResumeMeta,
}

/// A stored lead.
#[derive(Clone, Debug)]
pub struct Lead {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub state: intake_domain::LeadState,
    pub created_at: i64,
    pub updated_at: i64,
    pub resume: Option<ResumeMeta>,
}

/// An email to queue.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub id: Uuid,
    pub kind: &'static str,
    pub recipients: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// The one-time link whose secret is made and put in at send time
    /// (see `compose::LINK_SECRET`), for an invitation or a reset.
    pub link_id: Option<Uuid>,
}

/// A queued email, claimed for sending.
#[derive(Clone, Debug)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub lead_id: Option<Uuid>,
    /// The webhook endpoint a delivery goes to (webhook channel only).
    pub endpoint_id: Option<Uuid>,
    pub kind: String,
    pub recipients: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
    /// See [`NewMessage::link_id`].
    pub link_id: Option<Uuid>,
}

/// Delivery status of one email, as shown to attorneys and tests.
#[derive(Clone, Debug)]
pub struct MessageStatus {
    pub id: Uuid,
    pub channel: super::outbox::Channel,
    pub kind: String,
    pub recipients: String,
    /// A webhook delivery's endpoint.
    pub endpoint_id: Option<Uuid>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

/// Where webhook deliveries go, and the secret that signs them.
#[derive(Clone, Debug)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub url: String,
    pub secret: crate::Secret,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

/// An attorney account.
#[derive(Clone, Debug)]
pub struct Attorney {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: i64,
    pub disabled: bool,
    pub role: Role,
    /// Sessions that logged in before this time (ms) are over: set by
    /// logging out, disabling the account and resetting its password.
    pub sessions_valid_after: i64,
}

/// The password hash of an invited account: not a PHC string, so no
/// password verifies against it until the invitation's link sets one.
pub const INVITED_HASH: &str = "!invited";

impl Attorney {
    /// Has set a password and is not disabled: who gets leads in turn and the
    /// daily digest.
    pub fn is_active(&self) -> bool {
        !self.disabled && self.password_hash != INVITED_HASH
    }
}

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Also manages integrations (API tokens, webhooks).
    Admin,
    /// Works leads.
    Attorney,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Attorney => "attorney",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "attorney" => Some(Self::Attorney),
            _ => None,
        }
    }
}

/// What an API token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenScope {
    /// List and read leads, download resumes.
    Read,
    /// Also change a lead's state.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }
}

/// An API token (never its secret: only a hash of it is stored).
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    /// The attorney who made it; requests through it act as them.
    pub attorney_id: Uuid,
    /// That attorney's email (read with the token).
    pub owner_email: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    /// When it stops working by itself (`None`: never).
    pub expires_at: Option<i64>,
}

impl ApiToken {
    /// Whether it answers at `now`: not revoked, not expired.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// Who changes a lead: an attorney in the dashboard, or an integration
/// through one of their API tokens.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub attorney: &'a Attorney,
    pub token: Option<&'a ApiToken>,
}

impl Actor<'_> {
    /// How the lead's history names them.
    pub fn display(&self) -> String {
        token_display(&self.attorney.display_name, self.token.map(|t| t.name.as_str()))
    }
}

/// "Alice Ames", or "Alice Ames (API token zapier)"; SQL builds the same in `row::HISTORY_COLUMNS`.
pub fn token_display(attorney: &str, token: Option<&str>) -> String {
    match token {
        Some(t) => format!("{attorney} (API token {t})"),
        None => attorney.to_owned(),
    }
}

/// Outcome of "mark reached out".
#[derive(Clone, Debug)]
pub enum MarkOutcome {
    Marked(Box<LiveEvent>),
    AlreadyMarked { by: Option<String>, at: Option<i64> },
    NotFound,
}

pub use intake_domain::listing::SEARCH_COUNT_CAP;

/// Escapes LIKE wildcards so a search for "50%" means the text "50%".
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
