//! `EventBus`: subscribers hear every lead change once it is stored (new
//! leads, state changes, assignments), notes changes, erasures (as a
//! resync) and account changes.

use crate::harness::{actor, add_attorney, add_lead, new_lead, new_message, next, on_postgres};
use intake_domain::{live::LiveEvent, live::LiveEventKind};
use intake_store::{
    Db, LiveMessage, MarkOutcome, dashboard::AssignOutcome, dashboard::Assignment, erasures::Why,
    events::AccountMessage, notes::NewNote, notes::NoteEdit, now_ms,
};
use tokio::sync::broadcast::Receiver;
use uuid::Uuid;

contract! {
    /// A stored lead is announced with the event `insert` returned.
    a_new_lead_is_announced,
    |db: Db| async move {
        let mut rx = db.events().subscribe();
        let lead = new_lead("ada@example.com");
        let event = db.leads().insert(&lead, &[new_message("new_lead", "firm@x.test")]).await.unwrap();
        let heard = next(&mut rx, |m| matches!(m, LiveMessage::Event(e) if e.lead_id == lead.id)).await;
        let LiveMessage::Event(heard) = heard else { unreachable!() };
        assert_eq!(*heard, event);
    }
}

contract! {
    /// A state change and an assignment are announced to subscribers, as `mark_reached_out` and `assign` return them.
    changes_are_announced,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let mut rx = db.events().subscribe();
        let outcome = db.dashboard().mark_reached_out(lead.id, actor(&alice), now_ms()).await.unwrap();
        let MarkOutcome::Marked(marked) = outcome else { panic!("the lead was pending") };
        let heard = event_of(&mut rx, LiveEventKind::StateChanged).await;
        assert_eq!(heard, *marked);
        assert_eq!(heard.by.as_deref(), Some("Alice Ames"));
        let to_alice = Assignment { lead: lead.id, to: Some(alice.id), expected: None, email: None };
        let outcome = db.dashboard().assign(to_alice, None, now_ms()).await.unwrap();
        let AssignOutcome::Assigned(assigned) = outcome else { panic!("the lead was nobody's") };
        let heard = event_of(&mut rx, LiveEventKind::Assigned).await;
        assert_eq!(heard, *assigned);
        assert!(heard.id > marked.id, "event ids grow");
    }
}

contract! {
    /// Adding or editing a note, and a repeated submission, tell the lead's page its notes changed.
    notes_changes_are_announced_to_the_leads_page,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let mut rx = db.events().subscribe();
        let notes_of = |m: &LiveMessage| matches!(m, LiveMessage::Notes(id) if *id == lead.id);
        let note = NewNote { id: Uuid::now_v7(), lead_id: lead.id, attorney_id: alice.id, body: "called", now: 1_000 };
        assert!(db.notes().add_note(&note, 10).await.unwrap());
        next(&mut rx, notes_of).await;
        let edited = db.notes().edit_note(note.id, alice.id, "called back", 1_500, 0).await.unwrap();
        assert_eq!(edited, NoteEdit::Edited);
        next(&mut rx, notes_of).await;
        let repeat = new_message("already_received", "ada@example.com");
        assert!(db.leads().record_resubmission(lead.id, 2_000, &repeat, 0).await.unwrap());
        next(&mut rx, notes_of).await;
    }
}

contract! {
    /// An erasure tells open dashboards to read their view again.
    an_erasure_asks_dashboards_to_resync,
    |db: Db| async move {
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let mut rx = db.events().subscribe();
        let why = Why { reason: "request", reference: "" };
        db.erasures().erase(lead.id, None, &why, now_ms()).await.unwrap().expect("erased");
        next(&mut rx, |m| matches!(m, LiveMessage::Resync)).await;
    }
}

contract! {
    /// Disabling an account, a new password and logging out are announced to account caches.
    account_changes_are_announced,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let mut rx = db.events().subscribe_accounts();
        let hers = |m: &AccountMessage| matches!(m, AccountMessage::Changed(id) if *id == alice.id);
        assert!(db.accounts().set_disabled("alice@firm.test", true).await.unwrap());
        next(&mut rx, hers).await;
        assert!(db.accounts().set_password_hash("alice@firm.test", "$argon2id$new").await.unwrap());
        next(&mut rx, hers).await;
        db.accounts().end_sessions(alice.id, now_ms()).await.unwrap();
        next(&mut rx, hers).await;
    }
}

contract! {
    /// Accounts may be cached only where every change is announced: PostgreSQL (listening), not SQLite.
    accounts_may_be_cached_only_where_changes_are_heard,
    |db: Db| async move {
        assert_eq!(db.events().announces_account_changes(), on_postgres(&db));
        // Whatever the backend, a change is seen at once through the accounts' handle.
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        assert!(!db.accounts().by_id(alice.id).await.unwrap().unwrap().disabled);
        assert!(db.accounts().set_disabled("alice@firm.test", true).await.unwrap());
        assert!(db.accounts().by_id(alice.id).await.unwrap().unwrap().disabled, "not served stale from a cache");
    }
}

/// The next lead event of `kind`.
async fn event_of(rx: &mut Receiver<LiveMessage>, kind: LiveEventKind) -> LiveEvent {
    match next(rx, |m| matches!(m, LiveMessage::Event(e) if e.kind == kind)).await {
        LiveMessage::Event(e) => (*e).clone(),
        other => unreachable!("{other:?}"),
    }
}
