//! Conflict checks. Each new lead is compared, after it is stored and never
//! on the prospect's request, with the firm's parties (clients, former
//! clients, adverse and related parties) and with earlier leads: the same
//! email, or a name alike by `intake_domain::conflict::name_score`. Matches
//! show on the lead's page, as a badge on the dashboard, in the API and in
//! webhooks; an attorney records the decision.

use crate::{error::Error, services::Services};
use intake_domain::conflict::{ConflictDecision, MAX_DECISION_NOTE, NewParty, name_score, name_words};
use intake_store::conflicts::{Candidate, Check, FoundMatch, LeadToCheck, MatchWith, PartyImport};
use intake_store::{Actor, Db, DbError, now_ms};
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

/// Matches kept per lead, strongest first.
pub const MAX_MATCHES: usize = 50;
/// Leads read per round of checks.
const BATCH: i64 = 100;
/// Longest idle wait: leads stored by another instance, or left by a crash, are checked by then.
const IDLE: Duration = Duration::from_secs(30);

/// The matches among `candidates` for a lead with these name words and
/// email, each candidate once (its strongest reason: one found by its email
/// and by its name is a same-email match).
pub fn find_matches(words: &[String], email: &str, candidates: &[Candidate]) -> Vec<FoundMatch> {
    let mut best: HashMap<MatchWith, FoundMatch> = HashMap::new();
    for c in candidates {
        let (with, same_email, other) = match c {
            Candidate::Party { id, words, email: e } => {
                (MatchWith::Party(*id), e.as_deref() == Some(email) && !email.is_empty(), words)
            }
            Candidate::Lead { id, words } => (MatchWith::Lead(*id), false, words),
        };
        let score = if same_email {
            1.0
        } else {
            let other: Vec<&str> = other.split(' ').filter(|w| !w.is_empty()).collect();
            name_score(words, &other)
        };
        if score > 0.0 {
            let found = FoundMatch { with, same_email, score };
            best.entry(with)
                .and_modify(|m| {
                    if (found.same_email, found.score) > (m.same_email, m.score) {
                        *m = found;
                    }
                })
                .or_insert(found);
        }
    }
    let mut found: Vec<FoundMatch> = best.into_values().collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.with.cmp(&b.with)));
    found.truncate(MAX_MATCHES);
    found
}

/// Checks leads and keeps their results together (one write on SQLite);
/// true when any was announced (webhooks queued). A lead of the batch is found by a later one
/// as a lead not checked yet (its words are kept with its result).
pub async fn check_batch(db: &Db, leads: &[LeadToCheck], now: i64) -> Result<bool, DbError> {
    let mut results = Vec::with_capacity(leads.len());
    for lead in leads {
        let words = name_words(&format!("{} {}", lead.first_name, lead.last_name));
        let candidates = db.conflicts().candidates(lead.id, &words, &lead.email_normalized).await?;
        let found = find_matches(&words, &lead.email_normalized, &candidates);
        results.push((lead.id, words, found));
    }
    let checks: Vec<Check<'_>> =
        results.iter().map(|(lead, words, found)| Check { lead: *lead, words, found }).collect();
    let outcomes = db.conflicts().record_checks(&checks, now).await?;
    Ok(outcomes.iter().flatten().any(|o| o.event.is_some()))
}

/// Checks every lead waiting for one, oldest first, a batch at a time; how many were checked.
pub async fn check_waiting(state: &Services) -> Result<usize, DbError> {
    let mut checked = 0;
    loop {
        let batch = state.db.conflicts().unchecked(BATCH).await?;
        if batch.is_empty() {
            return Ok(checked);
        }
        if check_batch(&state.db, &batch, now_ms()).await? {
            state.outbox_wake.notify();
        }
        checked += batch.len();
        if *state.shutdown.borrow() {
            return Ok(checked);
        }
    }
}

