//! The lead's lifecycle.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a lead stands: new leads are pending until an attorney reaches out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadState {
    Pending,
    ReachedOut,
}

impl LeadState {
    /// The stored and API form: `PENDING`, `REACHED_OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::ReachedOut => "REACHED_OUT",
        }
    }

    /// The form shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::ReachedOut => "Reached out",
        }
    }
}

impl fmt::Display for LeadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LeadState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PENDING" => Ok(Self::Pending),
            "REACHED_OUT" => Ok(Self::ReachedOut),
            other => Err(format!("unknown lead state {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LeadState;

    #[test]
    fn round_trips_through_text() {
        for s in [LeadState::Pending, LeadState::ReachedOut] {
            assert_eq!(s.as_str().parse::<LeadState>().unwrap(), s);
        }
        assert!("pending".parse::<LeadState>().is_err());
    }
}

/// Where a lead came from: the page that linked to the form, and the
/// campaign tags (`utm_*`) of the form's address. Recorded as sent, cleaned
/// and cut to size; never a reason to refuse a submission.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadOrigin {
    /// The referring page (`http(s)://` only).
    pub referrer: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
}

/// The form's hidden fields for a [`LeadOrigin`], in this order.
pub const ORIGIN_FIELDS: [&str; 4] = ["referrer", "utm_source", "utm_medium", "utm_campaign"];

/// Longest referrer kept, in characters.
pub const MAX_REFERRER_CHARS: usize = 500;
/// Longest campaign tag kept, in characters.
pub const MAX_TAG_CHARS: usize = 100;

impl LeadOrigin {
    /// Cleans what a browser (or anyone) sent: control characters dropped,
    /// surrounding space trimmed, cut to size, empty as absent.
    pub fn clean(referrer: &str, source: &str, medium: &str, campaign: &str) -> Self {
        let referrer =
            clean_text(referrer, MAX_REFERRER_CHARS).filter(|r| r.starts_with("https://") || r.starts_with("http://"));
        Self {
            referrer,
            utm_source: clean_text(source, MAX_TAG_CHARS),
            utm_medium: clean_text(medium, MAX_TAG_CHARS),
            utm_campaign: clean_text(campaign, MAX_TAG_CHARS),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The form's hidden fields and their values, in [`ORIGIN_FIELDS`] order
    /// (empty for what is absent).
    pub fn fields(&self) -> [(&'static str, &str); 4] {
        fn v(o: &Option<String>) -> &str {
            o.as_deref().unwrap_or_default()
        }
        let [r, s, m, c] = ORIGIN_FIELDS;
        [(r, v(&self.referrer)), (s, v(&self.utm_source)), (m, v(&self.utm_medium)), (c, v(&self.utm_campaign))]
    }

    /// The origin as query parameters (`&referrer=…&utm_source=…`, what is
    /// present), for what loads the public page again (a language switch, the
    /// matter step without JavaScript, the address kept on a choice): the next
    /// load, whose `Referer` is the form itself, keeps where the prospect came from.
    pub fn query(&self) -> String {
        self.fields()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("&{k}={}", encode_component(v)))
            .collect()
    }
}

/// Percent-encodes all but the unreserved characters (RFC 3986), for a query value.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn clean_text(s: &str, max: usize) -> Option<String> {
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    let s: String = s.trim().chars().take(max).collect();
    let s = s.trim_end();
    (!s.is_empty()).then(|| s.to_owned())
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn origins_are_cleaned_cut_and_never_refused() {
        let o = LeadOrigin::clean(" https://www.google.com/ ", " news\u{0}letter ", "", &"x".repeat(500));
        assert_eq!(o.referrer.as_deref(), Some("https://www.google.com/"));
        assert_eq!(o.utm_source.as_deref(), Some("newsletter"));
        assert_eq!(o.utm_medium, None);
        assert_eq!(o.utm_campaign.as_ref().map(|c| c.chars().count()), Some(MAX_TAG_CHARS));
        assert_eq!(LeadOrigin::clean("javascript:alert(1)", "", "", "").referrer, None);
        assert!(LeadOrigin::clean("", " ", "\t", "").is_empty());
    }

    #[test]
    fn an_origin_survives_a_reload_through_the_query() {
        let o = LeadOrigin::clean("https://news.example/a?b=c&d=é", "mail", "", "spring 24");
        assert_eq!(
            o.query(),
            "&referrer=https%3A%2F%2Fnews.example%2Fa%3Fb%3Dc%26d%3D%C3%A9&utm_source=mail&utm_campaign=spring%2024"
        );
        assert_eq!(LeadOrigin::default().query(), "");
    }
}
