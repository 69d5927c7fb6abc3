//! `OutboxStore`: queued emails leased to one sender at a time, renewed,
//! released, retried, given up on, forgotten, and reported.

use crate::harness::{email_claim, new_lead, new_message, on_postgres};
use intake_store::{Db, NewLead, NewMessage, OutboxMessage, outbox::Channel, outbox::Claim, outbox::OutboxStats};
use uuid::Uuid;

/// When the test's emails are queued (and due).
const T: i64 = 1_700_000_000_000;

contract! {
    /// A claim leases due messages to one sender: no other claim gets them until the lease ends.
    a_claim_leases_messages_to_one_sender,
    |db: Db| async move {
        let (lead, emails) = queue(&db, 2).await;
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(claim(&db, a, T - 1).await.is_empty(), "not due yet");
        let first = db.outbox().claim_due(&Claim { limit: 1, ..email_claim(a, T) }).await.unwrap();
        assert_eq!(first.len(), 1, "the limit holds");
        let m = &first[0];
        let sent = emails.iter().find(|e| e.id == m.id).expect("one of the queued emails");
        assert_eq!((m.lead_id, m.endpoint_id, m.attempts, m.link_id), (Some(lead), None, 0, None));
        assert_eq!((m.kind.as_str(), m.recipients.as_str()), (sent.kind, sent.recipients.as_str()));
        assert_eq!(m.subject, sent.subject);
        assert_eq!((m.body_text.as_str(), m.body_html.as_str()), (sent.body_text.as_str(), sent.body_html.as_str()));
        let second = claim(&db, b, T).await;
        assert_eq!(second.len(), 1, "only the message not leased");
        assert_ne!(second[0].id, m.id);
        assert!(claim(&db, b, T + 1).await.is_empty(), "both are leased");
        assert!(claim(&db, a, T + 1).await.is_empty(), "not twice to the same sender either");
        assert_eq!(claim(&db, b, T + 60_000).await.len(), 2, "the leases ran out");
    }
}

contract! {
    /// Releasing frees only the owner's leases, at once; at start-up (`None`) only SQLite frees them all.
    released_leases_are_claimed_again_at_once,
    |db: Db| async move {
        queue(&db, 2).await;
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(claim(&db, a, T).await.len(), 2);
        db.outbox().release_leases(Some(b)).await.unwrap();
        assert!(claim(&db, b, T + 1).await.is_empty(), "b held no lease to release");
        db.outbox().release_leases(Some(a)).await.unwrap();
        assert_eq!(claim(&db, b, T + 1).await.len(), 2, "a's leases are free");
        db.outbox().release_leases(None).await.unwrap();
        // One process owns a SQLite file, so any lease at start-up is a dead run's;
        // PostgreSQL's instances share the table and keep each other's leases.
        let freed = claim(&db, a, T + 2).await.len();
        assert_eq!(freed, if on_postgres(&db) { 0 } else { 2 });
    }
}

contract! {
    /// A renewed lease outlasts the first; `next_due` says when a queued message can be claimed.
    a_renewed_lease_keeps_the_messages,
    |db: Db| async move {
        assert_eq!(db.outbox().next_due(Channel::Email).await.unwrap(), None, "nothing queued");
        queue(&db, 1).await;
        assert_eq!(db.outbox().next_due(Channel::Email).await.unwrap(), Some(T));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let short = Claim { lease_ms: 1_000, ..email_claim(a, T) };
        assert_eq!(db.outbox().claim_due(&short).await.unwrap().len(), 1);
        assert_eq!(db.outbox().next_due(Channel::Email).await.unwrap(), Some(T + 1_000), "when the lease ends");
        db.outbox().renew_leases(a, T + 100_000).await.unwrap();
        db.outbox().renew_leases(b, T + 200_000).await.unwrap();
        assert_eq!(db.outbox().next_due(Channel::Email).await.unwrap(), Some(T + 100_000), "only a's lease moved");
        assert!(claim(&db, b, T + 5_000).await.is_empty(), "still leased after the first lease's end");
        assert_eq!(claim(&db, b, T + 100_000).await.len(), 1);
        assert_eq!(db.outbox().next_due(Channel::Webhook).await.unwrap(), None, "channels are apart");
    }
}

