//! `ErasureStore`: a lead erased with everything about it, a tombstone kept,
//! its resume file tracked until deleted, and retention's oldest leads.

use crate::harness::{actor, add_attorney, add_lead, new_lead, new_message, resume_key};
use intake_store::{Db, NewLead, erasures::Why, notes::NewNote};
use uuid::Uuid;

const WHY: Why<'static> = Why { reason: "request", reference: "TICKET-7" };

contract! {
    /// An erasure removes the lead, its notes, history and emails, and leaves a tombstone; a second finds nothing.
    erasure_removes_the_lead_and_leaves_a_tombstone,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let lead = new_lead("ada@example.com");
        let emails = [new_message("prospect_confirmation", "ada@example.com"), new_message("new_lead", "firm@x.test")];
        db.leads().insert(&lead, &emails).await.unwrap();
        let note = NewNote { id: Uuid::now_v7(), lead_id: lead.id, attorney_id: alice.id, body: "called", now: 2_000 };
        assert!(db.notes().add_note(&note, 10).await.unwrap());
        db.dashboard().mark_reached_out(lead.id, actor(&alice), 3_000).await.unwrap();

        let erased = db.erasures().erase(lead.id, Some(alice.id), &WHY, 4_000).await.unwrap().expect("erased");
        assert_eq!(erased.resume_key, Some(resume_key(&lead)));
        let mut messages = erased.messages.clone();
        messages.sort();
        assert_eq!(messages, [emails[0].id, emails[1].id], "its emails, to delete outside the database");

        assert!(db.leads().get(lead.id).await.unwrap().is_none());
        assert!(db.dashboard().summary(lead.id).await.unwrap().is_none());
        assert!(db.leads().by_email("ada@example.com").await.unwrap().is_none(), "the address is free again");
        assert!(db.notes().notes(lead.id).await.unwrap().is_empty());
        assert!(db.dashboard().history(lead.id).await.unwrap().is_empty());
        assert!(db.outbox().for_lead(lead.id).await.unwrap().is_empty());
        assert!(db.dashboard().events_after(0, 100).await.unwrap().is_empty(), "no event replays it");

        let stones = db.erasures().tombstones(10).await.unwrap();
        assert_eq!(stones.len(), 1);
        let t = &stones[0];
        assert_eq!((t.lead_id, t.erased_by.as_deref(), t.erased_at), (lead.id, Some("Alice Ames"), 4_000));
        assert_eq!((t.reason.as_str(), t.reference.as_str()), ("request", "TICKET-7"));
        assert!(db.erasures().erase(lead.id, Some(alice.id), &WHY, 5_000).await.unwrap().is_none(), "already erased");
        db.erasures().scrub().await.unwrap();
    }
}

contract! {
    /// An erased lead's resume file is pending until recorded as deleted; the tombstone stays.
    an_erased_resume_is_pending_until_deleted,
    |db: Db| async move {
        let lead = add_lead(&db, new_lead("ada@example.com")).await;
        let kept = add_lead(&db, new_lead("grace@example.com")).await;
        assert!(db.erasures().pending_files(10).await.unwrap().is_empty());
        db.erasures().erase(lead.id, None, &WHY, 4_000).await.unwrap().expect("erased");
        assert_eq!(db.erasures().pending_files(10).await.unwrap(), [(lead.id, resume_key(&lead))]);
        assert!(db.leads().resume_key_exists(&resume_key(&kept)).await.unwrap(), "another lead is untouched");
        db.erasures().file_deleted(lead.id, &resume_key(&lead)).await.unwrap();
        assert!(db.erasures().pending_files(10).await.unwrap().is_empty());
        assert_eq!(db.erasures().tombstones(10).await.unwrap().len(), 1, "the tombstone stays");
    }
}

contract! {
    /// Retention finds the leads created before a time, oldest first; its tombstones name no one, newest first.
    retention_erases_the_oldest_leads,
    |db: Db| async move {
        let mut ids = Vec::new();
        for (email, at) in [("a@example.com", 1_000), ("b@example.com", 3_000), ("c@example.com", 2_000)] {
            ids.push(add_lead(&db, NewLead { created_at: at, ..new_lead(email) }).await.id);
        }
        assert_eq!(db.erasures().created_before(2_500, 10).await.unwrap(), [ids[0], ids[2]], "oldest first");
        assert_eq!(db.erasures().created_before(2_500, 1).await.unwrap(), [ids[0]], "the limit holds");
        assert!(db.erasures().created_before(1_000, 10).await.unwrap().is_empty(), "strictly before");
        let retention = Why { reason: "retention", reference: "" };
        db.erasures().erase(ids[0], None, &retention, 10_000).await.unwrap().expect("erased");
        db.erasures().erase(ids[2], None, &retention, 20_000).await.unwrap().expect("erased");
        assert!(db.erasures().created_before(2_500, 10).await.unwrap().is_empty());
        let stones = db.erasures().tombstones(10).await.unwrap();
        let seen: Vec<_> = stones.iter().map(|t| (t.lead_id, t.erased_by.clone(), t.erased_at)).collect();
        assert_eq!(seen, [(ids[2], None, 20_000), (ids[0], None, 10_000)]);
        assert_eq!(db.erasures().tombstones(1).await.unwrap().len(), 1, "the limit holds");
    }
}

contract! {
    /// A lead's documents are stored with it, read back by question, and erased with it; their files wait to be deleted like its resume's.
    documents_are_stored_and_their_files_pending_after_erasure,
    |db: Db| async move {
        let file = |key: &str| intake_store::ResumeMeta {
            file_name: format!("{key}.pdf"),
            content_type: "application/pdf".into(),
            size: 10,
            sha256: "cd".repeat(32),
            key: Uuid::now_v7().simple().to_string(),
        };
        let documents = vec![
            intake_store::Document { question_key: "offer".into(), file: file("offer") },
            intake_store::Document { question_key: "passport".into(), file: file("passport") },
        ];
        let lead = add_lead(&db, NewLead { documents: documents.clone(), ..new_lead("ada@example.com") }).await;
        assert_eq!(db.leads().documents(lead.id).await.unwrap(), documents);
        assert!(db.leads().resume_key_exists(&documents[1].file.key).await.unwrap(), "a document's key is known");

        let erased = db.erasures().erase(lead.id, None, &WHY, 4_000).await.unwrap().expect("erased");
        let mut keys = erased.documents.clone();
        keys.sort();
        let mut want: Vec<String> = documents.iter().map(|d| d.file.key.clone()).collect();
        want.sort();
        assert_eq!(keys, want);
        assert!(db.leads().documents(lead.id).await.unwrap().is_empty());
        assert!(!db.leads().resume_key_exists(&documents[0].file.key).await.unwrap());
        let mut pending = db.erasures().pending_files(10).await.unwrap();
        pending.sort();
        let mut expected: Vec<(Uuid, String)> =
            std::iter::once(resume_key(&lead)).chain(want).map(|k| (lead.id, k)).collect();
        expected.sort();
        assert_eq!(pending, expected, "the resume and both documents wait for deletion");
        for (id, key) in &pending {
            db.erasures().file_deleted(*id, key).await.unwrap();
        }
        assert!(db.erasures().pending_files(10).await.unwrap().is_empty());
    }
}
