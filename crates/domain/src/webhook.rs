//! What a webhook delivery says: the JSON body announcing a lead event. Built
//! when the event is stored (the store queues one per endpoint in the same
//! transaction); signed and sent by the webhook service.

use crate::{
    listing::LeadSummary,
    live::{LiveEvent, LiveEventKind},
    questions::LeadIntake,
};
use serde::Serialize;

/// The JSON body of every delivery.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize)]
pub struct WebhookEvent {
    /// The event's id, the same for every endpoint and every retry: receivers
    /// deduplicate on it.
    pub id: i64,
    /// `lead.created`, `lead.state_changed`, `lead.assigned`, `lead.conflict_checked` or `lead.conflict_decided`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When the change happened (Unix milliseconds).
    pub occurred_at: i64,
    /// Who made the change (`null` for a submission by the prospect).
    pub by: Option<String>,
    /// The lead's row after the change, as `GET /api/v1/leads` lists it.
    pub lead: LeadSummary,
    /// On `lead.created`, when the firm has an intake form: the matter type
    /// and form version answered, the prospect's language, and the answers by
    /// question key (`intake form show` names the keys; `GET /api/v1/leads/{id}`
    /// gives them with their questions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake: Option<LeadIntake>,
}

pub fn event_type(kind: LiveEventKind) -> &'static str {
    match kind {
        LiveEventKind::Created => "lead.created",
        LiveEventKind::StateChanged => "lead.state_changed",
        LiveEventKind::Assigned => "lead.assigned",
        LiveEventKind::ConflictChecked => "lead.conflict_checked",
        LiveEventKind::ConflictDecided => "lead.conflict_decided",
    }
}

/// The body announcing `event` (with a new lead's answers), and its type;
/// `None` for an event without its row.
pub fn payload(event: &LiveEvent, intake: Option<&LeadIntake>) -> Option<(&'static str, String)> {
    let kind = event_type(event.kind);
    let body = WebhookEvent {
        id: event.id,
        kind,
        occurred_at: event.at,
        by: event.by.clone(),
        lead: event.row()?,
        intake: intake.filter(|_| event.kind == LiveEventKind::Created).cloned(),
    };
    serde_json::to_string(&body).ok().map(|json| (kind, json))
}
