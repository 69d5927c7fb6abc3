//! `PasskeyStore`: passkeys per account (a credential belongs to one), their
//! use and removal, recorded in the audit log; ceremonies taken once, for
//! their own purpose and account only, bounded in number; a reset removes
//! every factor in one transaction with its email.

use crate::harness::{add_attorney, new_message};
use intake_domain::accounts::AuditAction;
use intake_store::{
    Attorney, Db,
    account_admin::NewAudit,
    passkeys::{Ceremony, NewPasskey, Purpose, Started},
};
use uuid::Uuid;

const T: i64 = 1_700_000_000_000;

fn audit(a: &Attorney, action: AuditAction) -> NewAudit {
    NewAudit { at: T, actor: Some(a.id), action, target: a.id, detail: "passkey".into() }
}

fn passkey<'a>(a: &Attorney, credential_id: &'a str, name: &'a str, at: i64) -> NewPasskey<'a> {
    NewPasskey { id: Uuid::now_v7(), attorney_id: a.id, credential_id, name, credential: "{\"cred\":1}", at }
}

contract! {
    /// Added, listed oldest first, found by credential, used, removed; a
    /// credential already registered (to anyone) is refused.
    passkeys_are_added_used_and_removed,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let store = db.passkeys();
        let laptop = passkey(&alice, "cred-laptop", "Laptop", T);
        let phone = passkey(&alice, "cred-phone", "Phone", T + 1);
        assert!(store.add_passkey(&laptop, &audit(&alice, AuditAction::SecondFactorAdded), &new_message("passkey_added", "alice@firm.test")).await.unwrap());
        assert!(store.add_passkey(&phone, &audit(&alice, AuditAction::SecondFactorAdded), &new_message("passkey_added", "alice@firm.test")).await.unwrap());
        let stolen = passkey(&bob, "cred-laptop", "Mine now", T + 2);
        assert!(!store.add_passkey(&stolen, &audit(&bob, AuditAction::SecondFactorAdded), &new_message("passkey_added", "bob@firm.test")).await.unwrap(), "one account per credential");
        let listed = store.passkeys(alice.id).await.unwrap();
        assert_eq!(listed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Laptop", "Phone"]);
        assert!(store.passkeys(bob.id).await.unwrap().is_empty());

        let found = store.passkey_by_credential("cred-phone").await.unwrap().unwrap();
        assert_eq!((found.id, found.attorney_id, found.last_used_at), (phone.id, alice.id, None));
        assert!(store.passkey_by_credential("cred-nobody").await.unwrap().is_none());
        store.passkey_used(phone.id, "{\"cred\":2}", T + 5).await.unwrap();
        let used = store.passkey_by_credential("cred-phone").await.unwrap().unwrap();
        assert_eq!((used.credential.as_str(), used.last_used_at), ("{\"cred\":2}", Some(T + 5)));

        assert!(!store.remove_passkey(bob.id, phone.id, &audit(&bob, AuditAction::SecondFactorRemoved)).await.unwrap(), "not Bob's");
        assert!(store.remove_passkey(alice.id, phone.id, &audit(&alice, AuditAction::SecondFactorRemoved)).await.unwrap());
        assert!(store.passkey_by_credential("cred-phone").await.unwrap().is_none(), "removed: never found again");
        let added = db.account_admin().audit_log(Some(AuditAction::SecondFactorAdded), 10).await.unwrap();
        assert_eq!(added.len(), 2, "Bob's refused credential is not recorded");
        assert_eq!(db.account_admin().audit_log(Some(AuditAction::SecondFactorRemoved), 10).await.unwrap().len(), 1);
    }
}

