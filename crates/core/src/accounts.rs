//! Accounts in the browser. Administrators invite colleagues (a one-time
//! link to set a password), disable and re-enable accounts and send
//! password reset links; everyone changes their own password. Every change
//! is in the audit log, and every email goes through the outbox, queued in
//! the transaction that makes its link. Callers check the role.

use crate::{auth::token::hash_secret, auth::token::random_base64url, error::Error, mail::compose, services::Services};
use intake_domain::{
    Email, accounts::AccountRow, accounts::AccountStatus, accounts::Accounts, accounts::AuditAction,
    accounts::LinkInfo, accounts::LinkPurpose, accounts::check_new_password,
};
use intake_store::{Attorney, DbError, Role, account_admin::NewAudit, account_admin::NewLink, now_ms};
use uuid::Uuid;

pub use intake_store::INVITED_HASH;

/// Newest audit entries shown.
pub const AUDIT_SHOWN: i64 = 200;

/// The accounts and the audit log (of one action when `action` names one).
pub async fn page(state: &Services, me: &Attorney, action: Option<&str>) -> Result<Accounts, Error> {
    let two_step: std::collections::HashSet<Uuid> =
        state.db.second_factor().confirmed_totp_accounts().await?.into_iter().collect();
    let passkeys: std::collections::HashMap<Uuid, i64> =
        state.db.passkeys().passkey_counts().await?.into_iter().collect();
    let mut accounts: Vec<AccountRow> = state
        .db
        .accounts()
        .list()
        .await?
        .into_iter()
        .map(|a| AccountRow {
            status: if a.disabled {
                AccountStatus::Disabled
            } else if a.password_hash == INVITED_HASH {
                AccountStatus::Invited
            } else {
                AccountStatus::Active
            },
            id: a.id,
            email: a.email,
            name: a.display_name,
            role: a.role.as_str().into(),
            created_at: a.created_at,
            two_step: two_step.contains(&a.id),
            passkeys: passkeys.get(&a.id).map_or(0, |n| *n as u32),
        })
        .collect();
    accounts.sort_by_key(|a| a.name.to_lowercase());
    let action = action.and_then(AuditAction::parse);
    let audit = state.db.account_admin().audit_log(action, AUDIT_SHOWN).await?;
    Ok(Accounts { accounts, audit, me: me.id })
}

fn audit(by: Option<&Attorney>, action: AuditAction, target: Uuid, detail: impl Into<String>) -> NewAudit {
    NewAudit { at: now_ms(), actor: by.map(|a| a.id), action, target, detail: detail.into() }
}

/// Emails `to` a new link for `purpose`, valid for the configured time.
///
/// The secret is not made here: the email is stored with a placeholder and
/// the sender makes the secret when it sends it (see `mail::links`), so no
/// table, backup or dump ever holds a usable link.
async fn send_link(state: &Services, by: &Attorney, to: &Attorney, purpose: LinkPurpose) -> Result<(), Error> {
    let now = now_ms();
    let ttl = match purpose {
        LinkPurpose::Invite => state.config.accounts.invite_ttl,
        LinkPurpose::Reset => state.config.accounts.reset_ttl,
    };
    let link = NewLink {
        id: Uuid::now_v7(),
        // Until it is sent, the link answers to no secret anyone knows.
        token_hash: hash_secret(&random_base64url("unsent_")),
        attorney_id: to.id,
        purpose,
        created_at: now,
        expires_at: now + ttl.as_millis() as i64,
    };
    let url = format!("{}/set-password?token={}", state.config.site.public_url, compose::LINK_SECRET);
    let email = compose::account_link(&state.config, to, &by.display_name, &url, link.id, purpose, ttl);
    let action = match purpose {
        LinkPurpose::Invite => AuditAction::Invited,
        LinkPurpose::Reset => AuditAction::ResetSent,
    };
    let entry = audit(
        Some(by),
        action,
        to.id,
        format!("link valid until {}", intake_domain::time::format_utc(link.expires_at)),
    );
    state.db.account_admin().create_link(&link, &email, &entry).await?;
    state.outbox_wake.notify();
    Ok(())
}

