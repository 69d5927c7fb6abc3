//! Conflict checks: the firm's parties, each lead's matches against them and
//! against earlier leads, and attorneys' decisions. The matching itself is
//! the caller's (`intake_domain::conflict`); the store finds candidates by a
//! shared name word or email, and keeps what a check found.

mod postgres;
mod sqlite;

pub(crate) use postgres::fill_party_names as fill_party_names_pg;
pub(crate) use sqlite::fill_party_names as fill_party_names_sqlite;

use super::{Actor, DbError};
use async_trait::async_trait;
use intake_domain::conflict::{ConflictDecision, ConflictStatus, ConflictView, NewParty, PartyRole, name_words};
use intake_domain::live::LiveEvent;
use uuid::Uuid;

/// Candidates scored per check at most (of parties, and of leads), those
/// sharing the most words first, then the newest. Each is read from the
/// word index alone (its row carries the name as compared), so a check of
/// a common name costs the index rows it reads, not a lookup per candidate.
pub const MAX_CANDIDATES: usize = 2_000;

/// Rows read per name word at most, newest first. A word shared by very many
/// earlier leads or parties (a common surname) then costs a check no more
/// than this, however many "Garcia"s the firm has seen: without it, each
/// check read every row of its words, and a run of leads with a common name
/// made each check slower than the last. A candidate sharing two words is
/// still found through the rarer one.
pub const PER_WORD: i64 = 2_000;

/// Name words a check looks up at most (a name has a handful).
pub const MAX_WORDS: usize = 16;

/// The words a check looks up: each once, at most [`MAX_WORDS`].
pub(crate) fn lookup_words(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words {
        if out.len() == MAX_WORDS {
            break;
        }
        if !out.contains(w) {
            out.push(w.clone());
        }
    }
    out
}

/// A party as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredParty {
    pub id: Uuid,
    pub party: NewParty,
    pub created_at: i64,
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyImport {
    /// Parties new to the list.
    pub added: u64,
    /// Parties already listed (kept as they were).
    pub kept: u64,
    /// Parties no longer listed (a replacing import only).
    pub removed: u64,
    /// Leads to be checked again.
    pub rechecks: u64,
}

/// A lead as a check reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadToCheck {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email_normalized: String,
}

/// Someone a lead might be: a party or an earlier lead, with its name's
/// words as compared ([`name_words`], space-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Candidate {
    /// `email`: the party's, when it was found by the lead's email.
    Party {
        id: Uuid,
        words: String,
        email: Option<String>,
    },
    Lead {
        id: Uuid,
        words: String,
    },
}

impl Candidate {
    /// A name's words as a candidate carries them.
    pub fn words_of(name: &str) -> String {
        name_words(name).join(" ")
    }
}

