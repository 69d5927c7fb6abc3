//! Which leads a view lists, and its URL (`/leads?state=pending&q=smith`): parsed,
//! written back, and matched against a row by the same rules as the server's query.

use crate::{LeadState, conflict::ConflictStatus, listing::LeadSummary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whose leads a view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// The viewer's.
    Me,
    /// Nobody's yet.
    #[serde(rename = "none")]
    Nobody,
}

impl Owner {
    pub fn param(self) -> &'static str {
        match self {
            Self::Me => "me",
            Self::Nobody => "none",
        }
    }
}

/// Longest search the dashboard runs; longer input is cut.
pub const MAX_QUERY_CHARS: usize = 100;

/// A search as it is run, in the browser and on the server alike: control
/// characters (NUL included) dropped, trimmed, at most [`MAX_QUERY_CHARS`].
pub fn clean_query(q: &str) -> String {
    let kept: String = q.chars().filter(|c| !c.is_control()).collect();
    kept.trim().chars().take(MAX_QUERY_CHARS).collect()
}

/// What a search looks for: the query as typed, except a phone number written
/// with spaces, dashes, dots or brackets (`+34 612-345 678`, `0034 612…`),
/// which is looked for as phone answers are kept: `+` and digits.
pub fn search_term(q: &str) -> std::borrow::Cow<'_, str> {
    let phone_shaped =
        q.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '\u{a0}'));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if !phone_shaped || digits.len() < 3 || digits.len() == q.len() {
        return q.into();
    }
    match (q.trim_start().starts_with('+'), digits.strip_prefix("00")) {
        (true, _) => format!("+{digits}").into(),
        (false, Some(rest)) => format!("+{rest}").into(),
        (false, None) => digits.into(),
    }
}

/// A matter type's key from a URL (`?matter=family`): the characters keys are made of, or nothing.
pub fn matter_key(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    ok.then(|| s.to_owned())
}

/// Which leads to list: the dashboard's URL query (`state`, `q`, `after`, `before`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadFilter {
    pub state: Option<LeadState>,
    pub q: String,
    /// Only leads with this `utm_source`.
    #[serde(default)]
    pub source: Option<String>,
    /// Only the viewer's leads, or only unassigned ones.
    #[serde(default)]
    pub owner: Option<Owner>,
    /// Only pending leads past their follow-up deadline (`state` is then pending).
    #[serde(default)]
    pub overdue: bool,
    /// Only leads with this conflict status (`possible`: waiting for a decision).
    #[serde(default)]
    pub conflict: Option<ConflictStatus>,
    /// Only leads of this matter type (its key).
    #[serde(default)]
    pub matter: Option<String>,
    /// Older than this lead (next page).
    pub after: Option<Uuid>,
    /// Newer than this lead (previous page).
    pub before: Option<Uuid>,
}

impl LeadFilter {
    /// Reads the dashboard's query parameters (`state`, `q`, `source`,
    /// `owner`, `conflict`, `matter`, `after`, `before`) through `get`; unknown values fall back to "all".
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let state = get("state");
        Self {
            source: get("source").and_then(|s| crate::LeadOrigin::clean("", s, "", "").utm_source),
            state: match state {
                Some("pending" | "overdue") => Some(LeadState::Pending),
                Some("reached_out") => Some(LeadState::ReachedOut),
                _ => None,
            },
            overdue: state == Some("overdue"),
            owner: match get("owner") {
                Some("me") => Some(Owner::Me),
                Some("none") => Some(Owner::Nobody),
                _ => None,
            },
            conflict: get("conflict").and_then(ConflictStatus::parse),
            matter: get("matter").and_then(matter_key),
            q: clean_query(get("q").unwrap_or_default()),
            after: get("after").and_then(|s| Uuid::parse_str(s).ok()),
            before: get("before").and_then(|s| Uuid::parse_str(s).ok()),
        }
    }

    /// The URL for this filter with a different cursor.
    pub fn href(&self, after: Option<Uuid>, before: Option<Uuid>) -> String {
        let mut parts = vec![];
        if self.overdue {
            parts.push("state=overdue".into());
        } else if let Some(s) = self.state {
            parts.push(format!("state={}", state_param(s)));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode_component(&self.q)));
        }
        if let Some(s) = &self.source {
            parts.push(format!("source={}", encode_component(s)));
        }
        if let Some(o) = self.owner {
            parts.push(format!("owner={}", o.param()));
        }
        if let Some(c) = self.conflict {
            parts.push(format!("conflict={}", c.as_str()));
        }
        if let Some(m) = &self.matter {
            parts.push(format!("matter={m}"));
        }
        if let Some(a) = after {
            parts.push(format!("after={a}"));
        }
        if let Some(b) = before {
            parts.push(format!("before={b}"));
        }
        if parts.is_empty() { "/leads".into() } else { format!("/leads?{}", parts.join("&")) }
    }

    /// The CSV export of this view (every page of it).
    pub fn export_href(&self) -> String {
        let view = LeadFilter { after: None, before: None, ..self.clone() }.href(None, None);
        view.replacen("/leads", "/leads/export.csv", 1)
    }
}