/// Creates an account for a colleague, without a password, and emails them the link to set one.
pub async fn invite(state: &Services, admin: &Attorney, email: &str, name: &str, role: &str) -> Result<(), Error> {
    let email = Email::parse(email)
        .map_err(|_| Error::BadParam("Email: enter your colleague's address, like name@firm.com.".into()))?
        .to_string();
    let name = intake_domain::PersonName::parse(name, "Name")
        .map_err(|_| Error::BadParam("Name: 1 to 100 characters, without control characters.".into()))?;
    let role = Role::parse(role).ok_or_else(|| Error::BadParam("Role: choose attorney or admin.".into()))?;
    let attorney = Attorney {
        id: Uuid::now_v7(),
        email: email.clone(),
        display_name: name.to_string(),
        password_hash: INVITED_HASH.into(),
        created_at: now_ms(),
        disabled: false,
        role,
        sessions_valid_after: 0,
    };
    match state.db.accounts().create(&attorney).await {
        Ok(()) => {}
        Err(DbError::DuplicateAttorney) => {
            return Err(Error::Conflict(format!("Email: {email} already has an account.")));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account = %email, by = %admin.email, "colleague invited");
    send_link(state, admin, &attorney, LinkPurpose::Invite).await
}

async fn account(state: &Services, id: Uuid) -> Result<Attorney, Error> {
    state.db.accounts().by_id(id).await?.ok_or(Error::NotFound("account"))
}

/// Disables an account (its sessions end at once, everywhere) or enables it again.
pub async fn set_disabled(state: &Services, admin: &Attorney, id: Uuid, disabled: bool) -> Result<(), Error> {
    let target = account(state, id).await?;
    if target.id == admin.id && disabled {
        return Err(Error::Conflict("You cannot disable your own account.".into()));
    }
    if target.disabled == disabled {
        let now = if disabled { "disabled" } else { "enabled" };
        return Err(Error::Conflict(format!("{} is already {now}.", target.email)));
    }
    state.db.accounts().set_disabled(&target.email, disabled).await?;
    let action = if disabled { AuditAction::Disabled } else { AuditAction::Enabled };
    state.db.account_admin().record(&audit(Some(admin), action, target.id, "")).await?;
    tracing::info!(account = %target.email, disabled, by = %admin.email, "account changed in the browser");
    Ok(())
}

/// Emails an account a link to set a new password (its current one keeps working until then).
pub async fn send_reset(state: &Services, admin: &Attorney, id: Uuid) -> Result<(), Error> {
    let target = account(state, id).await?;
    if target.disabled {
        return Err(Error::Conflict(format!("{} is disabled: enable it first.", target.email)));
    }
    let purpose = if target.password_hash == INVITED_HASH { LinkPurpose::Invite } else { LinkPurpose::Reset };
    send_link(state, admin, &target, purpose).await
}

const DEAD_LINK: &str = "This link has expired or has already been used. Ask an administrator for a new one.";

/// What a link's page shows: whose account, and why.
pub async fn link_info(state: &Services, token: &str) -> Result<LinkInfo, Error> {
    let (id, purpose) =
        state.db.account_admin().link(&hash_secret(token), now_ms()).await?.ok_or(Error::Conflict(DEAD_LINK.into()))?;
    let a = account(state, id).await?;
    Ok(LinkInfo { email: a.email, name: a.display_name, purpose })
}

/// Sets the password of a link's account and uses the link up; the
/// account's other sessions end. Returns the account's email.
pub async fn set_password_with_link(
    state: &Services,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<String, Error> {
    check_new_password(password, confirm).map_err(Error::BadParam)?;
    let db = state.db.account_admin();
    let token_hash = hash_secret(token);
    // Checked before the (costly) hash, so a guessed link costs nothing.
    db.link(&token_hash, now_ms()).await?.ok_or(Error::Conflict(DEAD_LINK.into()))?;
    let hash = state.hasher.hash(password.to_owned()).await.map_err(|e| Error::internal("hashing a password", e))?;
    let (id, _) = db.redeem_link(&token_hash, now_ms()).await?.ok_or(Error::Conflict(DEAD_LINK.into()))?;
    let a = account(state, id).await?;
    state.db.accounts().set_password_hash(&a.email, &hash).await?;
    db.record(&audit(Some(&a), AuditAction::PasswordSet, a.id, "")).await?;
    tracing::info!(account = %a.email, "password set from a link");
    Ok(a.email)
}

/// Changes the signed-in attorney's password after checking the current one.
/// Their other sessions end; the caller starts this one again.
///
/// The current password is checked like a login, against the same budget
/// (the account and `client`'s address): a stolen session cannot guess it
/// at hashing speed, and guesses here and on `/login` add up.
pub async fn change_password(
    state: &Services,
    me: &Attorney,
    client: std::net::IpAddr,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<Attorney, Error> {
    check_new_password(new, confirm).map_err(Error::BadParam)?;
    let keys = crate::auth::throttle::keys(&me.email, client);
    if let Err(e) = crate::auth::check_password(state, keys, current.to_owned(), Some(me.password_hash.clone())).await {
        // Counted and logged as a refused login: it is a password guess.
        crate::metrics::login_refused(&e);
        if !matches!(e, Error::BadCredentials) {
            return Err(e);
        }
        tracing::info!(account = %me.email, ip = %client, "wrong current password on a password change");
        return Err(Error::BadParam("Current password: this is not your current password.".into()));
    }
    let hash = state.hasher.hash(new.to_owned()).await.map_err(|e| Error::internal("hashing a password", e))?;
    state.db.accounts().set_password_hash(&me.email, &hash).await?;
    state.db.account_admin().record(&audit(Some(me), AuditAction::PasswordChanged, me.id, "")).await?;
    tracing::info!(account = %me.email, "password changed");
    account(state, me.id).await
}
