//! `ConflictStore`: parties kept once across imports, candidates by a shared
//! name word or email, a check recorded once and announced, decisions in the
//! history, and erasure taking a lead's words and matches with it.

use crate::harness::{actor, add_attorney, add_lead, named_lead, next};
use intake_domain::conflict::{ConflictDecision, ConflictMatch, ConflictStatus, NewParty};
use intake_domain::filter::LeadFilter;
use intake_domain::live::LiveEventKind;
use intake_store::conflicts::{Candidate, FoundMatch, MatchWith};
use intake_store::dashboard::ListQuery;
use intake_store::{Db, LiveMessage, erasures::Why};

fn party(name: &str, email: &str, role: &str, matter: &str) -> NewParty {
    NewParty::parse(name, "", email, role, matter).unwrap()
}

fn words(name: &str) -> Vec<String> {
    intake_domain::conflict::name_words(name)
}

contract! {
    /// A party is kept once; importing the list again keeps what it still
    /// holds, and a replacing import removes the rest and queues rechecks.
    parties_are_kept_once_and_a_replacing_import_removes_the_rest,
    |db: Db| async move {
        let c = db.conflicts();
        let garcia = party("José García", "jose@example.com", "adverse party", "2024-117");
        let acme = NewParty::parse("", "Acme Holdings", "", "client", "").unwrap();
        let done = c.import_parties(&[garcia.clone(), acme.clone(), garcia.clone()], false, 1_000).await.unwrap();
        assert_eq!((done.added, done.kept, done.removed), (2, 0, 0));
        let lead = add_lead(&db, named_lead("Ann", "Lee", "ann@example.com")).await;
        c.record_check(lead.id, &words("Ann Lee"), &[], 1_500).await.unwrap().expect("checked");
        assert!(c.unchecked(10).await.unwrap().is_empty());

        let lopez = party("Lopez, Jose", "", "former client", "");
        let done = c.import_parties(&[garcia.clone(), lopez], true, 2_000).await.unwrap();
        assert_eq!((done.added, done.kept, done.removed, done.rechecks), (1, 1, 1, 1));
        let (count, listed) = c.parties(10).await.unwrap();
        assert_eq!(count, 2);
        assert_eq!(listed[0].party.name, "Lopez, Jose", "newest first");
        assert_eq!(listed[1].party, garcia);
        assert_eq!(c.unchecked(10).await.unwrap().iter().map(|l| l.id).collect::<Vec<_>>(), [lead.id], "checked again");
        assert_eq!(c.unchecked_count().await.unwrap(), 1);
        // The same list again changes nothing, and queues nothing.
        let done = c.import_parties(&[garcia], false, 3_000).await.unwrap();
        assert_eq!((done.added, done.kept, done.rechecks), (0, 1, 0));
    }
}

contract! {
    /// A list longer than one write (500 parties) is imported whole: each
    /// party once across writes, its words findable, and a replacing import
    /// removes the rest across writes too.
    a_long_list_is_imported_across_writes,
    |db: Db| async move {
        let c = db.conflicts();
        let name = |i: usize| format!("Person{i} Surname{i}");
        let list: Vec<NewParty> = (0..2_500).map(|i| party(&name(i), "", "client", "")).collect();
        let mut twice = list.clone();
        twice.push(list[5].clone());
        let done = c.import_parties(&twice, false, 1_000).await.unwrap();
        assert_eq!((done.added, done.kept, done.removed), (2_500, 0, 0));
        let lead = add_lead(&db, named_lead("Person2499", "Surname2499", "p@example.com")).await;
        let found = c.candidates(lead.id, &words(&name(2_499)), "p@example.com").await.unwrap();
        assert!(
            matches!(&found[..], [Candidate::Party { words: n, .. }] if *n == "person2499 surname2499"),
            "{found:?}"
        );

        let mut kept: Vec<NewParty> = list[..1_200].to_vec();
        kept.push(party("Someone New", "", "client", ""));
        let done = c.import_parties(&kept, true, 2_000).await.unwrap();
        assert_eq!((done.added, done.kept, done.removed), (1, 1_200, 1_300));
        assert_eq!(c.parties(1).await.unwrap().0, 1_201);
        assert!(c.candidates(lead.id, &words(&name(2_499)), "p@example.com").await.unwrap().is_empty());
    }
}

