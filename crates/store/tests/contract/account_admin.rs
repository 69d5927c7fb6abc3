//! `AccountAdminStore`: one-time links (stored with their email and audit
//! entry, used once, replaced by newer ones, dead once expired or once the
//! account's trust ends) and the accounts' audit log.

use crate::harness::{add_attorney, email_claim, new_message};
use intake_domain::accounts::{AuditAction, AuditRow, LinkPurpose};
use intake_store::{Attorney, Db, NewMessage, account_admin::NewAudit, account_admin::NewLink, now_ms};
use uuid::Uuid;

const HOUR: i64 = 3_600_000;

contract! {
    /// A link is stored with its email and audit entry, answers until used, and is used once.
    a_link_is_used_once,
    |db: Db| async move {
        let carol = add_attorney(&db, "carol@firm.test", "Carol Cole").await;
        let t = now_ms();
        let (link, email) = create_link(&db, &carol, LinkPurpose::Invite, "hash-1", t).await;
        let admin = db.account_admin();
        assert_eq!(admin.link("hash-1", t + 1).await.unwrap(), Some((carol.id, LinkPurpose::Invite)));
        assert_eq!(admin.link("hash-2", t + 1).await.unwrap(), None, "another secret finds nothing");
        assert_eq!(admin.redeem_link("hash-1", t + 2).await.unwrap(), Some((carol.id, LinkPurpose::Invite)));
        assert_eq!(admin.redeem_link("hash-1", t + 3).await.unwrap(), None, "a second use finds nothing");
        assert_eq!(admin.link("hash-1", t + 3).await.unwrap(), None);
        assert!(!admin.issue_link_secret(link.id, "hash-3", t + 3).await.unwrap(), "a used link gets no secret");

        let queued = db.outbox().claim_due(&email_claim(Uuid::now_v7(), t)).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!((queued[0].id, queued[0].link_id, queued[0].lead_id), (email.id, Some(link.id), None), "its email");
        let log = admin.audit_log(None, 10).await.unwrap();
        let logged: Vec<_> = log.iter().map(|r| (r.action, r.target.as_str())).collect();
        assert_eq!(logged, [(AuditAction::Invited, "carol@firm.test")], "its audit entry");
    }
}

contract! {
    /// A link does not answer at or after its expiry.
    an_expired_link_does_not_work,
    |db: Db| async move {
        let carol = add_attorney(&db, "carol@firm.test", "Carol Cole").await;
        let t = now_ms();
        let (link, _) = create_link(&db, &carol, LinkPurpose::Reset, "hash-1", t).await;
        let admin = db.account_admin();
        assert_eq!(admin.link("hash-1", link.expires_at - 1).await.unwrap(), Some((carol.id, LinkPurpose::Reset)));
        assert_eq!(admin.link("hash-1", link.expires_at).await.unwrap(), None);
        assert!(!admin.issue_link_secret(link.id, "hash-2", link.expires_at).await.unwrap());
        assert_eq!(admin.redeem_link("hash-1", link.expires_at).await.unwrap(), None);
        let just_in_time = admin.redeem_link("hash-1", link.expires_at - 1).await.unwrap();
        assert_eq!(just_in_time, Some((carol.id, LinkPurpose::Reset)));
    }
}

contract! {
    /// Issuing a secret replaces the link's hash: the one before stops working.
    issuing_a_secret_replaces_the_links_hash,
    |db: Db| async move {
        let carol = add_attorney(&db, "carol@firm.test", "Carol Cole").await;
        let t = now_ms();
        let (link, _) = create_link(&db, &carol, LinkPurpose::Invite, "unsent", t).await;
        let admin = db.account_admin();
        assert!(admin.issue_link_secret(link.id, "sent-1", t + 1).await.unwrap());
        assert_eq!(admin.link("unsent", t + 2).await.unwrap(), None);
        assert!(admin.issue_link_secret(link.id, "sent-2", t + 2).await.unwrap(), "sent again: a new secret");
        assert_eq!(admin.link("sent-1", t + 3).await.unwrap(), None);
        assert_eq!(admin.redeem_link("sent-2", t + 3).await.unwrap(), Some((carol.id, LinkPurpose::Invite)));
        assert!(!admin.issue_link_secret(Uuid::now_v7(), "sent-3", t + 3).await.unwrap(), "no such link");
    }
}