/// The candidates among rows `(id, name words)` read per word (a candidate
/// once per word it shares): each once, those sharing the most words first,
/// then the newest (the greatest id: ids are time-ordered), at most
/// [`MAX_CANDIDATES`].
pub(crate) fn most_shared<I: Ord, W: Into<String>>(rows: impl IntoIterator<Item = (I, Option<W>)>) -> Vec<(I, String)> {
    let mut shared: std::collections::BTreeMap<I, (usize, String)> = std::collections::BTreeMap::new();
    for (id, words) in rows {
        shared.entry(id).or_insert_with(|| (0, words.map(Into::into).unwrap_or_default())).0 += 1;
    }
    let mut out: Vec<(I, usize, String)> = shared.into_iter().map(|(id, (n, w))| (id, n, w)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    out.truncate(MAX_CANDIDATES);
    out.into_iter().map(|(id, _, w)| (id, w)).collect()
}

/// A match a check found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FoundMatch {
    pub with: MatchWith,
    pub same_email: bool,
    pub score: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchWith {
    Party(Uuid),
    Lead(Uuid),
}

#[async_trait]
pub trait ConflictStore: Send + Sync {
    /// Adds parties, each kept once (by its fields): one already listed is
    /// kept as it was, with its matches. With `replace`, parties not in
    /// `parties` are removed. Pending leads and leads waiting for a decision
    /// are queued to be checked again. PostgreSQL writes it in one
    /// transaction; SQLite in several short ones (see [`IMPORT_CHUNK`]), with
    /// the import marked unfinished until the last, so that any later import
    /// queues the rechecks an interrupted one owed.
    async fn import_parties(&self, parties: &[NewParty], replace: bool, now: i64) -> Result<PartyImport, DbError>;

    /// How many parties there are, and the newest `limit` of them.
    async fn parties(&self, limit: i64) -> Result<(i64, Vec<StoredParty>), DbError>;

    /// Leads waiting for a check, oldest first.
    async fn unchecked(&self, limit: i64) -> Result<Vec<LeadToCheck>, DbError>;

    /// Leads waiting for a check.
    async fn unchecked_count(&self) -> Result<i64, DbError>;

    /// Parties with `email` first; then parties and leads older than `lead`
    /// sharing one of `words`, those sharing the most words first, at most
    /// [`MAX_CANDIDATES`] of each; and older leads not checked yet, whose
    /// words are not recorded (the newest [`MAX_CANDIDATES`]).
    async fn candidates(&self, lead: Uuid, words: &[String], email: &str) -> Result<Vec<Candidate>, DbError>;

    /// Keeps checks' results, each as [`ConflictStore::record_check`]; on
    /// SQLite in one write transaction (one fsync, one turn of the write lock
    /// for a whole batch: submissions wait less), on PostgreSQL one each.
    async fn record_checks(&self, checks: &[Check<'_>], now: i64) -> Result<Vec<Option<CheckOutcome>>, DbError>;

    /// Keeps a check's result: its matches, the lead's words (for later
    /// leads' checks) and status. A decided lead keeps its decision unless a
    /// match it was decided without appears. Announced when the lead gains
    /// or loses a possible conflict. `None` when the lead is gone or was
    /// already checked (by another instance).
    async fn record_check(
        &self,
        lead: Uuid,
        words: &[String],
        found: &[FoundMatch],
        now: i64,
    ) -> Result<Option<CheckOutcome>, DbError> {
        Ok(self.record_checks(&[Check { lead, words, found }], now).await?.pop().flatten())
    }

    /// Records an attorney's decision and note in the lead's history and announces it; `None`: no such lead.
    async fn decide(
        &self,
        lead: Uuid,
        decision: ConflictDecision,
        note: &str,
        by: Actor<'_>,
        now: i64,
    ) -> Result<Option<LiveEvent>, DbError>;

    /// A lead's status and matches, strongest first.
    async fn conflicts(&self, lead: Uuid) -> Result<ConflictView, DbError>;
}

/// A check's result, to keep.
#[derive(Clone, Copy, Debug)]
pub struct Check<'a> {
    pub lead: Uuid,
    /// The lead's name words.
    pub words: &'a [String],
    pub found: &'a [FoundMatch],
}

/// What recording a check did.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOutcome {
    pub status: ConflictStatus,
    /// The announcement, when the lead gained or lost a possible conflict.
    pub event: Option<LiveEvent>,
}

/// The status after a check: see [`ConflictStore::record_check`].
pub(crate) fn status_after(before: ConflictStatus, had: &[MatchWith], found: &[FoundMatch]) -> ConflictStatus {
    let decided = matches!(before, ConflictStatus::Cleared | ConflictStatus::Conflict);
    let anything_new = found.iter().any(|m| !had.contains(&m.with));
    match (decided, anything_new, found.is_empty()) {
        (true, false, _) => before,
        (_, _, true) => ConflictStatus::Clear,
        _ => ConflictStatus::Possible,
    }
}

/// Whether a change of status shows on dashboards (the badge comes or goes).
pub(crate) fn announced(before: ConflictStatus, after: ConflictStatus) -> bool {
    before != after && (before == ConflictStatus::Possible || after == ConflictStatus::Possible)
}

/// Parties per statement and, on SQLite, per write transaction: an import of
/// 200,000 parties holds the write lock a few milliseconds at a time, so
/// submissions go on meanwhile.
pub(crate) const IMPORT_CHUNK: usize = 500;

/// A party of an upload: its fingerprint, the words it is found by (its
/// name's and its organisation's) and its name as compared.
pub(crate) struct Listed<'a> {
    pub fingerprint: String,
    pub party: &'a NewParty,
    pub words: Vec<String>,
    pub name: String,
}