contract! {
    /// An import cut short (here: its task aborted once its first write is
    /// in) and uploaded again leaves the list whole and the pending leads
    /// queued for a check, though the second upload adds nothing.
    an_import_cut_short_and_sent_again_still_queues_the_rechecks,
    |db: Db| async move {
        let c = db.conflicts();
        let name = |i: usize| format!("Person{i} Surname{i}");
        let known: Vec<NewParty> = (0..1_000).map(|i| party(&name(i), "", "client", "")).collect();
        c.import_parties(&known, false, 1_000).await.unwrap();
        let lead = add_lead(&db, named_lead("Ann", "Lee", "ann@example.com")).await;
        c.record_check(lead.id, &words("Ann Lee"), &[], 1_500).await.unwrap().expect("checked");
        // 500 new parties first, then the 1,000 already listed.
        let mut list: Vec<NewParty> = (1_000..1_500).map(|i| party(&name(i), "", "client", "")).collect();
        list.extend(known);
        let task = tokio::spawn({
            let (db, list) = (db.clone(), list.clone());
            async move { db.conflicts().import_parties(&list, false, 2_000).await }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while c.parties(1).await.unwrap().0 < 1_500 {
            assert!(std::time::Instant::now() < deadline, "the first write never came");
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        task.abort();
        let _ = task.await;

        let done = c.import_parties(&list, false, 3_000).await.unwrap();
        assert_eq!((done.added, done.kept), (0, 1_500));
        assert_eq!(c.parties(1).await.unwrap().0, 1_500);
        assert_eq!(c.unchecked(10).await.unwrap().iter().map(|l| l.id).collect::<Vec<_>>(), [lead.id], "queued");
        // Finished now: the same list again queues nothing.
        c.record_check(lead.id, &words("Ann Lee"), &[], 3_500).await.unwrap().expect("checked");
        assert_eq!(c.import_parties(&list, false, 4_000).await.unwrap().rechecks, 0);
    }
}

contract! {
    /// Candidates share a name word or the email; earlier leads count (checked or not: unchecked ones by name), later ones never.
    candidates_share_a_word_or_the_email,
    |db: Db| async move {
        let c = db.conflicts();
        c.import_parties(
            &[
                party("José García", "", "adverse party", "2024-117"),
                party("Someone Else", "ada@example.com", "client", ""),
                party("Maria Lopez", "", "client", ""),
            ],
            false,
            1_000,
        )
        .await
        .unwrap();
        let first = add_lead(&db, named_lead("Jose", "Garcia", "first@example.com")).await;
        c.record_check(first.id, &words("Jose Garcia"), &[], 1_000).await.unwrap();
        let unchecked = add_lead(&db, named_lead("Zed", "Zulu", "zed@example.com")).await;
        let lead = add_lead(&db, named_lead("Jose", "Garcia Lopez", "ada@example.com")).await;
        let later = add_lead(&db, named_lead("Jose", "Garcia", "later@example.com")).await;
        c.record_check(later.id, &words("Jose Garcia"), &[], 1_000).await.unwrap();

        let found = c.candidates(lead.id, &words("Jose Garcia Lopez"), "ada@example.com").await.unwrap();
        let mut names: Vec<String> = found
            .iter()
            .map(|x| match x {
                Candidate::Party { words, .. } => words.clone(),
                Candidate::Lead { id, words } => {
                    assert!(*id == first.id || *id == unchecked.id, "only earlier leads");
                    format!("lead {words}")
                }
            })
            .collect();
        names.sort();
        // Each with its name as compared: folded, read from the word rows (or, unchecked, the lead's row).
        assert_eq!(names, ["jose garcia", "lead jose garcia", "lead zed zulu", "maria lopez", "someone else"]);
        c.record_check(unchecked.id, &words("Zed Zulu"), &[], 1_000).await.unwrap();
        assert!(c.candidates(lead.id, &words("Nobody Here"), "none@example.com").await.unwrap().is_empty());
    }
}

contract! {
    /// A check is kept once (a second finds it done), announced when a
    /// possible conflict appears, and shown with what it matched.
    a_check_is_kept_once_announced_and_shown,
    |db: Db| async move {
        let c = db.conflicts();
        c.import_parties(&[party("José García", "", "adverse party", "2024-117")], false, 1_000).await.unwrap();
        let (_, parties) = c.parties(1).await.unwrap();
        let earlier = add_lead(&db, named_lead("José", "García", "one@example.com")).await;
        c.record_check(earlier.id, &words("José García"), &[], 1_000).await.unwrap();
        let lead = add_lead(&db, named_lead("Jose", "Garcia", "two@example.com")).await;
        let mut rx = db.events().subscribe();
        let found = [
            FoundMatch { with: MatchWith::Party(parties[0].id), same_email: false, score: 0.97 },
            FoundMatch { with: MatchWith::Lead(earlier.id), same_email: false, score: 1.0 },
        ];
        let outcome = c.record_check(lead.id, &words("Jose Garcia"), &found, 2_000).await.unwrap().expect("checked");
        assert_eq!(outcome.status, ConflictStatus::Possible);
        // (PostgreSQL may still be delivering the lead's creation.)
        let heard = next(&mut rx, |m| {
            matches!(m, LiveMessage::Event(e) if e.lead_id == lead.id && e.kind != LiveEventKind::Created)
        })
        .await;
        let LiveMessage::Event(ev) = heard else { unreachable!() };
        assert_eq!(ev.kind, LiveEventKind::ConflictChecked);
        assert_eq!(ev.lead.as_ref().map(|l| l.conflict), Some(ConflictStatus::Possible));
        assert!(c.record_check(lead.id, &[], &[], 3_000).await.unwrap().is_none(), "already checked");

        let view = c.conflicts(lead.id).await.unwrap();
        assert_eq!(view.status, ConflictStatus::Possible);
        assert!(matches!(&view.matches[0], ConflictMatch::Lead { id, name, .. } if *id == earlier.id && name == "José García"));
        assert!(matches!(&view.matches[1], ConflictMatch::Party { matter: Some(m), .. } if m == "2024-117"));
        let summary = db.dashboard().summary(lead.id).await.unwrap().unwrap();
        assert_eq!(summary.conflict, ConflictStatus::Possible);
        let history = db.dashboard().history(lead.id).await.unwrap();
        assert_eq!(history.last().and_then(|h| h.conflict), Some(ConflictStatus::Possible));
        // The dashboard's filter by status.
        let possible = LeadFilter { conflict: Some(ConflictStatus::Possible), ..LeadFilter::default() };
        let listed = db.dashboard().list(&ListQuery::plain(&possible), 50).await.unwrap();
        assert_eq!((listed.rows.len(), listed.total, listed.rows[0].id), (1, 1, lead.id));
        let clear = LeadFilter { conflict: Some(ConflictStatus::Clear), q: "jos".into(), ..LeadFilter::default() };
        let listed = db.dashboard().list(&ListQuery::plain(&clear), 50).await.unwrap();
        assert_eq!(listed.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [earlier.id], "with a search too");
    }
}

contract! {
    /// A decision and its note go into the history; it stands through a
    /// recheck until a match it was made without appears.
    decisions_are_in_the_history_and_stand_until_a_new_match,
    |db: Db| async move {
        let c = db.conflicts();
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        c.import_parties(&[party("José García", "", "client", "")], false, 1_000).await.unwrap();
        let (_, parties) = c.parties(1).await.unwrap();
        let lead = add_lead(&db, named_lead("Jose", "Garcia", "two@example.com")).await;
        let m = FoundMatch { with: MatchWith::Party(parties[0].id), same_email: false, score: 1.0 };
        c.record_check(lead.id, &words("Jose Garcia"), &[m], 2_000).await.unwrap();
        let ev = c.decide(lead.id, ConflictDecision::Cleared, "Different person", actor(&alice), 3_000).await.unwrap();
        assert_eq!(ev.map(|e| (e.kind, e.by)), Some((LiveEventKind::ConflictDecided, Some("Alice Ames".into()))));
        let last = db.dashboard().history(lead.id).await.unwrap().pop().unwrap();
        assert_eq!((last.conflict, last.note.as_deref(), last.by.as_deref()), (Some(ConflictStatus::Cleared), Some("Different person"), Some("Alice Ames")));
        assert!(c.decide(uuid::Uuid::now_v7(), ConflictDecision::Conflict, "", actor(&alice), 3_000).await.unwrap().is_none());

        // A new import rechecks it: the same match leaves the decision; a new one reopens it.
        c.import_parties(&[party("Other Person", "", "client", "")], false, 4_000).await.unwrap();
        let again = c.record_check(lead.id, &words("Jose Garcia"), &[m], 5_000).await.unwrap().unwrap();
        assert_eq!((again.status, again.event.is_none()), (ConflictStatus::Cleared, true));
        c.import_parties(&[party("Jose Garcia", "", "adverse party", "")], false, 6_000).await.unwrap();
        let (_, newest) = c.parties(1).await.unwrap();
        let n = FoundMatch { with: MatchWith::Party(newest[0].id), same_email: false, score: 1.0 };
        let again = c.record_check(lead.id, &words("Jose Garcia"), &[m, n], 7_000).await.unwrap().unwrap();
        assert_eq!(again.status, ConflictStatus::Possible);
        assert!(again.event.is_some());
    }
}

contract! {
    /// Erasing a lead takes its words and matches, and other leads' matches naming it.
    erasure_takes_a_leads_words_and_matches,
    |db: Db| async move {
        let c = db.conflicts();
        let earlier = add_lead(&db, named_lead("José", "García", "one@example.com")).await;
        c.record_check(earlier.id, &words("José García"), &[], 1_000).await.unwrap();
        let lead = add_lead(&db, named_lead("Jose", "Garcia", "two@example.com")).await;
        let m = FoundMatch { with: MatchWith::Lead(earlier.id), same_email: false, score: 1.0 };
        c.record_check(lead.id, &words("Jose Garcia"), &[m], 2_000).await.unwrap();
        let why = Why { reason: "request", reference: "" };
        db.erasures().erase(earlier.id, None, &why, 3_000).await.unwrap().expect("erased");
        assert!(c.conflicts(lead.id).await.unwrap().matches.is_empty(), "the erased lead's name is gone");
        assert!(c.candidates(lead.id, &words("Jose Garcia"), "x@example.com").await.unwrap().is_empty());
        db.erasures().erase(lead.id, None, &why, 4_000).await.unwrap().expect("erased");
        assert_eq!(c.conflicts(lead.id).await.unwrap().status, ConflictStatus::Unchecked, "nothing left");
    }
}
