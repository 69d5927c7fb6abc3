//! `SecondFactorStore`: an authenticator app's sealed secret, confirmed once,
//! its steps accepted once each; recovery codes used once, replaced as a set.

use crate::harness::add_attorney;
use intake_domain::accounts::AuditAction;
use intake_store::{Attorney, Db, account_admin::NewAudit};

fn audit(a: &Attorney, action: AuditAction, at: i64) -> NewAudit {
    NewAudit { at, actor: Some(a.id), action, target: a.id, detail: String::new() }
}

contract! {
    /// An enrolment waits unconfirmed (restartable), is confirmed once with
    /// its recovery codes, and then refuses a new start.
    an_app_is_confirmed_once,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let store = db.second_factor();
        assert_eq!(store.totp(alice.id).await.unwrap(), None);
        assert!(store.start_totp(alice.id, b"sealed-1", 1_000).await.unwrap());
        assert!(store.start_totp(alice.id, b"sealed-2", 2_000).await.unwrap(), "an unconfirmed start is replaced");
        let pending = store.totp(alice.id).await.unwrap().unwrap();
        assert_eq!((pending.sealed.as_slice(), pending.created_at, pending.confirmed_at), (&b"sealed-2"[..], 2_000, None));
        assert_eq!(store.confirmed_totp_count().await.unwrap(), 0);
        assert!(!store.use_totp_step(alice.id, 5).await.unwrap(), "no step is accepted before confirmation");

        let codes = vec!["h1".to_owned(), "h2".to_owned()];
        assert!(store.confirm_totp(alice.id, 40, &codes, &audit(&alice, AuditAction::SecondFactorAdded, 3_000)).await.unwrap());
        let on = store.totp(alice.id).await.unwrap().unwrap();
        assert_eq!((on.confirmed_at, on.last_step), (Some(3_000), 40));
        assert!(!store.confirm_totp(alice.id, 41, &codes, &audit(&alice, AuditAction::SecondFactorAdded, 3_500)).await.unwrap(), "once");
        assert!(!store.start_totp(alice.id, b"sealed-3", 4_000).await.unwrap(), "a confirmed app is not replaced");
        assert_eq!(store.totp(alice.id).await.unwrap().unwrap().sealed, b"sealed-2");
        assert_eq!(store.confirmed_totp_count().await.unwrap(), 1);
        assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 2);
        let log = db.account_admin().audit_log(Some(AuditAction::SecondFactorAdded), 10).await.unwrap();
        assert_eq!(log.len(), 1, "recorded with the confirmation");
    }
}

contract! {
    /// Each step is accepted once, and never one older than the last accepted.
    steps_are_accepted_once_and_in_order,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let store = db.second_factor();
        for a in [&alice, &bob] {
            store.start_totp(a.id, b"s", 1).await.unwrap();
            store.confirm_totp(a.id, 100, &[], &audit(a, AuditAction::SecondFactorAdded, 2)).await.unwrap();
        }
        assert!(!store.use_totp_step(alice.id, 100).await.unwrap(), "the confirming code's step is used");
        assert!(store.use_totp_step(alice.id, 101).await.unwrap());
        assert!(!store.use_totp_step(alice.id, 101).await.unwrap(), "a replay");
        assert!(!store.use_totp_step(alice.id, 99).await.unwrap(), "an older step");
        assert!(store.use_totp_step(bob.id, 101).await.unwrap(), "accounts apart");
        let both = tokio::join!(store.use_totp_step(alice.id, 102), store.use_totp_step(alice.id, 102));
        assert_eq!([both.0.unwrap(), both.1.unwrap()].iter().filter(|ok| **ok).count(), 1, "one of two at once");
    }
}

contract! {
    /// A recovery code works once; a new set replaces the old one; removing
    /// the app removes its codes; every change is in the audit log.
    recovery_codes_are_single_use_and_replaced_as_a_set,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let store = db.second_factor();
        store.start_totp(alice.id, b"s", 1).await.unwrap();
        let codes = vec!["h1".to_owned(), "h2".to_owned(), "h3".to_owned()];
        store.confirm_totp(alice.id, 1, &codes, &audit(&alice, AuditAction::SecondFactorAdded, 2)).await.unwrap();
        assert!(!store.use_recovery_code(bob.id, "h1", 3).await.unwrap(), "another account's code");
        assert!(store.use_recovery_code(alice.id, "h1", 3).await.unwrap());
        assert!(!store.use_recovery_code(alice.id, "h1", 4).await.unwrap(), "used up");
        assert!(!store.use_recovery_code(alice.id, "nope", 4).await.unwrap());
        assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 2);

        let renewed = vec!["n1".to_owned()];
        store.replace_recovery_codes(alice.id, &renewed, &audit(&alice, AuditAction::RecoveryCodesRenewed, 5)).await.unwrap();
        assert!(!store.use_recovery_code(alice.id, "h2", 6).await.unwrap(), "the old set stopped working");
        assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 1);

        assert!(store.remove_totp(alice.id, &audit(&alice, AuditAction::SecondFactorRemoved, 7), None).await.unwrap());
        assert!(!store.remove_totp(alice.id, &audit(&alice, AuditAction::SecondFactorRemoved, 8), None).await.unwrap());
        assert_eq!(store.totp(alice.id).await.unwrap(), None);
        assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 0);
        assert!(!store.use_recovery_code(alice.id, "n1", 9).await.unwrap(), "gone with the app");
        let log: Vec<_> = db.account_admin().audit_log(None, 10).await.unwrap().into_iter().map(|r| r.action).collect();
        assert_eq!(
            log,
            [AuditAction::SecondFactorRemoved, AuditAction::RecoveryCodesRenewed, AuditAction::SecondFactorAdded]
        );
    }
}
