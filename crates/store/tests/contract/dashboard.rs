//! `DashboardStore`: pages, searches and views of leads, the state change
//! (once), assignments (only from the holder the attorney saw), history,
//! counts, sources and replayed events.

use crate::harness::{actor, add_attorney, add_lead, named_lead, new_lead, new_message, token};
use intake_domain::{
    LeadOrigin, LeadState, filter::LeadFilter, filter::Owner, listing::Assignee, listing::HistoryEntry,
    live::LiveEventKind,
};
use intake_store::{
    Actor, Attorney, Db, MarkOutcome, NewLead, dashboard::AssignOutcome, dashboard::Assignment, dashboard::ListQuery,
    dashboard::Overdue, now_ms,
};
use uuid::Uuid;

const HOUR: i64 = 3_600_000;

contract! {
    /// Pages list the newest leads first; `after` pages to older ones, `before` back to newer ones.
    pages_are_newest_first_and_keyset_paged,
    |db: Db| async move {
        let (ids, last_event) = add_leads(&db, 5).await;
        let first = db.dashboard().list(&ListQuery::plain(&LeadFilter::default()), 2).await.unwrap();
        assert_eq!(first.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [ids[4], ids[3]]);
        assert_eq!(first.total, 5, "the total counts every page");
        assert_eq!(first.as_of, last_event, "the page includes every event so far");
        let older = LeadFilter { after: Some(ids[3]), ..LeadFilter::default() };
        assert_eq!(page(&db, &older, 2).await, (vec![ids[2], ids[1]], 5));
        let oldest = LeadFilter { after: Some(ids[1]), ..LeadFilter::default() };
        assert_eq!(page(&db, &oldest, 2).await, (vec![ids[0]], 5));
        let newer = LeadFilter { before: Some(ids[2]), ..LeadFilter::default() };
        assert_eq!(page(&db, &newer, 2).await, (vec![ids[4], ids[3]], 5), "still newest first");
    }
}

contract! {
    /// A search matches names (first and last together) and emails, in any case, newest first.
    search_finds_leads_by_name_and_email,
    |db: Db| async move {
        let people = [
            ("Ada", "Lovelace", "ada@example.com"),
            ("Grace", "Hopper", "grace@navy.test"),
            ("Alan", "Turing", "alan@bletchley.test"),
        ];
        for (first, last, email) in people {
            add_lead(&db, named_lead(first, last, email)).await;
        }
        assert_eq!(search(&db, "hopper").await, (vec!["grace@navy.test".to_owned()], 1));
        assert_eq!(search(&db, "BLETCHLEY").await, (vec!["alan@bletchley.test".to_owned()], 1));
        assert_eq!(search(&db, "ada love").await, (vec!["ada@example.com".to_owned()], 1));
        assert_eq!(search(&db, "tu").await, (vec!["alan@bletchley.test".to_owned()], 1), "a short search too");
        let all = ["alan@bletchley.test", "grace@navy.test", "ada@example.com"].map(str::to_owned).to_vec();
        assert_eq!(search(&db, "a").await, (all, 3));
        assert_eq!(search(&db, "nobody").await, (vec![], 0));
        assert_eq!(search(&db, "50%").await, (vec![], 0), "wildcards are text");
    }
}