contract! {
    /// A ceremony is taken once, only for its purpose and account, and not after it expires.
    ceremonies_are_taken_once,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let store = db.passkeys();
        let start = |id, attorney_id, purpose, expires_at| Ceremony { id, attorney_id, purpose, state: "{\"s\":1}", expires_at };
        let add = Uuid::now_v7();
        assert_eq!(store.start_ceremony(&start(add, Some(alice.id), Purpose::Add, T + 100), T, 10).await.unwrap(), Started::Yes);
        assert_eq!(store.take_ceremony(add, Purpose::Add, Some(alice.id), T + 1).await.unwrap().as_deref(), Some("{\"s\":1}"));
        assert_eq!(store.take_ceremony(add, Purpose::Add, Some(alice.id), T + 1).await.unwrap(), None, "taken once");

        let sign_in = Uuid::now_v7();
        store.start_ceremony(&start(sign_in, None, Purpose::SignIn, T + 100), T, 10).await.unwrap();
        assert_eq!(store.take_ceremony(sign_in, Purpose::Verify, None, T + 1).await.unwrap(), None, "another purpose");
        assert_eq!(store.take_ceremony(sign_in, Purpose::SignIn, None, T + 1).await.unwrap(), None, "and the wrong try used it up");

        let verify = Uuid::now_v7();
        store.start_ceremony(&start(verify, Some(alice.id), Purpose::Verify, T + 100), T, 10).await.unwrap();
        assert_eq!(store.take_ceremony(verify, Purpose::Verify, Some(Uuid::now_v7()), T + 1).await.unwrap(), None, "another account");

        let late = Uuid::now_v7();
        store.start_ceremony(&start(late, None, Purpose::SignIn, T + 100), T, 10).await.unwrap();
        assert_eq!(store.take_ceremony(late, Purpose::SignIn, None, T + 100).await.unwrap(), None, "expired");
    }
}

contract! {
    /// At most `max_live` ceremonies at once; expired ones make room.
    ceremonies_are_bounded,
    |db: Db| async move {
        let store = db.passkeys();
        for i in 0..3 {
            let c = Ceremony { id: Uuid::now_v7(), attorney_id: None, purpose: Purpose::SignIn, state: "{}", expires_at: T + 10 + i };
            assert_eq!(store.start_ceremony(&c, T, 3).await.unwrap(), Started::Yes);
        }
        let more = Ceremony { id: Uuid::now_v7(), attorney_id: None, purpose: Purpose::SignIn, state: "{}", expires_at: T + 100 };
        assert_eq!(store.start_ceremony(&more, T, 3).await.unwrap(), Started::TooMany);
        assert_eq!(store.start_ceremony(&more, T + 10, 3).await.unwrap(), Started::Yes, "the first expired");
        // An account's ceremonies are a pool of their own.
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let mine = Ceremony { id: Uuid::now_v7(), attorney_id: Some(alice.id), purpose: Purpose::Verify, state: "{}", expires_at: T + 100 };
        assert_eq!(store.start_ceremony(&mine, T + 10, 1).await.unwrap(), Started::Yes, "strangers' sign-ins do not count");
        let again = Ceremony { id: Uuid::now_v7(), ..mine.clone() };
        assert_eq!(store.start_ceremony(&again, T + 10, 1).await.unwrap(), Started::TooMany);
    }
}

contract! {
    /// An administrator's reset removes the app, its recovery codes and every
    /// passkey, with its audit entry and email; nothing to reset is false.
    a_reset_removes_every_factor,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        db.second_factor().start_totp(alice.id, b"sealed", T).await.unwrap();
        db.second_factor().confirm_totp(alice.id, 1, &["h1".into()], &audit(&alice, AuditAction::SecondFactorAdded)).await.unwrap();
        db.passkeys().add_passkey(&passkey(&alice, "cred-a", "Key", T), &audit(&alice, AuditAction::SecondFactorAdded), &new_message("passkey_added", "alice@firm.test")).await.unwrap();
        db.passkeys().add_passkey(&passkey(&bob, "cred-b", "Key", T), &audit(&bob, AuditAction::SecondFactorAdded), &new_message("passkey_added", "bob@firm.test")).await.unwrap();
        let reset = NewAudit { at: T + 1, actor: Some(bob.id), action: AuditAction::SecondFactorReset, target: alice.id, detail: String::new() };
        let mail = new_message("second_factor_reset", &alice.email);
        assert!(db.passkeys().reset_factors(alice.id, &reset, &mail).await.unwrap());
        assert!(db.second_factor().totp(alice.id).await.unwrap().is_none());
        assert_eq!(db.second_factor().recovery_codes_left(alice.id).await.unwrap(), 0);
        assert!(db.passkeys().passkeys(alice.id).await.unwrap().is_empty());
        assert_eq!(db.passkeys().passkeys(bob.id).await.unwrap().len(), 1, "only Alice's");
        assert!(!db.passkeys().reset_factors(alice.id, &reset, &mail).await.unwrap(), "nothing left");
        let stats = db.outbox().stats(T + 2).await.unwrap();
        let pending: i64 = stats.iter().map(|(_, s)| s.pending).sum();
        assert_eq!(pending, 3, "one email per passkey added, and one for the reset");
    }
}
