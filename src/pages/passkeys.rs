//! Passkeys on the pages: `/account`'s list (named, when added and last
//! used, removable) with "Add a passkey", and the buttons that sign in or
//! confirm with one. A ceremony needs the browser's WebAuthn API, so those
//! buttons are driven by `/passkey.js` (loaded by [`PasskeyScript`]); each
//! says so when JavaScript is off. Removing works without it (a plain form,
//! redirected back here with `?passkey=removed`).

use crate::api::get_passkeys;
use intake_domain::{accounts::PASSKEY_NAME_MAX, accounts::PasskeyView, time::format_utc};
use leptos::prelude::*;
use leptos_meta::Script;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// The account's passkeys, for `/account`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeysView {
    /// The server's public address allows passkeys.
    pub available: bool,
    pub passkeys: Vec<PasskeyView>,
    /// Adding one needs the current password (no second factor yet, nothing proved lately).
    pub needs_password: bool,
}

/// The script that runs passkey ceremonies (its own file: `script-src 'self'`).
#[component]
pub fn PasskeyScript() -> impl IntoView {
    view! { <Script type_="module" src="/passkey.js"/> }
}

/// Said where JavaScript is off: the web's passkey API needs it.
fn needs_javascript() -> impl IntoView {
    view! { <noscript><p class="hint">"Passkeys need JavaScript, which is off in this browser. Use another way to sign in."</p></noscript> }
}

/// A button that runs a ceremony (`kind`: sign-in, second-step, confirm),
/// and where its failure is announced.
#[component]
pub fn PasskeyButton(kind: &'static str, label: &'static str, #[prop(optional)] primary: bool) -> impl IntoView {
    let alert = format!("passkey-{kind}-error");
    view! {
        <PasskeyScript/>
        <div class="passkey-action">
            <button type="button" class=if primary { "primary" } else { "secondary" } data-passkey=kind
                data-passkey-alert=alert.clone()>{label}</button>
            <p class="field-error passkey-error" role="alert" id=alert></p>
            {needs_javascript()}
        </div>
    }
}

#[component]
pub fn PasskeysSection() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| get_passkeys());
    // What the last action came to (`?passkey=…`, set by the redirect after it).
    let outcome = move || use_query_map().with(|q| q.get("passkey")).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="passkeys-title" id="passkeys">
            <h2 id="passkeys-title">"Passkeys"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(v) => body(&outcome(), v).into_any(),
                        Err(e) => crate::pages::two_factor::failure(e).into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn body(outcome: &str, v: PasskeysView) -> impl IntoView {
    let error = (outcome == "not-found").then(|| {
        view! { <div class="error-summary" role="alert" id="passkeys-error"><p class="error-summary-title">"That passkey is not one of yours (was it removed already?)."</p></div> }
    });
    let done = match outcome {
        "removed" => Some("The passkey is removed: it no longer signs in to this account."),
        "added" => Some("Your passkey is added: use it to sign in, with no password, or after your password."),
        _ => None,
    }
    .map(|m| view! { <div class="secret" role="status"><p>{m}</p></div> });
    if !v.available {
        return view! {
            {error}
            <p>"Passkeys are not available on this server: its public address (INTAKE_PUBLIC_URL) must be a domain name served over https."</p>
        }
        .into_any();
    }
    let list = (!v.passkeys.is_empty()).then(|| {
        view! {
            <ul class="passkeys">
                {v.passkeys.into_iter().map(|p| view! {
                    <li data-passkey-id=p.id.to_string()>
                        <div>
                            <strong class="passkey-name">{p.name.clone()}</strong>
                            <span class="hint">{format!("Added {}", format_utc(p.created_at))}</span>
                            <span class="hint">{match p.last_used_at {
                                Some(at) => format!("Last used {}", format_utc(at)),
                                None => "Not used yet".to_owned(),
                            }}</span>
                        </div>
                        <form method="post" action="/account/passkeys/remove">
                            <input type="hidden" name="id" value=p.id.to_string()/>
                            <button type="submit" class="danger small" aria-label=format!("Remove the passkey “{}”", p.name)>"Remove"</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    let lede = if list.is_some() {
        "A passkey signs you in with your fingerprint, face or device PIN, with no password, or as the second step after it."
    } else {
        "You have no passkey. A passkey signs you in with your fingerprint, face or device PIN (or a security key), with no password to type or steal."
    };
    view! {
        {error}
        {done}
        <p>{lede}</p>
        {list}
        <form class="stack passkey-add" data-passkey-form="add">
            <div class="field">
                <label for="passkey-name">"Name of the new passkey"</label>
                <p class="hint" id="passkey-name-hint">"To tell it from others, such as “Work laptop” or “YubiKey”."</p>
                <input id="passkey-name" name="name" type="text" required maxlength=PASSKEY_NAME_MAX
                    autocomplete="off" aria-describedby="passkey-name-hint"/>
            </div>
            {v.needs_password.then(|| view! {
                <div class="field">
                    <label for="passkey-password">"Your current password"</label>
                    <p class="hint" id="passkey-password-hint">"A passkey signs in on its own, so adding one asks for your password."</p>
                    <input id="passkey-password" name="password" type="password" required autocomplete="current-password"
                        aria-describedby="passkey-password-hint"/>
                </div>
            })}
            <PasskeyButton kind="add" label="Add a passkey"/>
        </form>
    }
    .into_any()
}
