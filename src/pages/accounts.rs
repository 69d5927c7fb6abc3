//! Accounts in the browser: the administrators' section of `/admin`
//! (invite, disable and enable, reset links, the audit log), `/account`
//! (change your password) and `/set-password` (a one-time link's page).

use crate::components::table::{Col, data_table};
use crate::{
    api::ChangePassword, api::DisableAccount, api::EnableAccount, api::InviteColleague, api::ResetTwoStep,
    api::SendPasswordLink, api::account_link, api::error::AppError, api::get_accounts,
    components::internal::InternalHeader,
};
use intake_domain::{
    accounts::AccountRow, accounts::AccountStatus, accounts::Accounts, accounts::AuditAction, accounts::AuditRow,
    accounts::LinkPurpose, accounts::MAX_PASSWORD_CHARS, accounts::MIN_PASSWORD_CHARS, time::format_utc, time::iso_utc,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

fn failure_of(e: AppError) -> impl IntoView {
    crate::components::internal::error_alert(e)
}

/// The accounts and their audit log, on `/admin` (`?activity=` filters the log).
#[component]
pub fn AccountsSection() -> impl IntoView {
    let query = use_query_map();
    let activity = Memo::new(move |_| query.with(|q| q.get("activity").unwrap_or_default()));
    let data = Resource::new(move || activity.get(), get_accounts);
    let invite = ServerAction::<InviteColleague>::new();
    let disable = ServerAction::<DisableAccount>::new();
    let enable = ServerAction::<EnableAccount>::new();
    let reset = ServerAction::<SendPasswordLink>::new();
    let reset_two_step = ServerAction::<ResetTwoStep>::new();
    Effect::new(move |first: Option<()>| {
        invite.version().track();
        disable.version().track();
        enable.version().track();
        reset.version().track();
        reset_two_step.version().track();
        if first.is_some() {
            data.refetch();
        }
    });
    let notice = move || {
        if let Some(Err(e)) = invite.value().get() {
            return Some(failure_of(e).into_any());
        }
        if let Some(Ok(())) = invite.value().get() {
            return Some(
                view! { <div class="secret" role="status">"Invitation sent. The link in it works once, for a limited time."</div> }
                    .into_any(),
            );
        }
        [disable.value().get(), enable.value().get(), reset.value().get(), reset_two_step.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .map(|e| failure_of(e).into_any())
    };
    let reset_sent = move || {
        matches!(reset.value().get(), Some(Ok(()))).then(|| {
            view! { <div class="secret" role="status">"Password link sent."</div> }
        })
    };
    let two_step_reset = move || {
        matches!(reset_two_step.value().get(), Some(Ok(()))).then(|| {
            view! {
                <div class="secret" role="status">
                    "Two-step sign-in reset: they are signed out everywhere and emailed. Their password alone signs in until they add an app."
                </div>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="accounts-title">
            <h2 id="accounts-title">"Accounts"</h2>
            <p class="hint">
                "Invite a colleague: they get an email with a link to set their password. "
                "Disabling an account signs it out everywhere at once and revokes its API tokens; a password set from a link revokes them too. "
                "Changing a role or disabling an account also ends the links already sent to it. "
                "A colleague who lost the phone with their authenticator app: \"Reset two-step\" turns it off, signs them out and emails them. "
            </p>
            <InviteForm invite/>
            {notice}
            {reset_sent}
            {two_step_reset}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => failure_of(e).into_any(),
                        Ok(a) => view! { <AccountTable accounts=a.accounts me=a.me disable enable reset reset_two_step/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <AuditSection activity data/>
    }
}

/// "Invite a colleague": email, name and role.
#[component]
fn InviteForm(invite: ServerAction<InviteColleague>) -> impl IntoView {
    let busy = invite.pending();
    view! {
        <ActionForm action=invite>
            <div class="inline-form">
                <div class="field inline grow">
                    <label for="invite-email">"Colleague's email"</label>
                    <input id="invite-email" name="email" type="email" required maxlength=254 autocomplete="off" placeholder="name@firm.com"/>
                </div>
                <div class="field inline">
                    <label for="invite-name">"Colleague's name"</label>
                    <input id="invite-name" name="name" type="text" required maxlength=100 autocomplete="off"/>
                </div>
                <div class="field inline">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role">
                        <option value="attorney">"Attorney"</option>
                        <option value="admin">"Administrator"</option>
                    </select>
                </div>
                <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>"Invite"</button>
            </div>
        </ActionForm>
    }
}

/// The audit log of account changes, filtered by kind (`?activity=`).
#[component]
fn AuditSection(activity: Memo<String>, data: Resource<Result<Accounts, AppError>>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="audit-title">
            <h2 id="audit-title">"Account activity"</h2>
            <form method="get" action="/admin" class="inline-form">
                <div class="field inline">
                    <label for="activity">"Show"</label>
                    <select id="activity" name="activity">
                        <option value="" selected=move || activity.with(String::is_empty)>"Everything"</option>
                        {AuditAction::ALL.into_iter().map(|a| view! {
                            <option value=a.as_str() selected=move || activity.with(|v| v == a.as_str())>{a.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="secondary">"Filter"</button>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    data.await.ok().map(|a| view! { <AuditTable rows=a.audit/> })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AccountTable(
    accounts: Vec<AccountRow>,
    me: uuid::Uuid,
    disable: ServerAction<DisableAccount>,
    enable: ServerAction<EnableAccount>,
    reset: ServerAction<SendPasswordLink>,
    reset_two_step: ServerAction<ResetTwoStep>,
) -> impl IntoView {
    data_table(
        "accounts",
        &[
            Col::Shown("Name"),
            Col::Shown("Email"),
            Col::Shown("Role"),
            Col::Shown("Status"),
            Col::Shown("Two-step"),
            Col::Hidden("Actions"),
        ],
        "No accounts yet.",
        accounts,
        |a| {
            let id = a.id.to_string();
            let role = if a.role == "admin" { "Administrator" } else { "Attorney" };
            let link_label =
                if a.status == AccountStatus::Invited { "Send the invitation again" } else { "Send password link" };
            let (enable_label, disable_label) = (format!("Enable {}", a.email), format!("Disable {}", a.email));
            let label = format!("{link_label} to {}", a.email);
            let two_step_label = format!("Reset two-step sign-in of {}", a.email);
            view! {
                <tr data-account=a.email.clone() data-status=a.status.label()>
                    <td data-label="Name">{a.name.clone()}</td>
                    <td data-label="Email" class="email">{a.email.clone()}</td>
                    <td data-label="Role">{role}</td>
                    <td data-label="Status">
                        <span class="badge" class:badge-done=a.status == AccountStatus::Active
                            class:badge-pending=a.status == AccountStatus::Invited
                            class:badge-off=a.status == AccountStatus::Disabled>{a.status.label()}</span>
                    </td>
                    <td data-label="Two-step" data-two-step=if a.has_second_factor() { "on" } else { "off" }>
                        {a.factors()}
                    </td>
                    <td data-label="Actions" class="row-actions">
                        {(a.status != AccountStatus::Disabled).then(|| {
                            let id = id.clone();
                            view! {
                                <ActionForm action=reset>
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit" class="secondary small" aria-label=label>{link_label}</button>
                                </ActionForm>
                            }
                        })}
                        {(a.has_second_factor() && a.id != me).then(|| {
                            let id = id.clone();
                            view! {
                                <ActionForm action=reset_two_step>
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit" class="secondary small" aria-label=two_step_label>"Reset two-step"</button>
                                </ActionForm>
                            }
                        })}
                        {match (a.status, a.id == me) {
                            (_, true) => view! { <span class="muted">"You"</span> }.into_any(),
                            (AccountStatus::Disabled, _) => view! {
                                <ActionForm action=enable>
                                    <input type="hidden" name="id" value=id.clone()/>
                                    <button type="submit" class="secondary small" aria-label=enable_label>"Enable"</button>
                                </ActionForm>
                            }.into_any(),
                            _ => view! {
                                <ActionForm action=disable>
                                    <input type="hidden" name="id" value=id.clone()/>
                                    <button type="submit" class="secondary small" aria-label=disable_label>"Disable"</button>
                                </ActionForm>
                            }.into_any(),
                        }}
                    </td>
                </tr>
            }
        },
    )
}

#[component]
fn AuditTable(rows: Vec<AuditRow>) -> impl IntoView {
    data_table(
        "audit",
        &[Col::Shown("When"), Col::Shown("Who"), Col::Shown("What"), Col::Shown("Account"), Col::Shown("Details")],
        "Nothing recorded yet.",
        rows,
        |r| {
            view! {
                <tr data-action=r.action.as_str()>
                    <td data-label="When"><time datetime=iso_utc(r.at)>{format_utc(r.at)}</time></td>
                    <td data-label="Who">{r.actor.unwrap_or_else(|| "Command line".into())}</td>
                    <td data-label="What">{r.action.label()}</td>
                    <td data-label="Account" class="email">{r.target}</td>
                    <td data-label="Details">{r.detail}</td>
                </tr>
            }
        },
    )
}

/// The fields of a new password, with the policy as hints; `name` is the
/// form name of the first one (the confirmation is always `confirm`).
#[component]
fn NewPasswordFields(name: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for="new-password">"New password"</label>
            <input id="new-password" name=name type="password" required minlength=MIN_PASSWORD_CHARS maxlength=MAX_PASSWORD_CHARS autocomplete="new-password" aria-describedby="password-hint"/>
            <p class="hint" id="password-hint">{format!("At least {MIN_PASSWORD_CHARS} characters. A few unrelated words make a good one.")}</p>
        </div>
        <div class="field">
            <label for="confirm-password">"Confirm password"</label>
            <input id="confirm-password" name="confirm" type="password" required minlength=MIN_PASSWORD_CHARS maxlength=MAX_PASSWORD_CHARS autocomplete="new-password"/>
        </div>
    }
}

/// `/account`: change your own password; add or manage an authenticator app.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let busy = change.pending();
    view! {
        <Title text="Your account — Intake"/>
        <InternalHeader/>
        <main class="page narrow" id="main">
            <h1>"Your account"</h1>
            <section class="card" aria-labelledby="password-title">
                <h2 id="password-title">"Change your password"</h2>
                <p class="hint">"When it changes, your other browsers are signed out (this one stays signed in), your API tokens are revoked and any password link sent to you stops working."</p>
                {move || match change.value().get() {
                    Some(Ok(())) => Some(view! { <div class="secret" role="status">"Your password is changed."</div> }.into_any()),
                    Some(Err(e)) => Some(failure_of(e).into_any()),
                    None => None,
                }}
                <ActionForm action=change>
                    <div class="field">
                        <label for="current-password">"Current password"</label>
                        <input id="current-password" name="current" type="password" required maxlength=MAX_PASSWORD_CHARS autocomplete="current-password"/>
                    </div>
                    <NewPasswordFields name="new"/>
                    <button type="submit" class="primary" aria-disabled=move || busy.get().then_some("true")>"Change password"</button>
                </ActionForm>
            </section>
            <crate::pages::passkeys::PasskeysSection/>
            <crate::pages::two_factor::TwoFactorSection/>
            <crate::pages::signins::SigninsSection/>
        </main>
    }
}

/// What a post of the set-password form came to, provided as context when
/// the page is rendered again (`POST /set-password`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPasswordOutcome {
    pub token: String,
    pub error: Option<String>,
    /// Set: the password is set, for this account.
    pub email: Option<String>,
}

async fn load_outcome() -> Option<SetPasswordOutcome> {
    #[cfg(feature = "ssr")]
    {
        use_context::<SetPasswordOutcome>()
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// `/set-password?token=…`: the page of an invitation or reset link; a plain
/// form posted to `POST /set-password` (as `/login`), so it works without JavaScript.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let posted = Resource::new_blocking(|| (), |_| load_outcome());
    let page = Resource::new_blocking(
        move || query.with(|q| q.get("token").unwrap_or_default()),
        move |from_url| async move {
            let posted = posted.await.unwrap_or_default();
            let token = if posted.token.is_empty() { from_url } else { posted.token.clone() };
            // Once used, the link no longer names its account: the outcome says it all.
            let info = if posted.email.is_some() { None } else { Some(account_link(token.clone()).await) };
            (token, posted, info)
        },
    );
    view! {
        <Title text="Set your password — Intake"/>
        <header class="site-header"><span class="brand">"Intake"</span></header>
        <main class="page narrow" id="main">
            <section class="card">
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let (token, posted, info) = page.await;
                        match (posted.email, info) {
                            (Some(email), _) => view! {
                                <h1>"Your password is set"</h1>
                                <div class="secret" role="status">
                                    <p>{format!("Log in with {email} and your new password.")}</p>
                                </div>
                                <p><a class="button secondary" href="/login">"Log in"</a></p>
                            }
                                .into_any(),
                            (None, Some(Ok(i))) => view! {
                                <h1>{match i.purpose {
                                    LinkPurpose::Invite => format!("Welcome, {}", i.name),
                                    LinkPurpose::Reset => "Set a new password".to_string(),
                                }}</h1>
                                <p class="lede">"For the account " <strong class="email">{i.email.clone()}</strong> "."</p>
                                {posted.error.map(|e| view! { <div class="field-error" role="alert" id="set-error">{e}</div> })}
                                <form method="post" action="/set-password">
                                    <input type="hidden" name="token" value=token/>
                                    <NewPasswordFields name="password"/>
                                    <button type="submit" class="primary">"Set password"</button>
                                </form>
                            }
                                .into_any(),
                            (None, Some(Err(e))) => view! {
                                <h1>"This link does not work"</h1>
                                <div class="notice" role="alert">{posted.error.unwrap_or_else(|| e.to_string())}</div>
                            }
                                .into_any(),
                            (None, None) => ().into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