contract! {
    /// Short-text and phone answers are searched with names and emails (a
    /// phone number however it is spaced), the matter type is a view of its
    /// own, both by index and with other filters; an erased lead is found by neither.
    answers_are_searched_and_matter_types_filtered,
    |db: Db| async move {
        use intake_domain::questions::LeadIntake;
        use intake_store::erasures::Why;
        let with = |email: &str, matter: &str, searchable: &str| NewLead {
            intake: Some(LeadIntake {
                matter_type: Some(matter.to_owned()),
                searchable: searchable.to_owned(),
                ..LeadIntake::default()
            }),
            ..new_lead(email)
        };
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let nurse = add_lead(&db, with("ana@example.com", "family", "Hospital Clínico San Carlos\n+34612345678")).await.id;
        let coder = add_lead(&db, with("bo@example.com", "asylum", "Analytical Engines Ltd")).await.id;
        let plain = add_lead(&db, new_lead("cy@example.com")).await.id;
        assert_eq!(search(&db, "clínico").await, (vec!["ana@example.com".to_owned()], 1), "a short-text answer");
        assert_eq!(search(&db, "ENGINES").await, (vec!["bo@example.com".to_owned()], 1), "in any case");
        assert_eq!(search(&db, "+34 612-345 678").await, (vec!["ana@example.com".to_owned()], 1), "a phone, spaced");
        assert_eq!(search(&db, "0034 612 345").await, (vec!["ana@example.com".to_owned()], 1), "00 for +");
        assert_eq!(search(&db, "Lt").await, (vec!["bo@example.com".to_owned()], 1), "a short search reads them too");
        assert_eq!(search(&db, "lovelace").await.1, 3, "names still match");

        let family = LeadFilter { matter: Some("family".into()), ..LeadFilter::default() };
        assert_eq!(page(&db, &family, 10).await, (vec![nurse], 1));
        let asylum = LeadFilter { matter: Some("asylum".into()), ..LeadFilter::default() };
        assert_eq!(page(&db, &asylum, 10).await, (vec![coder], 1));
        let none = LeadFilter { matter: Some("employment".into()), ..LeadFilter::default() };
        assert_eq!(page(&db, &none, 10).await, (vec![], 0));
        let searched = LeadFilter { q: "lovelace".into(), ..family.clone() };
        assert_eq!(page(&db, &searched, 10).await, (vec![nurse], 1), "a search within a matter type");
        let pending = LeadFilter { state: Some(LeadState::Pending), ..asylum.clone() };
        assert_eq!(page(&db, &pending, 10).await, (vec![coder], 1), "with a state");
        let row = db.dashboard().summary(nurse).await.unwrap().expect("the row");
        assert_eq!(row.matter_type.as_deref(), Some("family"));
        assert_eq!(row.answers_text, "Hospital Clínico San Carlos\n+34612345678");
        let row = db.dashboard().summary(plain).await.unwrap().expect("the row");
        assert_eq!((row.matter_type, row.answers_text), (None, String::new()));

        let why = Why { reason: "request", reference: "" };
        db.erasures().erase(nurse, Some(alice.id), &why, now_ms()).await.unwrap().expect("erased");
        assert_eq!(search(&db, "clínico").await, (vec![], 0));
        assert_eq!(search(&db, "612345").await, (vec![], 0));
        assert_eq!(page(&db, &family, 10).await, (vec![], 0));
    }
}

contract! {
    /// A pending lead is marked reached out once; a second attempt reports who did it and when.
    reaching_out_happens_once,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        match db.dashboard().mark_reached_out(lead.id, actor(&alice), 5_000).await.unwrap() {
            MarkOutcome::Marked(ev) => {
                assert_eq!((ev.lead_id, ev.kind), (lead.id, LiveEventKind::StateChanged));
                assert_eq!(ev.state, LeadState::ReachedOut);
                assert_eq!((ev.by.as_deref(), ev.at), (Some("Alice Ames"), 5_000));
            }
            other => panic!("expected Marked, got {other:?}"),
        }
        let row = db.dashboard().summary(lead.id).await.unwrap().expect("the lead's row");
        assert_eq!(row.state, LeadState::ReachedOut);
        assert_eq!((row.reached_out_by.as_deref(), row.reached_out_at), (Some("Alice Ames"), Some(5_000)));
        match db.dashboard().mark_reached_out(lead.id, actor(&bob), 6_000).await.unwrap() {
            MarkOutcome::AlreadyMarked { by, at } => assert_eq!((by.as_deref(), at), (Some("Alice Ames"), Some(5_000))),
            other => panic!("expected AlreadyMarked, got {other:?}"),
        }
        let missing = db.dashboard().mark_reached_out(Uuid::now_v7(), actor(&bob), 6_000).await.unwrap();
        assert!(matches!(missing, MarkOutcome::NotFound), "{missing:?}");
        let done = LeadFilter { state: Some(LeadState::ReachedOut), ..LeadFilter::default() };
        assert_eq!(page(&db, &done, 10).await, (vec![lead.id], 1));
    }
}

