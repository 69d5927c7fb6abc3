//! Storing a submitted lead (with its emails and first history entry) and reading it back.

mod postgres;
mod sqlite;

use super::{DbError, Lead, NewLead, NewMessage};
use crate::domain::{
    LeadState,
    dashboard::{LeadSummary, LiveEvent, LiveEventKind},
};
use async_trait::async_trait;
use uuid::Uuid;

#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Stores a lead, its history's first entry and its emails in one
    /// transaction, announces it to live dashboards, and returns the event.
    async fn insert(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError>;

    async fn get(&self, id: Uuid) -> Result<Option<Lead>, DbError>;

    /// Whether a lead refers to this resume storage key (used to recover staged files).
    async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError>;
}

/// The event announcing a new lead, with the row dashboards add.
pub(crate) fn created_event(event_id: i64, lead: &NewLead) -> LiveEvent {
    LiveEvent {
        id: event_id,
        lead_id: lead.id,
        kind: LiveEventKind::Created,
        state: LeadState::Pending,
        by: None,
        at: lead.created_at,
        lead: Some(LeadSummary {
            id: lead.id,
            first_name: lead.first_name.clone(),
            last_name: lead.last_name.clone(),
            email: lead.email.clone(),
            state: LeadState::Pending,
            created_at: lead.created_at,
            resume_file_name: lead.resume.file_name.clone(),
            resume_content_type: lead.resume.content_type.clone(),
            reached_out_by: None,
            reached_out_at: None,
            origin: lead.origin.clone(),
            assignee: None,
        }),
    }
}