/// The URL form of a state filter.
pub fn state_param(s: LeadState) -> &'static str {
    match s {
        LeadState::Pending => "pending",
        LeadState::ReachedOut => "reached_out",
    }
}

/// Percent-encodes a query component.
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Who looks at a view, and when: what "mine" and "overdue" mean for it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewpoint {
    pub me: Option<Uuid>,
    /// Leads created before this (ms) are overdue, when a deadline is set.
    pub overdue_before: Option<i64>,
}

impl LeadFilter {
    /// What the search looks for ([`search_term`]).
    pub fn term(&self) -> std::borrow::Cow<'_, str> {
        search_term(&self.q)
    }

    /// Whether a lead belongs in this view, by the same rules as the
    /// server's query: its state, and the search as a case-insensitive
    /// substring of the email, of "first last", or of a short-text or phone answer.
    pub fn matches(&self, lead: &LeadSummary, at: Viewpoint) -> bool {
        if self.state.is_some_and(|s| s != lead.state) {
            return false;
        }
        if self.overdue && at.overdue_before.is_some_and(|t| lead.created_at >= t) {
            return false;
        }
        match self.owner {
            Some(Owner::Me) if at.me.is_none() || lead.assignee.as_ref().map(|a| a.id) != at.me => return false,
            Some(Owner::Nobody) if lead.assignee.is_some() => return false,
            _ => {}
        }
        if self.source.is_some() && self.source != lead.origin.utm_source {
            return false;
        }
        if self.conflict.is_some_and(|c| c != lead.conflict) {
            return false;
        }
        if self.matter.is_some() && self.matter != lead.matter_type {
            return false;
        }
        if self.q.is_empty() {
            return true;
        }
        let q = self.term().to_lowercase();
        lead.email.to_lowercase().contains(&q)
            || format!("{} {}", lead.first_name, lead.last_name).to_lowercase().contains(&q)
            || lead.answers_text.to_lowercase().contains(&q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn searches_lose_control_characters_and_are_capped() {
        assert_eq!(clean_query(" a\0b\u{7}c\n "), "abc");
        assert_eq!(clean_query(&"é".repeat(500)).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(clean_query("\0\0"), "");
    }

    #[test]
    fn filter_round_trips_through_the_url() {
        let id = Uuid::now_v7();
        let ids = id.to_string();
        let f = LeadFilter::from_query(|k| match k {
            "state" => Some("pending"),
            "q" => Some(" Zoë & co "),
            "after" => Some(ids.as_str()),
            _ => None,
        });
        assert_eq!(f.state, Some(LeadState::Pending));
        assert_eq!(f.q, "Zoë & co");
        assert_eq!(f.after, Some(id));
        assert_eq!(f.href(None, None), "/leads?state=pending&q=Zo%C3%AB+%26+co");
        let bad = LeadFilter::from_query(|k| match k {
            "state" => Some("bogus"),
            "owner" => Some("them"),
            "after" => Some("not-a-uuid"),
            _ => None,
        });
        assert_eq!(bad, LeadFilter::default());
        assert_eq!(bad.href(None, None), "/leads");
        let family = LeadFilter::from_query(|k| (k == "matter").then_some("family-law"));
        assert_eq!(family.matter.as_deref(), Some("family-law"));
        assert_eq!(family.href(None, None), "/leads?matter=family-law");
        for odd in ["", "Family", "a b", "x/../y", "é"] {
            assert_eq!(LeadFilter::from_query(|k| (k == "matter").then_some(odd)).matter, None, "{odd:?}");
        }
    }

    #[test]
    fn phone_numbers_are_searched_as_kept() {
        assert_eq!(search_term("+34 612-345 678"), "+34612345678");
        assert_eq!(search_term("0034 (612) 345.678"), "+34612345678");
        assert_eq!(search_term("612 345"), "612345");
        // Anything else is searched as typed.
        for q in ["2024", "ada", "ada 12", "12", "1-2", "+1"] {
            assert_eq!(search_term(q), q);
        }
    }

    #[test]
    fn the_view_matches_short_answers_and_the_matter_type() {
        let lead = LeadSummary {
            matter_type: Some("family".into()),
            answers_text: "Analytical Engines Ltd\n+442079460958".into(),
            ..crate::listing::sample_lead(1, "Ada", "ada@example.com")
        };
        let at = Viewpoint::default();
        let view = |q: &str, matter: Option<&str>| LeadFilter {
            q: q.into(),
            matter: matter.map(Into::into),
            ..LeadFilter::default()
        };
        assert!(view("engines", None).matches(&lead, at));
        assert!(view("+44 20 7946 0958", None).matches(&lead, at));
        assert!(view("7946", Some("family")).matches(&lead, at));
        assert!(!view("", Some("asylum")).matches(&lead, at));
        assert!(!view("babbage", None).matches(&lead, at));
    }
}
