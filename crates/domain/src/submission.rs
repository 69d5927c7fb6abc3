//! The prospect's submission: its fields, their validation, and the outcomes
//! both the browser and the server report.

use super::{Email, PersonName, human_bytes};
use crate::{i18n::Msg, questions::Lang};
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A field of the intake form, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    FirstName,
    LastName,
    Email,
    Resume,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::FirstName, Field::LastName, Field::Email, Field::Resume];

    /// The form field's `name` (also its multipart part name in the API).
    pub fn name(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
            Self::Resume => "resume",
        }
    }

    /// The visible label.
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::Email => "Email",
            Self::Resume => "Resume",
        }
    }
}

/// One message per field that failed; empty when everything is fine.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
    /// The matter type was not chosen, or is not one the form offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter_type: Option<String>,
    /// The firm's questions, by question key (the field `q.<key>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<String, String>,
    /// The privacy notice's consent box (the field `consent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    /// The language the messages are in (the summary's too).
    #[serde(skip)]
    pub lang: Lang,
}

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&String> {
        self.slot(field).as_ref()
    }

    pub fn set(&mut self, field: Field, message: Option<String>) {
        *self.slot_mut(field) = message;
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// How many fields failed, the firm's questions included.
    pub fn count(&self) -> usize {
        self.iter().count()
            + usize::from(self.matter_type.is_some())
            + self.answers.len()
            + usize::from(self.consent.is_some())
    }

    /// The failing fields with their messages, in form order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, &String)> {
        Field::ALL.into_iter().filter_map(|f| self.get(f).map(|m| (f, m)))
    }

    fn slot(&self, field: Field) -> &Option<String> {
        match field {
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::Email => &self.email,
            Field::Resume => &self.resume,
        }
    }

    fn slot_mut(&mut self, field: Field) -> &mut Option<String> {
        match field {
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::Email => &mut self.email,
            Field::Resume => &mut self.resume,
        }
    }
}

/// The text fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// The text fields once valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLead {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
}

impl LeadForm {
    /// Checks one text field; `None` when it is fine. `Field::Resume` is never
    /// an error here: the file is checked by [`resume_error`].
    pub fn check(&self, field: Field) -> Option<String> {
        match field {
            Field::FirstName => PersonName::parse(&self.first_name, field.label()).err(),
            Field::LastName => PersonName::parse(&self.last_name, field.label()).err(),
            Field::Email => Email::parse(&self.email).err().map(str::to_owned),
            Field::Resume => None,
        }
    }

    /// Validates every text field, reporting all failures at once.
    // The report is the point of the error; it is made once per submission.
    #[allow(clippy::result_large_err)]
    pub fn validate(&self) -> Result<ValidLead, FieldErrors> {
        match (
            PersonName::parse(&self.first_name, Field::FirstName.label()),
            PersonName::parse(&self.last_name, Field::LastName.label()),
            Email::parse(&self.email),
        ) {
            (Ok(first_name), Ok(last_name), Ok(email)) => Ok(ValidLead { first_name, last_name, email }),
            _ => {
                let mut errors = FieldErrors::default();
                for f in [Field::FirstName, Field::LastName, Field::Email] {
                    errors.set(f, self.check(f));
                }
                Err(errors)
            }
        }
    }
}

/// Checks a chosen resume's presence and size (its type is checked by content on the server).
pub fn resume_error(size: Option<u64>, max_bytes: u64) -> Option<String> {
    match size {
        None => Some("Choose your resume file to upload.".into()),
        Some(0) => Some("The resume file is empty.".into()),
        Some(n) if n > max_bytes => Some(too_large_message(max_bytes)),
        Some(_) => None,
    }
}

/// The message for a resume over the limit.
pub fn too_large_message(max_bytes: u64) -> String {
    format!("The resume is too large: the limit is {}.", human_bytes(max_bytes))
}

/// The formats accepted, as told to prospects.
pub const ACCEPTED_FORMATS: &str = "PDF, Word (DOCX or DOC), OpenDocument (ODT), RTF or plain text";

/// What went wrong with a submission, as the prospect and API clients see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitFailureKind {
    /// One or more fields are invalid (400).
    Invalid,
    /// A lead with this email already exists (409).
    Duplicate,
    /// The upload is larger than allowed (413).
    TooLarge,
    /// Too many submissions from this address (429).
    RateLimited,
    /// The request was not a well-formed form submission (400).
    Malformed,
    /// Something failed on our side or on the way (500/503).
    Unavailable,
}

impl SubmitFailureKind {
    /// As in the JSON body (`invalid`, `too_large`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Duplicate => "duplicate",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::Malformed => "malformed",
            Self::Unavailable => "unavailable",
        }
    }
}

