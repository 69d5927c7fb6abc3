//! `AccountStore`: attorney accounts, found by email in any case, unique by
//! email; disabling, a new password and a new role end the account's sessions.

use crate::harness::{add_attorney, attorney};
use intake_store::{Attorney, Db, DbError, INVITED_HASH, Role, now_ms};
use uuid::Uuid;

contract! {
    /// An account is found by its email in any case (kept as typed) and by its id.
    accounts_are_found_by_email_in_any_case,
    |db: Db| async move {
        assert_eq!(db.accounts().count().await.unwrap(), 0);
        let alice = add_attorney(&db, "Alice@Firm.test", "Alice Ames").await;
        for typed in ["alice@firm.test", "  ALICE@FIRM.TEST "] {
            let found = db.accounts().by_email(typed).await.unwrap().expect("found in any case");
            assert_eq!((found.id, found.email.as_str()), (alice.id, "Alice@Firm.test"), "{typed:?}");
        }
        let found = db.accounts().by_id(alice.id).await.unwrap().expect("found by id");
        assert_same(&found, &alice);
        assert!(db.accounts().by_email("bob@firm.test").await.unwrap().is_none());
        assert!(db.accounts().by_id(Uuid::now_v7()).await.unwrap().is_none());
        assert_eq!(db.accounts().count().await.unwrap(), 1);
    }
}

contract! {
    /// A second account with the same email, in any case, is refused as `DuplicateAttorney`.
    a_duplicate_account_is_refused,
    |db: Db| async move {
        add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let again = attorney("BOB@Firm.test", "Robert Barr");
        let refused = db.accounts().create(&again).await;
        assert!(matches!(refused, Err(DbError::DuplicateAttorney)), "{refused:?}");
        assert!(db.accounts().by_id(again.id).await.unwrap().is_none());
        assert_eq!(db.accounts().count().await.unwrap(), 1);
    }
}

contract! {
    /// A disabled account is not active and its sessions end; enabled again, it is active.
    a_disabled_account_is_not_active,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        assert!(db.accounts().by_id(alice.id).await.unwrap().unwrap().is_active());
        let before = now_ms();
        assert!(db.accounts().set_disabled("ALICE@firm.test", true).await.unwrap());
        let disabled = db.accounts().by_id(alice.id).await.unwrap().unwrap();
        assert!(disabled.disabled && !disabled.is_active());
        assert!(disabled.sessions_valid_after >= before, "its sessions ended");
        assert!(db.accounts().set_disabled("alice@firm.test", false).await.unwrap());
        let enabled = db.accounts().by_email("alice@firm.test").await.unwrap().unwrap();
        assert!(!enabled.disabled && enabled.is_active());
        assert!(!db.accounts().set_disabled("nobody@firm.test", true).await.unwrap(), "no such account");
    }
}

contract! {
    /// An invited account is not active until a password is set, which ends its sessions.
    an_invited_account_is_active_once_its_password_is_set,
    |db: Db| async move {
        let invited = Attorney { password_hash: INVITED_HASH.into(), ..attorney("carol@firm.test", "Carol Cole") };
        db.accounts().create(&invited).await.unwrap();
        assert!(!db.accounts().by_id(invited.id).await.unwrap().unwrap().is_active(), "invited");
        let before = now_ms();
        assert!(db.accounts().set_password_hash("Carol@firm.test", "$argon2id$new").await.unwrap());
        let set = db.accounts().by_id(invited.id).await.unwrap().unwrap();
        assert_eq!(set.password_hash, "$argon2id$new");
        assert!(set.is_active());
        assert!(set.sessions_valid_after >= before, "its sessions ended");
        assert!(!db.accounts().set_password_hash("nobody@firm.test", "$argon2id$x").await.unwrap());
    }
}

contract! {
    /// A new role applies with the account's sessions ended; `end_sessions` ends them at the time given.
    a_role_change_or_logout_ends_sessions,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        db.accounts().end_sessions(alice.id, 12_345).await.unwrap();
        assert_eq!(db.accounts().by_id(alice.id).await.unwrap().unwrap().sessions_valid_after, 12_345);
        let before = now_ms();
        assert!(db.accounts().set_role("alice@firm.test", Role::Admin).await.unwrap());
        let admin = db.accounts().by_id(alice.id).await.unwrap().unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert!(admin.sessions_valid_after >= before, "its sessions ended");
        assert!(!db.accounts().set_role("nobody@firm.test", Role::Admin).await.unwrap());
    }
}

contract! {
    /// Every account is listed, ordered by email whatever its case.
    accounts_are_listed_by_email,
    |db: Db| async move {
        let made = [("carol@firm.test", "Carol"), ("alice@firm.test", "Alice"), ("Bob@firm.test", "Bob")];
        for (email, name) in made {
            add_attorney(&db, email, name).await;
        }
        let listed: Vec<String> = db.accounts().list().await.unwrap().into_iter().map(|a| a.email).collect();
        assert_eq!(listed, ["alice@firm.test", "Bob@firm.test", "carol@firm.test"]);
    }
}

/// Every field as stored.
fn assert_same(found: &Attorney, made: &Attorney) {
    assert_eq!((found.id, &found.email, &found.display_name), (made.id, &made.email, &made.display_name));
    assert_eq!((&found.password_hash, found.created_at), (&made.password_hash, made.created_at));
    assert_eq!((found.disabled, found.role, found.sessions_valid_after), (made.disabled, made.role, 0));
}
