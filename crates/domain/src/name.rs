//! A validated personal name.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A trimmed name of 1–100 characters with no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// Parses user input; `label` names the field in the message ("First name").
    pub fn parse(input: &str, label: &str) -> Result<Self, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err(format!("Enter your {}.", label.to_ascii_lowercase()));
        }
        if s.chars().count() > MAX_NAME_CHARS {
            return Err(format!("{label} must be at most {MAX_NAME_CHARS} characters."));
        }
        // Control characters (including newlines and bidi overrides) have no
        // place in a name and could forge lines in emails or logs.
        if s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            return Err(format!("{label} contains characters that are not allowed."));
        }
        Ok(Self(s.to_owned()))
    }

    /// The name as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value, "Name")
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::PersonName;

    #[test]
    fn trims_and_accepts_unicode() {
        assert_eq!(PersonName::parse("  Zoë  ", "First name").unwrap().as_str(), "Zoë");
        assert!(PersonName::parse("李", "First name").is_ok());
        assert!(PersonName::parse(&"é".repeat(100), "First name").is_ok());
    }

    #[test]
    fn rejects_empty_long_and_control() {
        assert_eq!(PersonName::parse("  ", "First name").unwrap_err(), "Enter your first name.");
        assert!(PersonName::parse(&"a".repeat(101), "Last name").unwrap_err().contains("100"));
        assert!(PersonName::parse("a\nb", "Last name").is_err());
        assert!(PersonName::parse("a\u{202E}b", "Last name").is_err());
    }
}
