//! Why a lead was erased: a reason chosen from a list, and an optional
//! reference (a ticket or request number). The tombstone outlives the lead,
//! so it holds no free text that could name the person it erased.

use serde::{Deserialize, Serialize};

/// Longest reference.
pub const MAX_REFERENCE_CHARS: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    /// The person asked (a data-protection request).
    Requested,
    /// Spam, a test, or someone who is not a prospect.
    NotAProspect,
    /// The same person's request is on another lead.
    Duplicate,
    /// The firm will not take the matter and keeps nothing.
    Declined,
    /// Anything else; a reference is then required.
    Other,
    /// The retention period (`INTAKE_RETENTION`); set by Intake, never chosen.
    Retention,
}

impl ErasureReason {
    /// What an administrator chooses from, in order.
    pub const CHOICES: [Self; 5] = [Self::Requested, Self::NotAProspect, Self::Duplicate, Self::Declined, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::NotAProspect => "not_a_prospect",
            Self::Duplicate => "duplicate",
            Self::Declined => "declined",
            Self::Other => "other",
            Self::Retention => "retention",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Retention].into_iter().chain(Self::CHOICES).find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "The person asked to be erased",
            Self::NotAProspect => "Not a prospect (spam or a test)",
            Self::Duplicate => "A duplicate of another lead",
            Self::Declined => "The firm declined the matter",
            Self::Other => "Other (see the reference)",
            Self::Retention => "Retention period",
        }
    }

    /// The audit trail's wording: the label and, if any, the reference.
    pub fn describe(self, reference: &str) -> String {
        if reference.is_empty() { self.label().to_owned() } else { format!("{} ({reference})", self.label()) }
    }
}

/// Checks an administrator's choice: a listed reason and a reference that
/// is a number, not a name: at most four letters as a prefix (`REQ`,
/// `T`), then digits and `-_./#:` only, with a digit; "other" needs one.
/// The same rule runs in the browser.
pub fn check_erasure(reason: &str, reference: &str) -> Result<(ErasureReason, String), String> {
    let reason = ErasureReason::parse(reason.trim())
        .filter(|r| *r != ErasureReason::Retention)
        .ok_or_else(|| "Reason: choose one from the list.".to_owned())?;
    let reference = reference.trim();
    if reference.is_empty() {
        if reason == ErasureReason::Other {
            return Err("Reference: give the request's or ticket's number for \"Other\".".into());
        }
        return Ok((reason, String::new()));
    }
    let prefix = reference.chars().take_while(char::is_ascii_alphabetic).count();
    let rest = &reference[prefix..];
    if reference.chars().count() > MAX_REFERENCE_CHARS
        || prefix > 4
        || !rest.chars().all(|c| c.is_ascii_digit() || "-_./#:".contains(c))
        || !rest.chars().any(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "Reference: a ticket or request number like REQ-2024-117 (at most 4 letters, then digits and -_./#:, \
             up to {MAX_REFERENCE_CHARS} characters): never the person's name."
        ));
    }
    Ok((reason, reference.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_from_the_list_and_references_cannot_hold_a_name() {
        assert_eq!(check_erasure("requested", ""), Ok((ErasureReason::Requested, String::new())));
        assert_eq!(check_erasure("duplicate", " REQ-2024-117 "), Ok((ErasureReason::Duplicate, "REQ-2024-117".into())));
        assert!(check_erasure("Asked by Jane Doe by email", "").is_err(), "free text is not a reason");
        assert!(check_erasure("retention", "").is_err(), "only Intake erases for retention");
        assert!(check_erasure("other", "").is_err(), "other needs a reference");
        assert!(check_erasure("requested", "Jane Doe").is_err(), "no spaces");
        assert!(check_erasure("requested", "JaneDoe").is_err(), "a reference has a digit");
        assert!(check_erasure("requested", "Smith-1").is_err(), "at most four letters");
        assert!(check_erasure("requested", "REQ-12-Jane").is_err(), "no letters after the prefix");
        assert!(check_erasure("requested", "#4521").is_ok() && check_erasure("other", "2024/117").is_ok());
        assert!(check_erasure("requested", &format!("R{}", "1".repeat(40))).is_err());
        assert!(check_erasure("requested", "José-1").is_err(), "ASCII only");
        for r in ErasureReason::CHOICES {
            assert_eq!(ErasureReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(ErasureReason::Retention.describe("3y"), "Retention period (3y)");
    }
}
