//! Conflict of interest: the firm's parties (clients, former clients,
//! adverse and related parties), how a name is reduced to comparable keys,
//! how alike two names are, and what an attorney decides about a match.

use crate::Email;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

/// Two names match when every word of the shorter one (at least two words)
/// has a counterpart in the other at Jaro-Winkler ≥ [`WORD_THRESHOLD`] and
/// the words' mean similarity is ≥ [`NAME_THRESHOLD`]. Chosen on the issue's
/// examples: "José García-López" ~ "Lopez, Jose" scores 1.0, "Jose Garcya"
/// ~ "Jose Garcia" 0.97, "Jonathon Smith" ~ "Jonathan Smith" 0.975; "Maria
/// Garza" ~ "Mario Garcia" does not match (surnames 0.876, mean 0.90), nor
/// "John Smith" ~ "Joan Smyth" (0.87 and 0.89).
pub const NAME_THRESHOLD: f64 = 0.93;
/// See [`NAME_THRESHOLD`].
pub const WORD_THRESHOLD: f64 = 0.88;

/// Longest party name, organisation or matter reference kept.
pub const MAX_PARTY_TEXT: usize = 200;

/// What a party is to the firm.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Client,
    FormerClient,
    AdverseParty,
    RelatedParty,
}

impl PartyRole {
    pub const ALL: [Self; 4] = [Self::Client, Self::FormerClient, Self::AdverseParty, Self::RelatedParty];

    /// As stored and as the API and CSV spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::FormerClient => "former_client",
            Self::AdverseParty => "adverse_party",
            Self::RelatedParty => "related_party",
        }
    }

    /// How a person reads it ("adverse party").
    pub fn label(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::FormerClient => "former client",
            Self::AdverseParty => "adverse party",
            Self::RelatedParty => "related party",
        }
    }

    /// Accepts the stored spelling and the label, in any case, with spaces,
    /// dashes or underscores ("Adverse party", "former-client").
    pub fn parse(s: &str) -> Option<Self> {
        let words: String =
            s.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() }).collect();
        match words.as_str() {
            "adverse" => Some(Self::AdverseParty),
            "related" => Some(Self::RelatedParty),
            w => Self::ALL.into_iter().find(|r| r.as_str() == w),
        }
    }
}

/// A party as the firm lists it, checked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewParty {
    pub name: String,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub role: PartyRole,
    /// The firm's reference for the matter ("2024-117").
    pub matter: Option<String>,
}

/// Why a party was refused: the field and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyError {
    pub field: &'static str,
    pub reason: String,
}

impl std::fmt::Display for PartyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl NewParty {
    /// Checks one party. A name is required (a person's or an organisation's);
    /// blank optional fields are absent.
    pub fn parse(name: &str, organisation: &str, email: &str, role: &str, matter: &str) -> Result<Self, PartyError> {
        let text = |field: &'static str, v: &str| -> Result<Option<String>, PartyError> {
            let v: String = v.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_owned();
            if v.chars().count() > MAX_PARTY_TEXT {
                return Err(PartyError { field, reason: format!("is longer than {MAX_PARTY_TEXT} characters") });
            }
            Ok((!v.is_empty()).then_some(v))
        };
        let organisation = text("organisation", organisation)?;
        let name = match text("name", name)? {
            Some(n) => n,
            None => organisation.clone().ok_or(PartyError { field: "name", reason: "is required".into() })?,
        };
        if name_words(&name).is_empty() {
            return Err(PartyError { field: "name", reason: "needs a word of two letters or more".into() });
        }
        let email = match email.trim() {
            "" => None,
            e => Some(
                Email::parse(e)
                    .map_err(|_| PartyError { field: "email", reason: "is not an email address".into() })?
                    .normalized(),
            ),
        };
        let role = PartyRole::parse(role).ok_or_else(|| PartyError {
            field: "role",
            reason: "must be client, former client, adverse party or related party".into(),
        })?;
        Ok(Self { name, organisation, email, role, matter: text("matter", matter)? })
    }
}

