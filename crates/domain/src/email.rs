//! A validated email address.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest address SMTP can carry (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// A syntactically valid email address with a dotted domain, trimmed.
///
/// Equality and [`Email::normalized`] ignore case, because prospects type
/// `Jane@Example.com` and `jane@example.com` for the same mailbox.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses user input, returning a message fit to show next to the field.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim();
        if s.is_empty() {
            return Err("Enter your email address.");
        }
        if s.len() > MAX_EMAIL_LEN {
            return Err("Email address is too long (at most 254 characters).");
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("Email address must not contain spaces.");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err("Enter an email address like name@example.com.");
        };
        // Quoted local parts and IP literals are legal but never what a
        // prospect means; refusing them keeps replies deliverable.
        if local.is_empty() || local.starts_with('"') || domain.starts_with('[') {
            return Err("Enter an email address like name@example.com.");
        }
        let labels_ok = domain.contains('.')
            && domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !labels_ok || !email_address::EmailAddress::is_valid(s) {
            return Err("Enter an email address like name@example.com.");
        }
        Ok(Self(s.to_owned()))
    }

    /// The address as the prospect typed it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-cased form used for uniqueness.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }
}
impl Eq for Email {}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["jane@example.com", " a.b+tag@sub.example.co.uk ", "JOSÉ@exämple.de"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "jane@@example.com",
            "jane doe@example.com",
            "jane@exa mple.com",
            "\"q\"@example.com",
            "j@[127.0.0.1]",
            "jane@-example.com",
            "jane@example..com",
            "jane\u{0}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn compares_case_insensitively() {
        let a = Email::parse("Jane@Example.COM").unwrap();
        let b = Email::parse("jane@example.com").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.normalized(), "jane@example.com");
        assert_eq!(a.as_str(), "Jane@Example.COM");
    }
}