contract! {
    /// The history lists creation, changes and assignments in order, naming the actor and their token.
    the_history_names_the_actor_and_their_token,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let zapier = token(&alice, "zapier");
        db.tokens().create_token(&zapier, "hash-of-zapier").await.unwrap();
        let lead = add_lead(&db, NewLead { created_at: 1_000, ..new_lead("ada@example.com") }).await;
        let through = Actor { attorney: &alice, token: Some(&zapier) };
        match db.dashboard().mark_reached_out(lead.id, through, 2_000).await.unwrap() {
            MarkOutcome::Marked(ev) => assert_eq!(ev.by.as_deref(), Some("Alice Ames (API token zapier)")),
            other => panic!("expected Marked, got {other:?}"),
        }
        let to_bob = Assignment { lead: lead.id, to: Some(bob.id), expected: None, email: None };
        let assigned = db.dashboard().assign(to_bob, Some(actor(&alice)), 3_000).await.unwrap();
        assert!(matches!(assigned, AssignOutcome::Assigned(_)), "{assigned:?}");
        let entry = |state, created, by: Option<&str>, at, assigned: Option<Option<String>>| HistoryEntry {
            state, created, by: by.map(str::to_owned), at, assigned, resubmitted: false, conflict: None, note: None,
        };
        assert_eq!(db.dashboard().history(lead.id).await.unwrap(), [
            entry(LeadState::Pending, true, None, 1_000, None),
            entry(LeadState::ReachedOut, false, Some("Alice Ames (API token zapier)"), 2_000, None),
            entry(LeadState::ReachedOut, false, Some("Alice Ames"), 3_000, Some(Some("Bob Barr".into()))),
        ]);
        assert!(db.dashboard().history(Uuid::now_v7()).await.unwrap().is_empty());
    }
}

contract! {
    /// A lead is assigned only if still held as the attorney saw it; its email is queued with it.
    an_assignment_needs_the_holder_the_attorney_saw,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let email = new_message("assigned", "alice@firm.test");
        let to_alice = Assignment { lead: lead.id, to: Some(alice.id), expected: None, email: Some(&email) };
        match db.dashboard().assign(to_alice, Some(actor(&bob)), 2_000).await.unwrap() {
            AssignOutcome::Assigned(ev) => {
                assert_eq!((ev.kind, ev.by.as_deref(), ev.at), (LiveEventKind::Assigned, Some("Bob Barr"), 2_000));
                let held = ev.lead.as_ref().and_then(|l| l.assignee.clone());
                assert_eq!(held, Some(Assignee { id: alice.id, name: "Alice Ames".into() }));
            }
            other => panic!("expected Assigned, got {other:?}"),
        }
        let kinds: Vec<String> = db.outbox().for_lead(lead.id).await.unwrap().into_iter().map(|m| m.kind).collect();
        assert_eq!(kinds, ["assigned"]);
        assert_eq!(db.dashboard().counts(alice.id, None).await.unwrap(), (1, None));
        let stale = Assignment { lead: lead.id, to: Some(bob.id), expected: None, email: None };
        let again = Assignment { to: Some(alice.id), expected: Some(alice.id), ..stale };
        for refused in [stale, again] {
            match db.dashboard().assign(refused, Some(actor(&bob)), 3_000).await.unwrap() {
                AssignOutcome::Conflict { current } => assert_eq!(current.as_deref(), Some("Alice Ames")),
                other => panic!("expected Conflict, got {other:?}"),
            }
        }
        let back = Assignment { lead: lead.id, to: None, expected: Some(alice.id), email: None };
        let taken_back = db.dashboard().assign(back, Some(actor(&alice)), 4_000).await.unwrap();
        assert!(matches!(taken_back, AssignOutcome::Assigned(_)), "{taken_back:?}");
        assert_eq!(db.dashboard().summary(lead.id).await.unwrap().and_then(|r| r.assignee), None);
        let missing = Assignment { lead: Uuid::now_v7(), ..stale };
        assert!(matches!(db.dashboard().assign(missing, None, 5_000).await.unwrap(), AssignOutcome::NotFound));
    }
}

