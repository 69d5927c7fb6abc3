//! `TokenStore`: API tokens stored under the hash of their secret, found
//! while live, revoked by id, and dead once their owner's trust ends.

use crate::harness::{add_attorney, token};
use intake_store::{ApiToken, Db, TokenScope};
use uuid::Uuid;

contract! {
    /// A token is found by its secret's hash, acting as its owner, until it is revoked (once).
    a_token_is_found_by_its_hash_until_revoked,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let zapier =
            ApiToken { scope: TokenScope::Read, expires_at: Some(9_000_000_000_000), ..token(&alice, "zapier") };
        db.tokens().create_token(&zapier, "hash-1").await.unwrap();
        let found = db.tokens().token_by_hash("hash-1").await.unwrap().expect("a live token");
        assert_eq!((found.id, found.name.as_str(), found.scope), (zapier.id, "zapier", TokenScope::Read));
        assert_eq!((found.attorney_id, found.owner_email.as_str()), (alice.id, "alice@firm.test"));
        assert_eq!((found.created_at, found.expires_at), (zapier.created_at, zapier.expires_at));
        assert_eq!((found.revoked_at, found.last_used_at), (None, None));
        assert!(db.tokens().token_by_hash("hash-2").await.unwrap().is_none(), "another secret finds nothing");

        assert!(db.tokens().revoke_token(zapier.id, 5_000).await.unwrap());
        assert!(db.tokens().token_by_hash("hash-1").await.unwrap().is_none(), "a revoked token is not found");
        assert!(!db.tokens().revoke_token(zapier.id, 6_000).await.unwrap(), "revoked once");
        assert!(!db.tokens().revoke_token(Uuid::now_v7(), 6_000).await.unwrap(), "no such token");
        let listed = db.tokens().list_tokens().await.unwrap();
        assert_eq!(listed.iter().map(|t| (t.id, t.revoked_at)).collect::<Vec<_>>(), [(zapier.id, Some(5_000))]);
    }
}

contract! {
    /// Every token is listed, revoked ones too, newest first, with its owner's email.
    tokens_are_listed_newest_first,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let (first, second) = (token(&alice, "first"), token(&bob, "second"));
        db.tokens().create_token(&first, "hash-first").await.unwrap();
        db.tokens().create_token(&second, "hash-second").await.unwrap();
        db.tokens().revoke_token(first.id, 5_000).await.unwrap();
        let listed = db.tokens().list_tokens().await.unwrap();
        let seen: Vec<_> = listed.iter().map(|t| (t.name.as_str(), t.owner_email.as_str(), t.revoked_at)).collect();
        assert_eq!(seen, [("second", "bob@firm.test", None), ("first", "alice@firm.test", Some(5_000))]);
    }
}

contract! {
    /// A use is recorded on the token.
    a_use_is_recorded,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let zapier = token(&alice, "zapier");
        db.tokens().create_token(&zapier, "hash-1").await.unwrap();
        db.tokens().touch_token(zapier.id, 7_000).await.unwrap();
        let found = db.tokens().token_by_hash("hash-1").await.unwrap().unwrap();
        assert_eq!(found.last_used_at, Some(7_000));
        db.tokens().touch_token(zapier.id, 8_000).await.unwrap();
        assert_eq!(db.tokens().list_tokens().await.unwrap()[0].last_used_at, Some(8_000));
    }
}

contract! {
    /// Disabling the owner, or a new password, revokes their tokens for good (enabling brings none back).
    the_owners_trust_ending_revokes_their_tokens,
    |db: Db| async move {
        let alice = add_attorney(&db, "alice@firm.test", "Alice Ames").await;
        let bob = add_attorney(&db, "bob@firm.test", "Bob Barr").await;
        let (hers, his) = (token(&alice, "hers"), token(&bob, "his"));
        db.tokens().create_token(&hers, "hash-hers").await.unwrap();
        db.tokens().create_token(&his, "hash-his").await.unwrap();
        assert!(db.accounts().set_disabled("alice@firm.test", true).await.unwrap());
        assert!(db.tokens().token_by_hash("hash-hers").await.unwrap().is_none(), "the owner is disabled");
        assert!(db.tokens().token_by_hash("hash-his").await.unwrap().is_some(), "another's token still works");
        assert!(db.accounts().set_disabled("alice@firm.test", false).await.unwrap());
        assert!(db.tokens().token_by_hash("hash-hers").await.unwrap().is_none(), "enabling brings none back");
        assert!(db.accounts().set_password_hash("bob@firm.test", "$argon2id$new").await.unwrap());
        assert!(db.tokens().token_by_hash("hash-his").await.unwrap().is_none(), "a new password revokes too");
    }
}