/// A name's words as compared: lower case, accents and punctuation gone,
/// single letters (initials) dropped, at most 8 words.
pub fn name_words(name: &str) -> Vec<String> {
    let folded: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ß' => 's',
            'ø' => 'o',
            'ł' => 'l',
            'đ' => 'd',
            'æ' => 'a',
            'œ' => 'o',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    let mut words: Vec<String> =
        folded.split_whitespace().filter(|w| w.chars().count() > 1).map(String::from).collect();
    words.truncate(8);
    words
}

/// How alike two names' words are (0 to 1), in any order; below the
/// thresholds (see [`NAME_THRESHOLD`]) the result is 0.
pub fn name_score(a: &[impl AsRef<str>], b: &[impl AsRef<str>]) -> f64 {
    let a: Vec<&str> = a.iter().map(AsRef::as_ref).collect();
    let b: Vec<&str> = b.iter().map(AsRef::as_ref).collect();
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    if short.len() < 2 {
        return 0.0;
    }
    let mut used = vec![false; long.len()];
    let mut total = 0.0;
    for w in short {
        let best = long
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(i, o)| (i, strsim::jaro_winkler(w, o)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match best {
            Some((i, s)) if s >= WORD_THRESHOLD => {
                used[i] = true;
                total += s;
            }
            _ => return 0.0,
        }
    }
    let score = total / short.len() as f64;
    if score >= NAME_THRESHOLD { score } else { 0.0 }
}

/// Where a lead stands on conflicts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStatus {
    /// Not checked yet (it is, in the background, moments after arriving).
    #[default]
    Unchecked,
    /// Checked: no match.
    Clear,
    /// Checked: matches wait for an attorney's decision.
    Possible,
    /// An attorney looked at the matches: no conflict.
    Cleared,
    /// An attorney found a conflict.
    Conflict,
}

impl ConflictStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchecked => "unchecked",
            Self::Clear => "clear",
            Self::Possible => "possible",
            Self::Cleared => "cleared",
            Self::Conflict => "conflict",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Unchecked, Self::Clear, Self::Possible, Self::Cleared, Self::Conflict]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// The dashboard's badge, when there is one to show.
    pub fn badge(self) -> Option<&'static str> {
        match self {
            Self::Possible => Some("Possible conflict"),
            Self::Conflict => Some("Conflict"),
            _ => None,
        }
    }
}

/// What an attorney decides about a lead's matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictDecision {
    Cleared,
    Conflict,
}

impl ConflictDecision {
    pub fn status(self) -> ConflictStatus {
        match self {
            Self::Cleared => ConflictStatus::Cleared,
            Self::Conflict => ConflictStatus::Conflict,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cleared" => Some(Self::Cleared),
            "conflict" => Some(Self::Conflict),
            _ => None,
        }
    }
}

/// Longest note kept with a decision.
pub const MAX_DECISION_NOTE: usize = 2000;

/// What a lead matched.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "with", rename_all = "snake_case")]
pub enum ConflictMatch {
    /// One of the firm's parties.
    Party {
        name: String,
        organisation: Option<String>,
        role: PartyRole,
        matter: Option<String>,
        /// The same email address (else: a similar name).
        same_email: bool,
        /// How alike, in percent (100 for an email match).
        score: u8,
    },
    /// An earlier lead with a similar name (two leads never share an email).
    Lead { id: Uuid, name: String, score: u8 },
}

