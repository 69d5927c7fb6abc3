//! Integrations on `/admin`: API tokens (made, listed, revoked) and webhook
//! endpoints (added, listed, removed), a new secret shown once right after it is made.

use crate::{
    api::AddWebhook,
    api::CreateToken,
    api::RemoveWebhook,
    api::RevokeToken,
    api::error::AppError,
    components::table::{Col, data_table},
};
use intake_domain::{
    integrations::Created, integrations::MAX_TOKEN_NAME, integrations::TokenRow, integrations::WebhookRow,
    time::format_utc, time::iso_utc,
};
use leptos::{form::ActionForm, prelude::*};

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
        Err(e) => crate::components::internal::error_alert(e),
    })
}

#[component]
pub fn TokenForm(create: ServerAction<CreateToken>) -> impl IntoView {
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
pub fn TokenTable(tokens: Vec<TokenRow>, revoke: ServerAction<RevokeToken>, now: i64) -> impl IntoView {
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
pub fn WebhookForm(add: ServerAction<AddWebhook>) -> impl IntoView {
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
pub fn WebhookTable(webhooks: Vec<WebhookRow>, remove: ServerAction<RemoveWebhook>) -> impl IntoView {
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