impl Listed<'_> {
    /// The upload's parties, each once (the first of duplicates), and their fingerprints.
    pub fn all(parties: &[NewParty]) -> (Vec<Listed<'_>>, std::collections::HashSet<String>) {
        let mut seen = std::collections::HashSet::new();
        let listed = parties
            .iter()
            .filter_map(|party| {
                let fingerprint = fingerprint(party);
                seen.insert(fingerprint.clone()).then(|| {
                    let org = party.organisation.as_deref().filter(|o| *o != party.name).unwrap_or_default();
                    let mut words = name_words(&party.name);
                    words.extend(name_words(org));
                    words.sort_unstable();
                    words.dedup();
                    Listed { fingerprint, party, words, name: Candidate::words_of(&party.name) }
                })
            })
            .collect();
        (listed, seen)
    }
}

/// A party's identity across imports: its fields, normalised and joined.
pub(crate) fn fingerprint(p: &NewParty) -> String {
    let f = |o: &Option<String>| o.as_deref().unwrap_or_default().to_lowercase();
    [p.name.to_lowercase(), f(&p.organisation), f(&p.email), p.role.as_str().to_owned(), f(&p.matter)].join("\u{1f}")
}

pub(crate) fn role(s: &str) -> Result<PartyRole, DbError> {
    PartyRole::parse(s).ok_or_else(|| DbError::corrupt("role", s))
}

/// Shared SQL (`?N` placeholders; see `db::dollars`).
pub(crate) mod sql {
    pub const RECHECK: &str = "UPDATE leads SET conflict_checked_at = NULL
         WHERE conflict_checked_at IS NOT NULL AND (state = 'PENDING' OR conflict = 'possible')";
    pub const PARTY_COUNT: &str = "SELECT COUNT(*) FROM parties";
    pub const PARTIES: &str = "SELECT id, name, organisation, email, role, matter, created_at FROM parties
         ORDER BY created_at DESC, name LIMIT ?1";
    pub const UNCHECKED: &str = "SELECT id, first_name, last_name, email_normalized FROM leads
         WHERE conflict_checked_at IS NULL ORDER BY id LIMIT ?1";
    pub const UNCHECKED_COUNT: &str = "SELECT COUNT(*) FROM leads WHERE conflict_checked_at IS NULL";
    pub const BEFORE: &str = "SELECT conflict FROM leads WHERE id = ?1 AND conflict_checked_at IS NULL";
    pub const HAD: &str = "SELECT party_id, other_lead FROM conflict_matches WHERE lead_id = ?1";
    pub const CLEAR_MATCHES: &str = "DELETE FROM conflict_matches WHERE lead_id = ?1";
    pub const ADD_MATCH: &str =
        "INSERT INTO conflict_matches (lead_id, party_id, other_lead, same_email, score) VALUES (?1, ?2, ?3, ?4, ?5)";
    pub const CLEAR_WORDS: &str = "DELETE FROM lead_words WHERE lead_id = ?1";
    pub const ADD_WORD: &str =
        "INSERT INTO lead_words (word, lead_id, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
    /// Parties whose word rows predate their name's (see `fill_party_names`).
    pub const UNNAMED: &str = "SELECT id, name FROM parties
         WHERE id IN (SELECT DISTINCT party_id FROM party_words WHERE name IS NULL LIMIT 500)";
    pub const NAME_PARTY: &str = "UPDATE party_words SET name = ?1 WHERE party_id = ?2";
    pub const PARTIES_BY_EMAIL: &str = "SELECT id, name, email FROM parties WHERE email = ?1";
    pub const SET_STATUS: &str =
        "UPDATE leads SET conflict = ?1, conflict_checked_at = ?2 WHERE id = ?3 AND conflict_checked_at IS NULL";
    pub const CHECKED_EVENT: &str = "INSERT INTO lead_events (lead_id, kind, state, at, detail)
         SELECT id, 'CONFLICT_CHECKED', state, ?2, ?3 FROM leads WHERE id = ?1 RETURNING id";
    pub const DECIDE: &str = "UPDATE leads SET conflict = ?1, updated_at = ?2 WHERE id = ?3";
    pub const DECIDED_EVENT: &str =
        "INSERT INTO lead_events (lead_id, kind, state, attorney_id, token_id, at, detail, note)
         SELECT id, 'CONFLICT_DECIDED', state, ?2, ?3, ?4, ?5, ?6 FROM leads WHERE id = ?1 RETURNING id";
    pub const STATUS: &str = "SELECT conflict FROM leads WHERE id = ?1";
    pub const MATCHES: &str = "SELECT m.same_email, m.score, p.name, p.organisation, p.role, p.matter,
             o.id AS other_id, o.first_name, o.last_name
         FROM conflict_matches m LEFT JOIN parties p ON p.id = m.party_id LEFT JOIN leads o ON o.id = m.other_lead
         WHERE m.lead_id = ?1 ORDER BY m.score DESC, p.name, o.id LIMIT 100";
}