impl ConflictMatch {
    /// One line for the lead's page: "adverse party 'José García' in matter 2024-117 (same email)".
    pub fn describe(&self) -> String {
        let why = |same_email: bool, score: u8| {
            if same_email { "same email".to_owned() } else { format!("similar name, {score}%") }
        };
        match self {
            Self::Party { name, organisation, role, matter, same_email, score } => {
                let mut s = format!("{} '{name}'", capitalised(role.label()));
                if let Some(o) = organisation.as_deref().filter(|o| o != name) {
                    s += &format!(" ({o})");
                }
                if let Some(m) = matter {
                    s += &format!(" in matter {m}");
                }
                format!("{s}: {}", why(*same_email, *score))
            }
            Self::Lead { name, score, .. } => format!("Earlier lead '{name}': {}", why(false, *score)),
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The firm's parties list as `/admin/parties` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartiesView {
    pub total: i64,
    /// The newest parties (with when each was added).
    pub newest: Vec<(NewParty, i64)>,
    /// Leads waiting for a check.
    pub waiting: i64,
}

/// Parties `/admin/parties` lists.
pub const PARTIES_SHOWN: i64 = 100;

/// A lead's conflict check as its page shows it (decisions are in its history).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictView {
    pub status: ConflictStatus,
    /// Strongest first.
    pub matches: Vec<ConflictMatch>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(a: &str, b: &str) -> f64 {
        name_score(&name_words(a), &name_words(b))
    }

    #[test]
    fn names_are_folded_to_words() {
        assert_eq!(name_words("José García-López"), ["jose", "garcia", "lopez"]);
        assert_eq!(name_words("  LOPEZ,  Jose "), ["lopez", "jose"]);
        assert_eq!(name_words("Søren Kierkegaard"), ["soren", "kierkegaard"]);
        assert_eq!(name_words("J. R. R. Tolkien"), ["tolkien"], "initials dropped");
        assert_eq!(name_words("Zoë O'Brien"), ["zoe", "brien"]);
        assert_eq!(name_words("李 小龍"), ["小龍"], "a one-character word is dropped like an initial");
        assert!(name_words("-- !!").is_empty());
    }

    #[test]
    fn variants_of_one_name_match_in_any_order_and_spelling() {
        for (a, b) in [
            ("José García-López", "Jose Garcia Lopez"),
            ("José García-López", "Lopez, Jose"),
            ("José García-López", "GARCIA LOPEZ JOSE"),
            ("José García", "Jose Garcia-Lopez"),
            ("Catherine Zeta-Jones", "Catherine Zeta Jone"),
        ] {
            assert!(score(a, b) >= NAME_THRESHOLD, "{a} ~ {b}: {}", score(a, b));
        }
        assert_eq!(score("José García-López", "Lopez, Jose"), 1.0);
    }

    #[test]
    fn merely_similar_or_partial_names_do_not_match() {
        for (a, b) in [
            ("Maria Garza", "Mario Garcia"),
            ("José García", "José Martínez"),
            ("Jose", "Jose Garcia"),
            ("Ann Lee", "Anna Leigh"),
            ("John Smith", "Joan Smyth"),
        ] {
            assert_eq!(score(a, b), 0.0, "{a} !~ {b}");
        }
    }

    #[test]
    fn parties_are_checked_field_by_field() {
        let p = NewParty::parse(" José García ", "", "Jose@Example.COM", "Adverse party", " 2024-117 ").unwrap();
        assert_eq!(
            (p.name.as_str(), p.email.as_deref(), p.role, p.matter.as_deref()),
            ("José García", Some("jose@example.com"), PartyRole::AdverseParty, Some("2024-117"))
        );
        let org = NewParty::parse("", "Acme Holdings", "", "client", "").unwrap();
        assert_eq!((org.name.as_str(), org.organisation.as_deref()), ("Acme Holdings", Some("Acme Holdings")));
        let err = |r: Result<NewParty, PartyError>| r.unwrap_err().field;
        assert_eq!(err(NewParty::parse("", "", "", "client", "")), "name");
        assert_eq!(err(NewParty::parse("!!", "", "", "client", "")), "name");
        assert_eq!(err(NewParty::parse("Ann", "", "not-an-email", "client", "")), "email");
        assert_eq!(err(NewParty::parse("Ann", "", "", "friend", "")), "role");
        assert_eq!(err(NewParty::parse("Ann", "", "", "client", &"x".repeat(201))), "matter");
        for r in ["client", "Former client", "former-client", "ADVERSE", "related_party"] {
            assert!(PartyRole::parse(r).is_some(), "{r}");
        }
    }

    #[test]
    fn a_match_reads_as_a_sentence() {
        let m = ConflictMatch::Party {
            name: "José García".into(),
            organisation: None,
            role: PartyRole::AdverseParty,
            matter: Some("2024-117".into()),
            same_email: false,
            score: 97,
        };
        assert_eq!(m.describe(), "Adverse party 'José García' in matter 2024-117: similar name, 97%");
    }
}