contract! {
    /// A newer link of the same account and purpose retires the older one; other purposes stay.
    a_newer_link_retires_the_older_one,
    |db: Db| async move {
        let carol = add_attorney(&db, "carol@firm.test", "Carol Cole").await;
        let dave = add_attorney(&db, "dave@firm.test", "Dave Dunn").await;
        let t = now_ms();
        create_link(&db, &carol, LinkPurpose::Invite, "invite", t).await;
        create_link(&db, &carol, LinkPurpose::Reset, "reset-1", t).await;
        create_link(&db, &dave, LinkPurpose::Reset, "dave-reset", t).await;
        create_link(&db, &carol, LinkPurpose::Reset, "reset-2", t + 10).await;
        let admin = db.account_admin();
        assert_eq!(admin.link("reset-1", t + 20).await.unwrap(), None, "only the newest email counts");
        assert_eq!(admin.link("reset-2", t + 20).await.unwrap(), Some((carol.id, LinkPurpose::Reset)));
        assert_eq!(admin.link("invite", t + 20).await.unwrap(), Some((carol.id, LinkPurpose::Invite)));
        assert_eq!(admin.link("dave-reset", t + 20).await.unwrap(), Some((dave.id, LinkPurpose::Reset)));
    }
}

contract! {
    /// Disabling an account, or changing its role, kills its unused links.
    an_accounts_trust_ending_kills_its_links,
    |db: Db| async move {
        let carol = add_attorney(&db, "carol@firm.test", "Carol Cole").await;
        let dave = add_attorney(&db, "dave@firm.test", "Dave Dunn").await;
        let t = now_ms();
        create_link(&db, &carol, LinkPurpose::Reset, "carol-link", t).await;
        create_link(&db, &dave, LinkPurpose::Reset, "dave-link", t).await;
        assert!(db.accounts().set_disabled("carol@firm.test", true).await.unwrap());
        assert!(db.accounts().set_role("dave@firm.test", intake_store::Role::Admin).await.unwrap());
        let later = now_ms() + 1;
        assert_eq!(db.account_admin().link("carol-link", later).await.unwrap(), None, "disabled");
        assert_eq!(db.account_admin().redeem_link("dave-link", later).await.unwrap(), None, "a new role");
    }
}

contract! {
    /// The audit log lists the newest entries first, naming actor and target, filtered by action.
    the_audit_log_is_newest_first_and_filters_by_action,
    |db: Db| async move {
        let admin = add_attorney(&db, "admin@firm.test", "Ann Admin").await;
        let carol = add_attorney(&db, "carol@firm.test", "Carol Cole").await;
        let entry = |at, actor: Option<Uuid>, action, detail: &str| NewAudit {
            at, actor, action, target: carol.id, detail: detail.to_owned(),
        };
        db.account_admin().record(&entry(1_000, None, AuditAction::Created, "from the command line")).await.unwrap();
        db.account_admin().record(&entry(2_000, Some(admin.id), AuditAction::Disabled, "")).await.unwrap();
        db.account_admin().record(&entry(3_000, Some(admin.id), AuditAction::Enabled, "")).await.unwrap();
        let row = |at, actor: Option<&str>, action, detail: &str| AuditRow {
            at, actor: actor.map(str::to_owned), action, target: "carol@firm.test".into(), detail: detail.to_owned(),
        };
        assert_eq!(db.account_admin().audit_log(None, 10).await.unwrap(), [
            row(3_000, Some("Ann Admin"), AuditAction::Enabled, ""),
            row(2_000, Some("Ann Admin"), AuditAction::Disabled, ""),
            row(1_000, None, AuditAction::Created, "from the command line"),
        ]);
        assert_eq!(db.account_admin().audit_log(None, 1).await.unwrap().len(), 1, "the limit holds");
        let disabled = db.account_admin().audit_log(Some(AuditAction::Disabled), 10).await.unwrap();
        assert_eq!(disabled, [row(2_000, Some("Ann Admin"), AuditAction::Disabled, "")]);
        assert!(db.account_admin().audit_log(Some(AuditAction::RoleChanged), 10).await.unwrap().is_empty());
    }
}

/// A link for `to` made at `t` (valid an hour), its email and its audit entry, stored together.
async fn create_link(db: &Db, to: &Attorney, purpose: LinkPurpose, hash: &str, t: i64) -> (NewLink, NewMessage) {
    let link = NewLink {
        id: Uuid::now_v7(),
        token_hash: hash.to_owned(),
        attorney_id: to.id,
        purpose,
        created_at: t,
        expires_at: t + HOUR,
    };
    let email = NewMessage { link_id: Some(link.id), ..new_message("invitation", &to.email) };
    let audit = NewAudit { at: t, actor: None, action: AuditAction::Invited, target: to.id, detail: String::new() };
    db.account_admin().create_link(&link, &email, &audit).await.unwrap();
    (link, email)
}