contract! {
    /// A sent message leaves the queue; a failed one is retried when due, then given up on for good.
    sent_and_failed_messages_leave_the_queue,
    |db: Db| async move {
        let (lead, emails) = queue(&db, 2).await;
        let (sent, failing) = (emails[0].id, emails[1].id);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(claim(&db, a, T).await.len(), 2);
        db.outbox().mark_sent(&[sent], T + 10).await.unwrap();
        db.outbox().mark_attempt_failed(failing, "connection refused", Some(T + 5_000)).await.unwrap();
        let status = |id: Uuid| {
            let db = db.clone();
            async move {
                let all = db.outbox().for_lead(lead).await.unwrap();
                let s = all.into_iter().find(|s| s.id == id).expect("the message's status");
                (s.status, s.attempts, s.last_error, s.sent_at)
            }
        };
        assert_eq!(status(sent).await, ("SENT".to_owned(), 1, None, Some(T + 10)));
        assert_eq!(status(failing).await, ("QUEUED".to_owned(), 1, Some("connection refused".to_owned()), None));
        assert!(claim(&db, b, T + 100).await.is_empty(), "retried when due, not at once");
        let retry = claim(&db, b, T + 5_000).await;
        assert_eq!(retry.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(failing, 1)]);
        db.outbox().mark_attempt_failed(failing, "mailbox unavailable", None).await.unwrap();
        assert_eq!(status(failing).await, ("FAILED".to_owned(), 2, Some("mailbox unavailable".to_owned()), None));
        assert!(claim(&db, b, T + 10_000_000).await.is_empty(), "given up for good");
        let email = email_stats(&db, T + 20_000).await;
        assert_eq!((email.pending, email.failed, email.oldest_pending_ms), (0, 1, None));
    }
}

contract! {
    /// Stats count waiting and failed messages per channel, and how long the oldest has waited.
    stats_count_waiting_messages_per_channel,
    |db: Db| async move {
        queue(&db, 2).await;
        let stats = db.outbox().stats(T + 500).await.unwrap();
        assert_eq!(stats.iter().map(|(c, _)| *c).collect::<Vec<_>>(), Channel::ALL, "every channel, once");
        let of = |channel: Channel| stats.iter().find(|(c, _)| *c == channel).map(|(_, s)| *s).unwrap();
        let email = of(Channel::Email);
        assert_eq!((email.pending, email.failed, email.oldest_pending_ms), (2, 0, Some(500)));
        let hooks = of(Channel::Webhook);
        assert_eq!((hooks.pending, hooks.failed, hooks.oldest_pending_ms), (0, 0, None));
    }
}

contract! {
    /// Only finished (sent or failed) messages older than `before` lose their bodies, once.
    forget_bodies_empties_only_finished_messages,
    |db: Db| async move {
        let (_, emails) = queue(&db, 2).await;
        let a = Uuid::now_v7();
        assert_eq!(claim(&db, a, T).await.len(), 2);
        db.outbox().mark_sent(&[emails[0].id], T + 10).await.unwrap();
        assert!(db.outbox().forget_bodies(T, 10).await.unwrap().is_empty(), "queued at T, not before it");
        assert_eq!(db.outbox().forget_bodies(T + 1, 10).await.unwrap(), [emails[0].id]);
        assert!(db.outbox().forget_bodies(T + 1, 10).await.unwrap().is_empty(), "already forgotten");
        db.outbox().release_leases(Some(a)).await.unwrap();
        let waiting = claim(&db, a, T + 1).await;
        assert_eq!(waiting.len(), 1);
        assert_eq!((waiting[0].id, waiting[0].body_text.as_str()), (emails[1].id, emails[1].body_text.as_str()));
    }
}

/// A lead queued at [`T`] with `n` emails: the lead's id and the emails.
async fn queue(db: &Db, n: usize) -> (Uuid, Vec<NewMessage>) {
    let lead = NewLead { created_at: T, ..new_lead("ada@example.com") };
    let emails: Vec<NewMessage> = (0..n).map(|i| new_message("new_lead", &format!("firm{i}@x.test"))).collect();
    db.leads().insert(&lead, &emails).await.unwrap();
    (lead.id, emails)
}

/// What `owner` claims of the due emails at `now` (a one-minute lease).
async fn claim(db: &Db, owner: Uuid, now: i64) -> Vec<OutboxMessage> {
    db.outbox().claim_due(&email_claim(owner, now)).await.unwrap()
}

async fn email_stats(db: &Db, now: i64) -> OutboxStats {
    let stats = db.outbox().stats(now).await.unwrap();
    stats.into_iter().find(|(c, _)| *c == Channel::Email).map(|(_, s)| s).expect("the email channel's stats")
}