/// Checks waiting leads whenever woken (a new lead, an import), and every
/// [`IDLE`] anyway, until shutdown.
pub async fn run(state: Services) {
    let mut shutdown = state.shutdown.clone();
    loop {
        if let Err(e) = check_waiting(&state).await {
            tracing::error!(error = %e, "conflict checks failed; trying again shortly");
        }
        tokio::select! {
            _ = state.conflict_wake.notified() => {}
            _ = tokio::time::sleep(IDLE) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

/// Adds (or, with `replace`, replaces) the firm's parties; waiting leads are checked again.
pub async fn import(state: &Services, parties: Vec<NewParty>, replace: bool) -> Result<PartyImport, Error> {
    if parties.is_empty() {
        // Never an empty list that replaces everything by mistake.
        return Err(Error::BadParam("parties: a list needs at least one party".into()));
    }
    if parties.len() > state.config.leads.max_parties {
        return Err(Error::BadParam(format!(
            "a list holds at most {} parties (INTAKE_MAX_PARTIES); this one holds {}",
            state.config.leads.max_parties,
            parties.len()
        )));
    }
    // Its own task: a client gone mid-upload (or a proxy's timeout) does not
    // stop an import between its writes.
    let db = state.db.clone();
    let done = tokio::spawn(async move { db.conflicts().import_parties(&parties, replace, now_ms()).await })
        .await
        .map_err(|e| Error::internal("parties import", e))??;
    if done.rechecks > 0 {
        state.conflict_wake.notify_one();
    }
    Ok(done)
}

/// The parties list as `/admin/parties` shows it.
pub async fn view(state: &Services) -> Result<intake_domain::conflict::PartiesView, Error> {
    let (total, newest) = state.db.conflicts().parties(intake_domain::conflict::PARTIES_SHOWN).await?;
    Ok(intake_domain::conflict::PartiesView {
        total,
        newest: newest.into_iter().map(|p| (p.party, p.created_at)).collect(),
        waiting: state.db.conflicts().unchecked_count().await?,
    })
}

/// Records an attorney's decision about a lead's conflicts.
pub async fn decide(
    state: &Services,
    lead: Uuid,
    decision: ConflictDecision,
    note: &str,
    by: Actor<'_>,
) -> Result<(), Error> {
    let note = note.trim();
    if note.chars().count() > MAX_DECISION_NOTE {
        return Err(Error::BadParam(format!("note: at most {MAX_DECISION_NOTE} characters")));
    }
    state.db.conflicts().decide(lead, decision, note, by, now_ms()).await?.ok_or(Error::NotFound("lead"))?;
    state.outbox_wake.notify();
    Ok(())
}

/// A parties list as CSV: a header row naming the columns (`name`,
/// `organisation` or `organization`, `email`, `role`, `matter`; `name` or
/// `organisation`, and `role`, required; others ignored), then a party per
/// row. The first wrong row refuses the whole list, naming its line and why.
pub fn parse_csv(bytes: &[u8], max: usize) -> Result<Vec<NewParty>, Error> {
    let bad = |line: u64, why: String| Error::BadParam(format!("line {line}: {why}"));
    let mut reader = csv::ReaderBuilder::new().flexible(false).trim(csv::Trim::All).from_reader(bytes);
    let headers = reader.headers().map_err(|e| bad(1, csv_reason(&e)))?.clone();
    let col = |names: &[&str]| {
        headers.iter().position(|h| names.iter().any(|n| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(n)))
    };
    let (name, org) = (col(&["name"]), col(&["organisation", "organization", "company"]));
    let (email, role, matter) = (col(&["email"]), col(&["role"]), col(&["matter", "matter reference", "reference"]));
    if name.is_none() && org.is_none() {
        return Err(bad(1, "the header row needs a name (or organisation) column".into()));
    }
    let Some(role) = role else { return Err(bad(1, "the header row needs a role column".into())) };
    let mut parties = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.position().map_or(0, |p| p.line()), csv_reason(&e)))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if parties.len() == max {
            return Err(bad(line, format!("a list holds at most {max} parties (INTAKE_MAX_PARTIES)")));
        }
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
        let party = NewParty::parse(get(name), get(org), get(email), get(Some(role)), get(matter))
            .map_err(|e| bad(line, e.to_string()))?;
        parties.push(party);
    }
    if parties.is_empty() {
        return Err(bad(1, "the list holds no parties".into()));
    }
    Ok(parties)
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text".into(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} fields where the header has {expected_len}")
        }
        _ => "cannot be read as CSV".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intake_domain::conflict::PartyRole;

    #[test]
    fn a_csv_list_is_read_by_its_header() {
        let csv = "\u{feff}Name,Organisation,Email,Role,Matter,Notes\n\
                   José García,,jose@example.com,adverse party,2024-117,x\n\
                   ,Acme Holdings,,client,,\n\
                   ,,,,,\n\
                   \"Lopez, Jose\",,,former client,,\n";
        let parties = parse_csv(csv.as_bytes(), 10).unwrap();
        assert_eq!(parties.len(), 3);
        assert_eq!((parties[0].role, parties[0].matter.as_deref()), (PartyRole::AdverseParty, Some("2024-117")));
        assert_eq!(parties[1].name, "Acme Holdings");
        assert_eq!(parties[2].name, "Lopez, Jose");
    }

    #[test]
    fn a_wrong_row_refuses_the_list_naming_its_line() {
        let msg = |csv: &str| match parse_csv(csv.as_bytes(), 2) {
            Err(Error::BadParam(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg("name,role\nAnn Lee,client\nBob,enemy\n"),
            "line 3: role: must be client, former client, adverse party or related party"
        );
        assert_eq!(msg("name,email,role\nAnn Lee,ann@,client\n"), "line 2: email: is not an email address");
        assert_eq!(msg("name,role\nAnn Lee,client,extra\n"), "line 2: has 3 fields where the header has 2");
        assert_eq!(msg("who,what\nAnn,client\n"), "line 1: the header row needs a name (or organisation) column");
        assert_eq!(msg("name\nAnn\n"), "line 1: the header row needs a role column");
        assert_eq!(msg("name,role\n"), "line 1: the list holds no parties");
        assert_eq!(
            msg("name,role\nAnn Bee,client\nCy Dee,client\nEd Eff,client\n"),
            "line 4: a list holds at most 2 parties (INTAKE_MAX_PARTIES)"
        );
        assert!(msg("name,role\n\u{0}\u{7}-,client\n").starts_with("line 2: name"), "control characters only: no name");
        let latin1 = b"name,role\nJos\xe9,client\n";
        assert!(matches!(parse_csv(latin1, 5), Err(Error::BadParam(m)) if m == "line 2: is not UTF-8 text"));
    }

    #[test]
    fn matches_are_by_email_or_name_strongest_first() {
        let party = |n: u128, name: &str, email: Option<&str>| Candidate::Party {
            id: Uuid::from_u128(n),
            words: Candidate::words_of(name),
            email: email.map(str::to_owned),
        };
        let words = name_words("Jose Garcia Lopez");
        let found = find_matches(
            &words,
            "jose@example.com",
            &[
                party(1, "José García", None),
                party(2, "Someone Else", Some("jose@example.com")),
                party(3, "Maria Garcia", None),
                Candidate::Lead { id: Uuid::from_u128(4), words: Candidate::words_of("José García-López") },
            ],
        );
        let ids: Vec<_> = found.iter().map(|m| m.with).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(ids.contains(&MatchWith::Party(Uuid::from_u128(2))) && found.iter().any(|m| m.same_email));
        assert!(!ids.contains(&MatchWith::Party(Uuid::from_u128(3))), "only the surname is shared");
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
        // No email given: an empty address matches nothing.
        assert!(find_matches(&words, "", &[party(5, "Other Person", Some(""))]).is_empty());
        // A party found by its name and again by its email is one same-email match, whatever the order.
        for order in [
            [party(6, "Jose Garcia", None), party(6, "Jose Garcia", Some("j@x.es"))],
            [party(6, "Jose Garcia", Some("j@x.es")), party(6, "Jose Garcia", None)],
        ] {
            let found = find_matches(&name_words("Jose Garcia"), "j@x.es", &order);
            assert_eq!(
                found,
                [FoundMatch { with: MatchWith::Party(Uuid::from_u128(6)), same_email: true, score: 1.0 }]
            );
        }
    }
}