contract! {
    /// Round robin remembers whom Intake itself (not an attorney) assigned a lead to last.
    intake_remembers_its_last_automatic_assignee,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        assert_eq!(db.dashboard().last_auto_assignee().await.unwrap(), None);
        let mut leads = Vec::new();
        for email in ["a@example.com", "b@example.com", "c@example.com"] {
            leads.push(add_lead(&db, new_lead(email)).await.id);
        }
        let give = |lead: Uuid, to: &Attorney| Assignment { lead, to: Some(to.id), expected: None, email: None };
        db.dashboard().assign(give(leads[0], &bob), Some(actor(&alice)), 1_000).await.unwrap();
        assert_eq!(db.dashboard().last_auto_assignee().await.unwrap(), None, "an attorney's choice is not round robin");
        db.dashboard().assign(give(leads[1], &bob), None, 2_000).await.unwrap();
        assert_eq!(db.dashboard().last_auto_assignee().await.unwrap(), Some(bob.id));
        db.dashboard().assign(give(leads[2], &alice), None, 3_000).await.unwrap();
        assert_eq!(db.dashboard().last_auto_assignee().await.unwrap(), Some(alice.id));
    }
}

contract! {
    /// Views by state, by owner ("mine", nobody's) and overdue list and count the right leads.
    views_filter_by_state_owner_and_deadline,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let now = now_ms();
        let old = add_lead(&db, NewLead { created_at: now - 10 * HOUR, ..new_lead("old@example.com") }).await;
        let done = add_lead(&db, NewLead { created_at: now - HOUR, ..new_lead("done@example.com") }).await;
        let mine = add_lead(&db, NewLead { created_at: now, ..new_lead("mine@example.com") }).await;
        db.dashboard().mark_reached_out(done.id, actor(&alice), now).await.unwrap();
        let to_alice = Assignment { lead: mine.id, to: Some(alice.id), expected: None, email: None };
        db.dashboard().assign(to_alice, None, now).await.unwrap();

        let pending = LeadFilter { state: Some(LeadState::Pending), ..LeadFilter::default() };
        assert_eq!(page(&db, &pending, 10).await, (vec![mine.id, old.id], 2));
        let me = LeadFilter { owner: Some(Owner::Me), ..LeadFilter::default() };
        assert_eq!(view(&db, &me, alice.id, now).await, (vec![mine.id], 1));
        let nobody = LeadFilter { owner: Some(Owner::Nobody), ..LeadFilter::default() };
        assert_eq!(view(&db, &nobody, alice.id, now).await, (vec![done.id, old.id], 2));
        let overdue = LeadFilter { state: Some(LeadState::Pending), overdue: true, ..LeadFilter::default() };
        assert_eq!(view(&db, &overdue, alice.id, now).await, (vec![old.id], 1));

        let counts = db.dashboard().counts(alice.id, Some(now - 2 * HOUR)).await.unwrap();
        assert_eq!(counts, (1, Some(Overdue { count: 1, oldest_not_overdue: Some(now) })));
    }
}

