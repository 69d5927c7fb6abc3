//! `LeadStore`: storing a submitted lead with its emails, finding it again,
//! and recording the prospect's repeated submissions.

use crate::harness::{add_lead, new_lead, new_message, resume_key};
use intake_domain::{LeadState, live::LiveEventKind};
use intake_store::{Db, DbError, NewLead, outbox::Channel};
use uuid::Uuid;

contract! {
    /// A lead is stored as submitted, with its emails queued and its creation event returned.
    insert_stores_the_lead_and_queues_its_emails,
    |db: Db| async move {
        let lead = NewLead { created_at: 1_700_000_000_000, ..new_lead("Ada@Example.com") };
        let emails = [new_message("prospect_confirmation", "Ada@Example.com"), new_message("new_lead", "firm@x.test")];
        let event = db.leads().insert(&lead, &emails).await.unwrap();
        assert_eq!((event.lead_id, event.kind, event.state), (lead.id, LiveEventKind::Created, LeadState::Pending));
        assert_eq!(event.at, lead.created_at);
        let row = event.lead.as_ref().expect("the event carries the new row");
        assert_eq!((row.id, row.email.as_str(), row.first_name.as_str()), (lead.id, "Ada@Example.com", "Ada"));

        let stored = db.leads().get(lead.id).await.unwrap().expect("the lead is stored");
        assert_eq!((stored.first_name.as_str(), stored.last_name.as_str()), ("Ada", "Lovelace"));
        assert_eq!(stored.email, "Ada@Example.com", "the address is kept as typed");
        assert_eq!(stored.state, LeadState::Pending);
        assert_eq!((stored.created_at, stored.updated_at), (lead.created_at, lead.created_at));
        assert_eq!(stored.resume, lead.resume);

        let mut queued = db.outbox().for_lead(lead.id).await.unwrap();
        queued.sort_by_key(|m| m.id);
        assert_eq!(queued.len(), 2, "{queued:?}");
        for (m, sent) in queued.iter().zip(&emails) {
            assert_eq!((m.id, m.kind.as_str(), m.recipients.as_str()), (sent.id, sent.kind, sent.recipients.as_str()));
            assert_eq!((m.channel, m.status.as_str(), m.attempts), (Channel::Email, "QUEUED", 0));
        }
        assert!(db.leads().get(Uuid::now_v7()).await.unwrap().is_none(), "an unknown id finds nothing");
    }
}

contract! {
    /// A lead without a resume (a matter type that makes it optional) is stored, listed, read and erased as one.
    a_lead_without_a_resume_is_stored_and_erased,
    |db: Db| async move {
        let lead = NewLead { resume: None, ..new_lead("ada@example.com") };
        let event = db.leads().insert(&lead, &[]).await.unwrap();
        let row = event.lead.expect("the event carries the new row");
        assert_eq!((row.resume_file_name, row.resume_content_type), (None, None));
        assert_eq!(db.leads().get(lead.id).await.unwrap().expect("stored").resume, None);
        let listed = db.dashboard().summary(lead.id).await.unwrap().expect("listed");
        assert_eq!(listed.resume_file_name, None);
        let why = intake_store::erasures::Why { reason: "request", reference: "" };
        let erased = db.erasures().erase(lead.id, None, &why, 2).await.unwrap().expect("erased");
        assert_eq!(erased.resume_key, None, "no file to delete");
        assert!(db.erasures().pending_files(10).await.unwrap().is_empty());
        assert!(db.leads().get(lead.id).await.unwrap().is_none());
    }
}

contract! {
    /// A second lead with the same address, in any case, is refused as `DuplicateEmail` and stores nothing.
    duplicate_email_is_refused,
    |db: Db| async move {
        let first = add_lead(&db, new_lead("ada@example.com")).await;
        let again = new_lead("ADA@Example.COM");
        let refused = db.leads().insert(&again, &[new_message("prospect_confirmation", "ada@example.com")]).await;
        assert!(matches!(refused, Err(DbError::DuplicateEmail)), "{refused:?}");
        assert!(db.leads().get(again.id).await.unwrap().is_none());
        assert!(db.outbox().for_lead(again.id).await.unwrap().is_empty(), "its email is not queued");
        assert!(!db.leads().resume_key_exists(&resume_key(&again)).await.unwrap());
        let (id, _, _) = db.leads().by_email("ada@example.com").await.unwrap().expect("the first lead stays");
        assert_eq!(id, first.id);
        // Another address is still welcome.
        db.leads().insert(&new_lead("grace@example.com"), &[]).await.unwrap();
    }
}

contract! {
    /// A lead is found by its normalized email (with its time and the address as typed) and by its resume key.
    found_by_normalized_email_and_resume_key,
    |db: Db| async move {
        let lead = add_lead(&db, NewLead { created_at: 42_000, ..new_lead("Grace.Hopper@Navy.test") }).await;
        let found = db.leads().by_email("grace.hopper@navy.test").await.unwrap();
        assert_eq!(found, Some((lead.id, 42_000, "Grace.Hopper@Navy.test".to_owned())));
        assert_eq!(db.leads().by_email("someone@navy.test").await.unwrap(), None);
        assert!(db.leads().resume_key_exists(&resume_key(&lead)).await.unwrap());
        assert!(!db.leads().resume_key_exists("no-such-key").await.unwrap());
    }
}

contract! {
    /// A repeat is recorded each time; its email is queued only when none was since `quiet_since`.
    resubmissions_are_recorded_and_told_once_per_quiet_period,
    |db: Db| async move {
        let lead = add_lead(&db, NewLead { created_at: 10_000, ..new_lead("ada@example.com") }).await;
        let email = || new_message("already_received", "ada@example.com");
        let leads = db.leads();
        assert!(leads.record_resubmission(lead.id, 20_000, &email(), 15_000).await.unwrap(), "the first is told");
        assert_eq!(told(&db, lead.id).await, 1);
        let again = leads.record_resubmission(lead.id, 30_000, &email(), 15_000).await.unwrap();
        assert!(!again, "told at 20 000, after the quiet period began");
        assert_eq!(told(&db, lead.id).await, 1);
        let later = leads.record_resubmission(lead.id, 40_000, &email(), 25_000).await.unwrap();
        assert!(later, "the last email predates the quiet period");
        assert_eq!(told(&db, lead.id).await, 2);
        assert_eq!(leads.resubmissions(lead.id).await.unwrap(), [20_000, 30_000, 40_000], "oldest first");
    }
}

contract! {
    /// A repeat of a lead that is gone records nothing and queues nothing.
    a_resubmission_of_a_missing_lead_does_nothing,
    |db: Db| async move {
        let gone = Uuid::now_v7();
        let email = new_message("already_received", "ada@example.com");
        assert!(!db.leads().record_resubmission(gone, 20_000, &email, 0).await.unwrap());
        assert!(db.leads().resubmissions(gone).await.unwrap().is_empty());
        assert!(db.outbox().for_lead(gone).await.unwrap().is_empty());
    }
}

/// How many "already received" emails are queued about `lead`.
async fn told(db: &Db, lead: Uuid) -> i64 {
    let all = db.outbox().for_lead(lead).await.unwrap();
    all.iter().filter(|m| m.kind == "already_received").count() as i64
}
