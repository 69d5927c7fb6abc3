//! `NoteStore`: attorneys' notes on a lead, oldest first, at most `max` per
//! lead, edited only by their author within the window.

use crate::harness::{add_attorney, add_lead, new_lead};
use intake_store::{Db, notes::NewNote, notes::NoteEdit};
use uuid::Uuid;

contract! {
    /// A lead's notes are listed oldest first, with their authors' names.
    notes_are_listed_oldest_first_with_their_authors,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let other = add_lead(&db, new_lead("grace@example.com")).await;
        let later = note(lead.id, alice.id, "second", 2_000);
        let earlier = note(lead.id, bob.id, "first", 1_000);
        for n in [&later, &earlier, &note(other.id, bob.id, "elsewhere", 500)] {
            assert!(db.notes().add_note(n, 10).await.unwrap());
        }
        let listed = db.notes().notes(lead.id).await.unwrap();
        let seen: Vec<_> = listed.iter().map(|n| (n.id, n.attorney_id, n.author.as_str(), n.body.as_str())).collect();
        assert_eq!(seen, [(earlier.id, bob.id, "Bob Barr", "first"), (later.id, alice.id, "Alice Ames", "second")]);
        assert_eq!((listed[0].created_at, listed[0].edited_at), (1_000, None));
        assert!(db.notes().notes(Uuid::now_v7()).await.unwrap().is_empty());
    }
}

contract! {
    /// A note is refused once the lead holds `max`, and on a lead that does not exist.
    a_lead_holds_at_most_max_notes,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        for (i, at) in [1_000, 2_000].into_iter().enumerate() {
            assert!(db.notes().add_note(&note(lead.id, alice.id, "fine", at), 2).await.unwrap(), "note {i}");
        }
        assert!(!db.notes().add_note(&note(lead.id, alice.id, "one too many", 3_000), 2).await.unwrap());
        assert_eq!(db.notes().notes(lead.id).await.unwrap().len(), 2);
        assert!(db.notes().add_note(&note(lead.id, alice.id, "room", 3_000), 3).await.unwrap(), "a larger max");
        assert!(!db.notes().add_note(&note(Uuid::now_v7(), alice.id, "nowhere", 1_000), 10).await.unwrap());
    }
}

contract! {
    /// Only the author edits a note, and only if written after `not_before`; the edit is recorded.
    only_the_author_edits_within_the_window,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let n = note(lead.id, alice.id, "cal Ada", 1_000);
        assert!(db.notes().add_note(&n, 10).await.unwrap());
        let edit = |by: Uuid, not_before: i64| {
            let db = db.clone();
            async move { db.notes().edit_note(n.id, by, "called Ada", 1_600, not_before).await.unwrap() }
        };
        assert_eq!(edit(bob.id, 0).await, NoteEdit::NotAuthor);
        assert_eq!(edit(alice.id, 1_001).await, NoteEdit::TooLate);
        assert_eq!(db.notes().notes(lead.id).await.unwrap()[0].body, "cal Ada", "unchanged");
        assert_eq!(edit(alice.id, 1_000).await, NoteEdit::Edited);
        let notes = db.notes().notes(lead.id).await.unwrap();
        let edited = &notes[0];
        assert_eq!((edited.body.as_str(), edited.created_at, edited.edited_at), ("called Ada", 1_000, Some(1_600)));
        let missing = db.notes().edit_note(Uuid::now_v7(), alice.id, "x", 1_700, 0).await.unwrap();
        assert_eq!(missing, NoteEdit::NotFound);
    }
}

/// A note on `lead` by `by`, written at `now`.
fn note(lead: Uuid, by: Uuid, body: &'static str, now: i64) -> NewNote<'static> {
    NewNote { id: Uuid::now_v7(), lead_id: lead, attorney_id: by, body, now }
}