contract! {
    /// The leads' sources are listed once each, in order; a source's view holds its leads.
    sources_are_distinct_and_sorted,
    |db: Db| async move {
        let sources = [("a@x.test", Some("newsletter")), ("b@x.test", Some("google")), ("c@x.test", None)];
        let sources = sources.into_iter().chain([("d@x.test", Some("google"))]);
        for (email, source) in sources {
            let origin = LeadOrigin { utm_source: source.map(str::to_owned), ..LeadOrigin::default() };
            add_lead(&db, NewLead { origin, ..new_lead(email) }).await;
        }
        assert_eq!(db.dashboard().sources(10).await.unwrap(), ["google", "newsletter"]);
        assert_eq!(db.dashboard().sources(1).await.unwrap(), ["google"]);
        let google = LeadFilter { source: Some("google".into()), ..LeadFilter::default() };
        let (rows, total) = page(&db, &google, 10).await;
        assert_eq!((rows.len(), total), (2, 2));
        let row = db.dashboard().summary(rows[0]).await.unwrap().expect("the lead's row");
        assert_eq!(row.origin.utm_source.as_deref(), Some("google"));
    }
}

contract! {
    /// Events after an id are replayed oldest first, with their leads' rows, up to the limit.
    events_after_replays_changes_in_order,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let (ids, _) = add_leads(&db, 2).await;
        db.dashboard().mark_reached_out(ids[0], actor(&alice), 9_000).await.unwrap();
        let all = db.dashboard().events_after(0, 100).await.unwrap();
        let seen: Vec<_> = all.iter().map(|e| (e.lead_id, e.kind)).collect();
        let (created, changed) = (LiveEventKind::Created, LiveEventKind::StateChanged);
        assert_eq!(seen, [(ids[0], created), (ids[1], created), (ids[0], changed)]);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
        assert!(all.iter().all(|e| e.lead.as_ref().is_some_and(|l| l.id == e.lead_id)), "each with its row");
        assert_eq!((all[2].by.as_deref(), all[2].at, all[2].state), (Some("Alice Ames"), 9_000, LeadState::ReachedOut));
        let later = db.dashboard().events_after(all[0].id, 100).await.unwrap();
        assert_eq!(later.iter().map(|e| e.id).collect::<Vec<_>>(), [all[1].id, all[2].id]);
        assert_eq!(db.dashboard().events_after(all[0].id, 1).await.unwrap().len(), 1, "the limit holds");
        assert!(db.dashboard().events_after(all[2].id, 100).await.unwrap().is_empty());
    }
}

/// Stores `n` leads one after another (their ids, so their pages, in that
/// order): their ids and the last creation event's id.
async fn add_leads(db: &Db, n: usize) -> (Vec<Uuid>, i64) {
    let (mut ids, mut last) = (Vec::new(), 0);
    for i in 0..n {
        let lead = new_lead(&format!("lead{i}@example.com"));
        last = db.leads().insert(&lead, &[]).await.unwrap().id;
        ids.push(lead.id);
    }
    (ids, last)
}

/// A page of every lead `filter` matches: its ids, and the total.
async fn page(db: &Db, filter: &LeadFilter, limit: i64) -> (Vec<Uuid>, i64) {
    let listed = db.dashboard().list(&ListQuery::plain(filter), limit).await.unwrap();
    (listed.rows.iter().map(|r| r.id).collect(), listed.total)
}

/// A view as `viewer` sees it at `now`, with a two-hour follow-up deadline: its ids, and the total.
async fn view(db: &Db, filter: &LeadFilter, viewer: Uuid, now: i64) -> (Vec<Uuid>, i64) {
    let query = ListQuery::new(filter, Some(viewer), Some(2 * HOUR), now);
    let listed = db.dashboard().list(&query, 10).await.unwrap();
    (listed.rows.iter().map(|r| r.id).collect(), listed.total)
}

/// A search's first page: the leads' emails, and the total.
async fn search(db: &Db, q: &str) -> (Vec<String>, i64) {
    let filter = LeadFilter { q: q.to_owned(), ..LeadFilter::default() };
    let listed = db.dashboard().list(&ListQuery::plain(&filter), 10).await.unwrap();
    (listed.rows.into_iter().map(|r| r.email).collect(), listed.total)
}