/// A row of [`sql::PARTIES`].
pub(crate) fn party_row(r: &impl crate::row::Columns) -> Result<StoredParty, DbError> {
    Ok(StoredParty {
        id: r.uuid("id")?,
        party: NewParty {
            name: r.text("name")?,
            organisation: r.opt_text("organisation")?,
            email: r.opt_text("email")?,
            role: role(&r.text("role")?)?,
            matter: r.opt_text("matter")?,
        },
        created_at: r.int("created_at")?,
    })
}

/// The other side of a row of [`sql::HAD`].
pub(crate) fn match_with(r: &impl crate::row::Columns) -> Result<MatchWith, DbError> {
    match (r.opt_uuid("party_id")?, r.opt_uuid("other_lead")?) {
        (Some(p), _) => Ok(MatchWith::Party(p)),
        (None, Some(l)) => Ok(MatchWith::Lead(l)),
        (None, None) => Err(DbError::corrupt("conflict_matches", "neither side")),
    }
}

/// A row of [`sql::MATCHES`], whose score the driver read.
pub(crate) fn match_row(
    r: &impl crate::row::Columns,
    score: f64,
) -> Result<intake_domain::conflict::ConflictMatch, DbError> {
    use intake_domain::conflict::ConflictMatch;
    let score = (score.clamp(0.0, 1.0) * 100.0).round() as u8;
    Ok(match r.opt_uuid("other_id")? {
        Some(id) => {
            ConflictMatch::Lead { id, name: format!("{} {}", r.text("first_name")?, r.text("last_name")?), score }
        }
        None => ConflictMatch::Party {
            name: r.text("name")?,
            organisation: r.opt_text("organisation")?,
            role: role(&r.text("role")?)?,
            matter: r.opt_text("matter")?,
            same_email: r.flag("same_email")?,
            score,
        },
    })
}

/// The event announcing a check's or a decision's change to the lead now in `row`.
pub(crate) fn conflict_event(
    event_id: i64,
    kind: intake_domain::live::LiveEventKind,
    row: intake_domain::listing::LeadSummary,
    by: Option<String>,
    now: i64,
) -> LiveEvent {
    LiveEvent { id: event_id, lead_id: row.id, kind, state: row.state, by, at: now, lead: Some(row) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(with: MatchWith) -> FoundMatch {
        FoundMatch { with, same_email: false, score: 1.0 }
    }

    #[test]
    fn a_decision_stands_until_a_new_match_appears() {
        let (a, b) = (MatchWith::Party(Uuid::from_u128(1)), MatchWith::Lead(Uuid::from_u128(2)));
        use ConflictStatus::*;
        assert_eq!(status_after(Unchecked, &[], &[]), Clear);
        assert_eq!(status_after(Unchecked, &[], &[found(a)]), Possible);
        assert_eq!(status_after(Cleared, &[a], &[found(a)]), Cleared);
        assert_eq!(status_after(Cleared, &[a], &[]), Cleared, "a decision outlives its match");
        assert_eq!(status_after(Conflict, &[a], &[found(a), found(b)]), Possible, "a new match reopens it");
        assert_eq!(status_after(Possible, &[a], &[]), Clear);
        assert!(announced(Clear, Possible) && announced(Possible, Clear) && !announced(Unchecked, Clear));
    }
}
