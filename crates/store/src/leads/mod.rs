//! Storing a submitted lead (with its emails and first history entry) and reading it back.

mod postgres;
mod sqlite;

use super::{DbError, Document, Lead, NewLead, NewMessage, ResumeMeta};
use async_trait::async_trait;
use intake_domain::{LeadState, listing::LeadSummary, live::LiveEvent, live::LiveEventKind, questions::LeadIntake};
use uuid::Uuid;

#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Stores a lead, its history's first entry and its emails in one
    /// transaction, announces it to live dashboards, and returns the event.
    async fn insert(&self, lead: &NewLead, messages: &[NewMessage]) -> Result<LiveEvent, DbError>;

    async fn get(&self, id: Uuid) -> Result<Option<Lead>, DbError>;

    /// The language, form version and answers the lead was sent with; `None`
    /// for a lead sent in English while the firm had no form.
    async fn intake(&self, id: Uuid) -> Result<Option<LeadIntake>, DbError>;

    /// [`LeadStore::intake`] for many leads at once (an export's batch); leads without are left out.
    async fn intakes(&self, ids: &[Uuid]) -> Result<Vec<(Uuid, LeadIntake)>, DbError>;

    /// Whether a lead refers to this storage key, as its resume or a
    /// document (used to recover staged files).
    async fn resume_key_exists(&self, key: &str) -> Result<bool, DbError>;

    /// The files the lead's prospect sent for document questions, by question key.
    async fn documents(&self, id: Uuid) -> Result<Vec<Document>, DbError>;

    /// The lead holding this normalized email: its id, when it was submitted, and the address as on file.
    async fn by_email(&self, email_normalized: &str) -> Result<Option<(Uuid, i64, String)>, DbError>;

    /// Records, in the lead's history, that its prospect submitted the form
    /// again at `at`, and queues `email` (about the lead) unless such an
    /// email was queued since `quiet_since`; returns whether it was. Announced to the lead's open pages. False-and-nothing when the
    /// lead is gone (erased meanwhile).
    async fn record_resubmission(
        &self,
        lead: Uuid,
        at: i64,
        email: &NewMessage,
        quiet_since: i64,
    ) -> Result<bool, DbError>;

    /// When the prospect submitted again (newest [`RESUBMISSIONS_SHOWN`]), oldest first.
    async fn resubmissions(&self, lead: Uuid) -> Result<Vec<i64>, DbError>;
}

/// Repeats of a submission shown in a lead's history at most.
pub const RESUBMISSIONS_SHOWN: i64 = 50;

/// A lead's intake row as stored: its answers as JSON.
pub(crate) fn answers_json(intake: &LeadIntake) -> String {
    serde_json::to_string(&intake.answers).unwrap_or_else(|_| "{}".into())
}

pub(crate) fn intake_row(r: &impl crate::row::Columns) -> Result<LeadIntake, DbError> {
    let lang = r.text("lang")?;
    Ok(LeadIntake {
        lang: intake_domain::questions::Lang::parse(&lang).unwrap_or_default(),
        form_version: r.opt_int("form_version")?,
        matter_type: r.opt_text("matter_type")?,
        answers: serde_json::from_str(&r.text("answers")?).map_err(|e| DbError::corrupt("answers", e))?,
        consent_at: r.opt_int("consent_at")?,
        // Kept on the lead's row (`answers_text`), read with its summary.
        searchable: String::new(),
    })
}

/// Shared SQL (`?N` placeholders; see `db::dollars`).
pub(crate) mod sql {
    pub const INTAKE: &str =
        "SELECT lang, form_version, matter_type, answers, consent_at FROM lead_answers WHERE lead_id = ?1";
    pub const BY_EMAIL: &str = "SELECT id, created_at, email FROM leads WHERE email_normalized = ?1";
    /// When the owner was last told (not when they last repeated).
    pub const LAST_TOLD: &str = "SELECT MAX(created_at) FROM outbox WHERE lead_id = ?1 AND kind = 'already_received'";
    pub const INSERT_REPEAT: &str =
        "INSERT INTO lead_resubmissions (lead_id, at) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM leads WHERE id = ?1)";
    pub const REPEATS: &str = "SELECT at FROM (SELECT at FROM lead_resubmissions WHERE lead_id = ?1
         ORDER BY at DESC LIMIT ?2) newest ORDER BY at";
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
            first_name: lead.first_name.as_str().to_owned(),
            last_name: lead.last_name.as_str().to_owned(),
            email: lead.email.as_str().to_owned(),
            state: LeadState::Pending,
            created_at: lead.created_at,
            resume_file_name: lead.resume.as_ref().map(|r| r.file_name.clone()),
            resume_content_type: lead.resume.as_ref().map(|r| r.content_type.clone()),
            reached_out_by: None,
            reached_out_at: None,
            origin: lead.origin.clone(),
            assignee: None,
            conflict: Default::default(),
            matter_type: lead.intake.as_ref().and_then(|i| i.matter_type.clone()),
            answers_text: lead.intake.as_ref().map(|i| i.searchable.clone()).unwrap_or_default(),
        }),
    }
}

/// A `lead_documents` row.
fn document_row(r: &impl crate::row::Columns) -> Result<Document, DbError> {
    Ok(Document {
        question_key: r.text("question_key")?,
        file: ResumeMeta {
            file_name: r.text("file_name")?,
            content_type: r.text("content_type")?,
            size: r.int("size")?,
            sha256: r.text("sha256")?,
            key: r.text("file_key")?,
        },
    })
}

/// The columns [`document_row`] reads.
const DOCUMENTS: &str = "SELECT question_key, file_name, content_type, size, sha256, file_key
     FROM lead_documents WHERE lead_id = ?1 ORDER BY question_key";
