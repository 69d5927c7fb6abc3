//! `DigestStore`: the daily digest is claimed once per day, with its emails
//! queued in the same transaction (and nothing queued by a losing claim).

use crate::harness::{email_claim, new_message};
use intake_store::{Db, outbox::Channel};
use uuid::Uuid;

/// When the digest is sent.
const T: i64 = 1_700_000_000_000;

contract! {
    /// A day is claimed once: a second claim of it answers false and queues nothing.
    a_day_is_claimed_once,
    |db: Db| async move {
        let digests = db.digests();
        assert!(!digests.digest_sent("2024-05-01").await.unwrap());
        let day_one = [new_message("follow_up_digest", "alice@x.test"), new_message("follow_up_digest", "bob@x.test")];
        assert!(digests.claim_digest("2024-05-01", T, &day_one).await.unwrap());
        assert!(digests.digest_sent("2024-05-01").await.unwrap());
        assert_eq!(pending_emails(&db).await, 2);
        let again = [new_message("follow_up_digest", "carol@firm.test")];
        assert!(!digests.claim_digest("2024-05-01", T + 1_000, &again).await.unwrap(), "already claimed");
        assert_eq!(pending_emails(&db).await, 2, "the losing claim queued nothing");
        assert!(!digests.digest_sent("2024-05-02").await.unwrap(), "another day is not sent");
        assert!(digests.claim_digest("2024-05-02", T + 86_400_000, &again).await.unwrap());
        assert_eq!(pending_emails(&db).await, 3);
    }
}

contract! {
    /// A claimed day's emails are queued now, about no lead, ready for the sender.
    the_claimed_digest_is_queued_for_sending,
    |db: Db| async move {
        let digest = new_message("follow_up_digest", "alice@firm.test");
        assert!(db.digests().claim_digest("2024-05-01", T, std::slice::from_ref(&digest)).await.unwrap());
        assert!(db.outbox().claim_due(&email_claim(Uuid::now_v7(), T - 1)).await.unwrap().is_empty(), "queued at T");
        let claimed = db.outbox().claim_due(&email_claim(Uuid::now_v7(), T)).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let m = &claimed[0];
        assert_eq!((m.id, m.lead_id, m.link_id), (digest.id, None, None), "about no lead");
        assert_eq!((m.kind.as_str(), m.recipients.as_str()), ("follow_up_digest", "alice@firm.test"));
        assert_eq!(m.body_text, digest.body_text);
    }
}

contract! {
    /// A claim with no emails still marks the day sent.
    an_empty_digest_still_claims_its_day,
    |db: Db| async move {
        assert!(db.digests().claim_digest("2024-05-01", T, &[]).await.unwrap());
        assert!(db.digests().digest_sent("2024-05-01").await.unwrap());
        assert!(!db.digests().claim_digest("2024-05-01", T, &[]).await.unwrap());
        assert_eq!(pending_emails(&db).await, 0);
    }
}

/// Emails waiting in the outbox.
async fn pending_emails(db: &Db) -> i64 {
    let stats = db.outbox().stats(T).await.unwrap();
    stats.into_iter().find(|(c, _)| *c == Channel::Email).map(|(_, s)| s.pending).expect("the email channel's stats")
}
