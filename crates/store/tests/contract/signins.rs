//! `SigninStore` and `AccountStore::by_signin`: a session is signed in while
//! its row lives; rows end one by one, all but one, with the account's
//! sessions (by trigger), or by expiry; a browser the account never used
//! queues the email, in the same transaction.

use crate::harness::{add_attorney, new_message};
use intake_domain::accounts::AuditAction;
use intake_store::{
    Attorney, Db, account_admin::NewAudit, outbox::Channel, signins::Browser, signins::Live, signins::NewSignin,
};
use uuid::Uuid;

const T: i64 = 1_700_000_000_000;

fn signin(a: &Attorney, device: &str, at: i64) -> NewSignin {
    NewSignin { id: Uuid::now_v7(), attorney_id: a.id, device: device.into(), address: "192.0.2.7".into(), at }
}

fn ended(a: &Attorney) -> NewAudit {
    NewAudit { at: T, actor: Some(a.id), action: AuditAction::SessionEnded, target: a.id, detail: String::new() }
}

const ALL: Live = Live { seen_after: 0, started_after: 0 };

async fn emails_waiting(db: &Db) -> i64 {
    let stats = db.outbox().stats(T + 1).await.unwrap();
    stats.into_iter().find(|(c, _)| *c == Channel::Email).map(|(_, s)| s.pending).unwrap()
}

contract! {
    /// The first browser is the account's first; the same browser again is
    /// known; another one is new, and only then is the email queued.
    a_new_browser_queues_the_email,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let store = db.signins();
        let mail = new_message("new_sign_in", &alice.email);
        assert_eq!(store.start_signin(&signin(&alice, "Firefox on Linux", T), "h-laptop", &mail).await.unwrap(), Browser::First);
        assert_eq!(store.start_signin(&signin(&alice, "Firefox on Linux", T + 1), "h-laptop", &mail).await.unwrap(), Browser::Known);
        assert_eq!(emails_waiting(&db).await, 0, "nothing to tell yet");
        assert_eq!(store.start_signin(&signin(&alice, "Safari on iPhone", T + 2), "h-phone", &mail).await.unwrap(), Browser::New);
        assert_eq!(emails_waiting(&db).await, 1, "the new browser's email, with its sign-in");
        assert_eq!(
            store.start_signin(&signin(&bob, "Firefox on Linux", T + 3), "h-laptop", &new_message("new_sign_in", &bob.email)).await.unwrap(),
            Browser::First,
            "browsers are known per account"
        );
        let listed = store.signins(alice.id, ALL).await.unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0].device, "Safari on iPhone", "the most recently seen first");
        assert_eq!(listed[0].address, "192.0.2.7");
    }
}

contract! {
    /// A session is signed in only through its own live row, of its own account.
    a_session_lives_with_its_row,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let store = db.signins();
        let mail = new_message("new_sign_in", &alice.email);
        let (laptop, phone) = (signin(&alice, "Firefox on Linux", T), signin(&alice, "Safari on iPhone", T));
        for s in [&laptop, &phone] {
            store.start_signin(s, "h", &mail).await.unwrap();
        }
        let as_alice = db.accounts().by_signin(alice.id, phone.id).await.unwrap();
        assert_eq!(as_alice.map(|a| a.email), Some(alice.email.clone()));
        assert!(db.accounts().by_signin(bob.id, phone.id).await.unwrap().is_none(), "not another account's");
        assert!(db.accounts().by_signin(alice.id, Uuid::now_v7()).await.unwrap().is_none(), "an unknown sign-in");

        assert!(!store.end_signin(bob.id, phone.id, &ended(&bob)).await.unwrap(), "Bob cannot end Alice's");
        assert!(store.end_signin(alice.id, phone.id, &ended(&alice)).await.unwrap());
        assert!(!store.end_signin(alice.id, phone.id, &ended(&alice)).await.unwrap(), "once");
        assert!(db.accounts().by_signin(alice.id, phone.id).await.unwrap().is_none(), "ended: at once, though just read");
        assert!(db.accounts().by_signin(alice.id, laptop.id).await.unwrap().is_some(), "the other goes on");
        let log = db.account_admin().audit_log(Some(AuditAction::SessionEnded), 10).await.unwrap();
        assert_eq!(log.len(), 1, "one ending recorded");
    }
}

contract! {
    /// "Every other browser" keeps one; ending the account's sessions (a
    /// logout, a new password) deletes every row, whichever path did it.
    rows_end_with_the_accounts_sessions,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let store = db.signins();
        let mail = new_message("new_sign_in", &alice.email);
        let keep = signin(&alice, "Firefox on Linux", T);
        store.start_signin(&keep, "h", &mail).await.unwrap();
        for i in 0..3 {
            store.start_signin(&signin(&alice, "Chrome on Android", T + i), "h", &mail).await.unwrap();
        }
        assert_eq!(store.end_other_signins(alice.id, keep.id, &ended(&alice)).await.unwrap(), 3);
        assert_eq!(store.end_other_signins(alice.id, keep.id, &ended(&alice)).await.unwrap(), 0);
        assert_eq!(store.signins(alice.id, ALL).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), vec![keep.id]);

        let later = signin(&alice, "Edge on Windows", T + 10_000);
        store.start_signin(&later, "h", &mail).await.unwrap();
        db.accounts().end_sessions(alice.id, T + 5_000).await.unwrap();
        assert_eq!(
            store.signins(alice.id, ALL).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![later.id],
            "ended before the epoch: deleted; a sign-in after it stays"
        );
        assert!(db.accounts().by_signin(alice.id, keep.id).await.unwrap().is_none());
    }
}

contract! {
    /// Only live sign-ins are listed; pruning deletes the expired ones and
    /// the browsers unused for long.
    expired_rows_are_pruned,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let store = db.signins();
        let mail = || new_message("new_sign_in", "alice@firm.test");
        let (idle, busy, old) =
            (signin(&alice, "idle", T), signin(&alice, "busy", T), signin(&alice, "old", T - 50_000));
        for (s, h) in [(&idle, "h-idle"), (&busy, "h-busy"), (&old, "h-old")] {
            store.start_signin(s, h, &mail()).await.unwrap();
        }
        store.touch_signin(busy.id, T + 9_000).await.unwrap();
        store.touch_signin(old.id, T + 9_000).await.unwrap();
        let live = Live { seen_after: T + 1_000, started_after: T - 10_000 };
        let shown: Vec<String> = store.signins(alice.id, live).await.unwrap().into_iter().map(|s| s.device).collect();
        assert_eq!(shown, vec!["busy"], "idle too long, or started too long ago, is not shown");
        assert_eq!(store.prune_signins(live, T - 1).await.unwrap(), 2);
        assert_eq!(store.signins(alice.id, ALL).await.unwrap().len(), 1);
        // h-old was last seen at T - 50,000: forgotten; a sign-in from it is new again.
        assert_eq!(store.start_signin(&signin(&alice, "old", T + 20_000), "h-old", &mail()).await.unwrap(), Browser::New);
        assert_eq!(store.start_signin(&signin(&alice, "idle", T + 20_000), "h-idle", &mail()).await.unwrap(), Browser::Known);
    }
}