/// A refused submission: a summary message plus per-field messages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitFailure {
    pub kind: SubmitFailureKind,
    pub message: String,
    #[serde(default)]
    pub fields: FieldErrors,
    /// Seconds to wait before trying again (rate limited, busy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl SubmitFailure {
    pub fn invalid(fields: FieldErrors) -> Self {
        let message = fields.lang.fix(fields.count());
        Self { kind: SubmitFailureKind::Invalid, message, fields, retry_after: None }
    }

    pub fn new(kind: SubmitFailureKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), fields: FieldErrors::default(), retry_after: None }
    }

    /// As the prospect's form shows it: a refusal that is not about one
    /// field in the prospect's language (the server's message, for API
    /// clients, stays English and may say more). Field errors are already
    /// in the language the form was sent in.
    pub fn in_lang(mut self, lang: Lang, max_resume_bytes: u64) -> Self {
        let seconds = self.retry_after.unwrap_or(1).max(1).to_string();
        self.message = match self.kind {
            SubmitFailureKind::Invalid | SubmitFailureKind::Duplicate => return self,
            SubmitFailureKind::TooLarge if !self.fields.answers.is_empty() => {
                // A document question's file (documents share the resume's limit).
                let m = lang.answer_error(&crate::questions::AnswerError::FileTooLarge { limit: max_resume_bytes });
                self.fields.answers.values_mut().for_each(|v| *v = m.clone());
                m
            }
            SubmitFailureKind::TooLarge => {
                let m = lang.fill(Msg::ResumeTooLarge, &[("limit", &human_bytes(max_resume_bytes))]);
                self.fields.set(Field::Resume, Some(m.clone()));
                m
            }
            SubmitFailureKind::RateLimited => lang.fill(Msg::RefusedRateLimited, &[("seconds", &seconds)]),
            SubmitFailureKind::Malformed => lang.text(Msg::RefusedMalformed).to_owned(),
            SubmitFailureKind::Unavailable if self.retry_after.is_some() => lang.text(Msg::RefusedBusy).to_owned(),
            SubmitFailureKind::Unavailable => lang.text(Msg::RefusedUnavailable).to_owned(),
        };
        self.fields.lang = lang;
        self
    }
}

impl std::fmt::Display for SubmitFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SubmitFailure {}

impl FromServerFnError for SubmitFailure {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let message = match value {
            ServerFnErrorErr::Request(_) => {
                "We could not reach the server. Check your connection and try again.".to_owned()
            }
            _ => "Something went wrong on our side. Please try again in a moment.".to_owned(),
        };
        Self::new(SubmitFailureKind::Unavailable, message)
    }
}

/// A stored submission, as confirmed to the prospect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitReceipt {
    pub id: Uuid,
    pub first_name: String,
    pub email: String,
    /// The language the form was sent in (the confirmation's).
    #[serde(default)]
    pub lang: Lang,
    /// Whether a resume came with it (a matter type may make it optional).
    #[serde(default)]
    pub resume: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_invalid_field() {
        let form = LeadForm { first_name: " ".into(), last_name: "Doe".into(), email: "nope".into() };
        let errors = form.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, [Field::FirstName, Field::Email]);
        assert_eq!(SubmitFailure::invalid(errors).message, "Please correct the 2 highlighted fields.");
    }

    #[test]
    fn valid_form_yields_domain_types() {
        let form = LeadForm { first_name: " Jane ".into(), last_name: "Doe".into(), email: "J@Ex.com".into() };
        let lead = form.validate().unwrap();
        assert_eq!(lead.first_name.as_str(), "Jane");
        assert_eq!(lead.email.normalized(), "j@ex.com");
    }

    #[test]
    fn refusals_are_told_in_the_prospects_language() {
        let limited =
            SubmitFailure { retry_after: Some(42), ..SubmitFailure::new(SubmitFailureKind::RateLimited, "x") };
        assert_eq!(
            limited.clone().in_lang(Lang::Es, 10).message,
            "Demasiados envíos desde su red. Vuelva a intentarlo dentro de 42 segundos."
        );
        assert!(limited.in_lang(Lang::En, 10).message.contains("try again in 42 seconds"));
        let big = SubmitFailure::new(SubmitFailureKind::TooLarge, "x").in_lang(Lang::Es, 2 * 1024 * 1024);
        assert_eq!(big.message, "El currículum es demasiado grande: el límite es 2 MiB.");
        assert_eq!(big.fields.get(Field::Resume), Some(&big.message), "said at the field too");
        let busy = SubmitFailure { retry_after: Some(1), ..SubmitFailure::new(SubmitFailureKind::Unavailable, "x") };
        assert!(busy.in_lang(Lang::Es, 1).message.starts_with("Estamos recibiendo muchos envíos"));
        let down = SubmitFailure::new(SubmitFailureKind::Unavailable, "x").in_lang(Lang::Es, 1);
        assert!(down.message.starts_with("Algo falló"));
        // Field errors are already in the form's language: left as they are.
        let mut fields = FieldErrors { lang: Lang::Es, ..FieldErrors::default() };
        fields.set(Field::Email, Some("Escriba su correo electrónico.".into()));
        let invalid = SubmitFailure::invalid(fields);
        assert_eq!(invalid.clone().in_lang(Lang::Es, 1), invalid);
    }

    #[test]
    fn resume_rules() {
        assert!(resume_error(None, 10).is_some());
        assert!(resume_error(Some(0), 10).is_some());
        assert_eq!(resume_error(Some(11), 10).unwrap(), "The resume is too large: the limit is 10 bytes.");
        assert!(resume_error(Some(10), 10).is_none());
    }

    #[test]
    fn failure_serializes_for_api_clients() {
        let mut fields = FieldErrors::default();
        fields.set(Field::Email, Some("bad".into()));
        let json = serde_json::to_value(SubmitFailure::invalid(fields)).unwrap();
        assert_eq!(json["kind"], "invalid");
        assert_eq!(json["fields"]["email"], "bad");
        assert!(json["fields"].get("first_name").is_none());
    }
}
