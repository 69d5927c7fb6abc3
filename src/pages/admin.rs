//! `/admin`: administration. API tokens (made, listed, revoked) and webhook
//! endpoints (added, listed, removed), a new secret shown once right after
//! it is made; and the audit trail of erased leads.

use crate::components::table::{Col, data_table};
use crate::{
    api::AddWebhook, api::CreateToken, api::RemoveWebhook, api::RevokeToken, api::error::AppError,
    api::get_integrations, components::internal::InternalHeader, components::internal::redirect_if_unauthorized,
    pages::accounts::AccountsSection,
};
use intake_domain::{
    integrations::Created, integrations::ErasureRow, integrations::Integrations, integrations::MAX_TOKEN_NAME,
    integrations::TokenRow, integrations::WebhookRow, time::format_utc, time::iso_utc,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_integrations());
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let add = ServerAction::<AddWebhook>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    // After any change, read the lists again (not on the first run: they were just read).
    Effect::new(move |first: Option<()>| {
        create.version().track();
        revoke.version().track();
        add.version().track();
        remove.version().track();
        if first.is_some() {
            data.refetch();
        }
    });
    let failure = move || {
        [revoke.value().get().and_then(Result::err), remove.value().get().and_then(Result::err)]
            .into_iter()
            .flatten()
            .next()
    };

    view! {
        <Title text="Administration — Intake"/>
        <InternalHeader/>
        <main class="page wide" id="main">
            <div class="page-head">
                <h1>"Administration"</h1>
            </div>
            <p class="lede">
                "Connect Intake to your CRM, Zapier or a spreadsheet. "
                <a href="/api/docs/" rel="external">"API documentation"</a>
            </p>
            {move || failure().map(|e| view! { <div class="notice" role="alert">{e.to_string()}</div> })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => {
                            redirect_if_unauthorized(&e);
                            view! { <div class="notice" role="alert">{e.to_string()}</div> }.into_any()
                        }
                        Ok(Integrations { tokens, webhooks, erasures, now_ms }) => view! {
                            <AccountsSection/>
                            <section class="card" aria-labelledby="tokens-title">
                                <h2 id="tokens-title">"API tokens"</h2>
                                <p class="hint">
                                    "A token lets another system use the API as you. Only a fingerprint of it is kept: copy it when it is shown. "
                                    "It expires by itself (see its row), and every token of an account is revoked when that account's password is changed or reset, or the account is disabled."
                                </p>
                                <TokenForm create/>
                                <TokenTable tokens revoke now=now_ms/>
                            </section>
                            <section class="card" aria-labelledby="webhooks-title">
                                <h2 id="webhooks-title">"Webhooks"</h2>
                                <p class="hint">
                                    "Each endpoint receives a signed POST when a lead arrives, is assigned or is marked reached out."
                                </p>
                                <WebhookForm add/>
                                <WebhookTable webhooks remove/>
                            </section>
                            <section class="card" aria-labelledby="erasures-title">
                                <h2 id="erasures-title">"Erased leads"</h2>
                                <p class="hint">
                                    "What remains of an erased lead: its id, who erased it, when and why. Erase a lead from its page."
                                </p>
                                <ErasureTable erasures/>
                            </section>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// The secret just made, or why it was not.
fn outcome(result: Option<Result<Created, AppError>>, what: &'static str) -> impl IntoView + use<> {
    result.map(|r| match r {
        Ok(c) => view! {
            <div class="secret" role="status">
                <p>
                    <strong>{format!("{what} for {}", c.label)}</strong>
                    " — copy it now: it will not be shown again."
                </p>
                <code class="mono" data-secret="">{c.secret}</code>
            </div>
        }
        .into_any(),
        Err(e) => {
            redirect_if_unauthorized(&e);
            view! { <div class="field-error" role="alert">{e.to_string()}</div> }.into_any()
        }
    })
}

#[component]
fn TokenForm(create: ServerAction<CreateToken>) -> impl IntoView {
    let busy = create.pending();
    view! {
        <ActionForm action=create>
            <div class="inline-form">
                <div class="field inline">
                    <label for="token-name">"Name"</label>
                    <input id="token-name" name="name" type="text" required maxlength=MAX_TOKEN_NAME placeholder="e.g. zapier" autocomplete="off"/>
                </div>
                <div class="field inline">
                    <label for="token-scope">"Access"</label>
                    <select id="token-scope" name="scope">
                        <option value="read">"Read leads"</option>
                        <option value="write">"Read, and mark reached out"</option>
                    </select>
                </div>
                <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>"Create token"</button>
            </div>
        </ActionForm>
        {move || outcome(create.value().get(), "Token")}
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenRow>, revoke: ServerAction<RevokeToken>, now: i64) -> impl IntoView {
    data_table(
        "tokens",
        &[
            Col::Shown("Name"),
            Col::Shown("Access"),
            Col::Shown("Acts as"),
            Col::Shown("Created"),
            Col::Shown("Last used"),
            Col::Shown("Expires"),
            Col::Hidden("Action"),
        ],
        "No tokens yet.",
        tokens,
        |t| {
            let access = if t.scope == "write" { "Read and write" } else { "Read" };
            view! {
                <tr data-token-id=t.id.to_string() data-revoked=t.revoked.to_string()>
                    <td data-label="Name">{t.name.clone()}</td>
                    <td data-label="Access">{access}</td>
                    <td data-label="Acts as" class="email">{t.owner_email}</td>
                    <td data-label="Created"><time datetime=iso_utc(t.created_at)>{format_utc(t.created_at)}</time></td>
                    <td data-label="Last used">{t.last_used_at.map(format_utc).unwrap_or_else(|| "never".into())}</td>
                    <td data-label="Expires">{t.expires_at.map(format_utc).unwrap_or_else(|| "never".into())}</td>
                    <td data-label="Action">
                        {if t.revoked {
                            view! { <span class="badge badge-off">"Revoked"</span> }.into_any()
                        } else if t.expires_at.is_some_and(|e| e <= now) {
                            view! { <span class="badge badge-off">"Expired"</span> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=revoke>
                                    <input type="hidden" name="id" value=t.id.to_string()/>
                                    <button type="submit" class="secondary small" aria-label=format!("Revoke token {}", t.name)>"Revoke"</button>
                                </ActionForm>
                            }
                                .into_any()
                        }}
                    </td>
                </tr>
            }
        },
    )
}

#[component]
fn WebhookForm(add: ServerAction<AddWebhook>) -> impl IntoView {
    let busy = add.pending();
    view! {
        <ActionForm action=add>
            <div class="inline-form">
                <div class="field inline grow">
                    <label for="webhook-url">"Endpoint URL"</label>
                    <input id="webhook-url" name="url" type="url" required maxlength=2000 placeholder="https://crm.example.com/hooks/intake" autocomplete="off"/>
                </div>
                <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>"Add endpoint"</button>
            </div>
        </ActionForm>
        {move || outcome(add.value().get(), "Signing secret")}
    }
}

#[component]
fn WebhookTable(webhooks: Vec<WebhookRow>, remove: ServerAction<RemoveWebhook>) -> impl IntoView {
    data_table(
        "webhooks",
        &[Col::Shown("Endpoint"), Col::Shown("Added"), Col::Hidden("Action")],
        "No endpoints yet.",
        webhooks,
        |w| {
            view! {
                <tr data-webhook-id=w.id.to_string() data-removed=w.removed.to_string()>
                    <td data-label="Endpoint" class="email">{w.url.clone()}</td>
                    <td data-label="Added"><time datetime=iso_utc(w.created_at)>{format_utc(w.created_at)}</time></td>
                    <td data-label="Action">
                        {if w.removed {
                            view! { <span class="badge badge-off">"Removed"</span> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=remove>
                                    <input type="hidden" name="id" value=w.id.to_string()/>
                                    <button type="submit" class="secondary small" aria-label=format!("Remove endpoint {}", w.url)>"Remove"</button>
                                </ActionForm>
                            }
                                .into_any()
                        }}
                    </td>
                </tr>
            }
        },
    )
}

#[component]
fn ErasureTable(erasures: Vec<ErasureRow>) -> impl IntoView {
    data_table(
        "erasures",
        &[Col::Shown("Lead"), Col::Shown("Erased"), Col::Shown("By"), Col::Shown("Reason")],
        "No lead has been erased.",
        erasures,
        |e| {
            view! {
                <tr data-lead-id=e.lead_id.to_string()>
                    <td data-label="Lead" class="mono">{e.lead_id.to_string()}</td>
                    <td data-label="Erased"><time datetime=iso_utc(e.erased_at)>{format_utc(e.erased_at)}</time></td>
                    <td data-label="By">{e.erased_by.unwrap_or_else(|| "Retention period".into())}</td>
                    <td data-label="Reason" class="note-body">{e.reason}</td>
                </tr>
            }
        },
    )
}
