//! `/admin`: administration. Accounts (`accounts.rs`), integrations (API
//! tokens and webhook endpoints, `integrations.rs`), and the audit trail of
//! erased leads.

use crate::components::table::{Col, data_table};
use crate::{
    api::AddWebhook,
    api::CreateToken,
    api::RemoveWebhook,
    api::RevokeToken,
    api::get_integrations,
    components::internal::InternalHeader,
    components::internal::redirect_if_unauthorized,
    pages::accounts::AccountsSection,
    pages::integrations::{TokenForm, TokenTable, WebhookForm, WebhookTable},
};
use intake_domain::{integrations::ErasureRow, integrations::Integrations, time::format_utc, time::iso_utc};
use leptos::prelude::*;
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
                            <section class="card" aria-labelledby="form-title">
                                <h2 id="form-title">"Intake form"</h2>
                                <p class="hint">
                                    "The matter types prospects choose from and the questions each one asks, in English and Spanish. "
                                    <a href="/admin/form">"Edit the intake form"</a>
                                </p>
                            </section>
                            <section class="card" aria-labelledby="parties-title">
                                <h2 id="parties-title">"Conflict check"</h2>
                                <p class="hint">
                                    "Each new lead is checked against the firm's clients, former clients, adverse and related parties, and against earlier leads. "
                                    <a href="/admin/parties">"Upload the parties list"</a>
                                </p>
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
