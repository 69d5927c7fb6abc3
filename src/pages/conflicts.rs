//! Conflict checks as attorneys see them: the lead page's section (what the
//! check matched, and the decision form) and `/admin/parties`, the firm's
//! parties list.

use crate::{
    api::DecideConflict, api::get_parties, components::internal::InternalHeader,
    components::internal::redirect_if_unauthorized, components::table::Col, components::table::data_table,
};
use intake_domain::{
    conflict::ConflictMatch, conflict::ConflictStatus, conflict::MAX_DECISION_NOTE, conflict::NewParty,
    conflict::PartiesView, listing::LeadDetail, time::format_utc, time::iso_utc,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the check found, and the decision form.
#[component]
pub fn ConflictSection(d: LeadDetail, decide: ServerAction<DecideConflict>) -> impl IntoView {
    let status = d.conflict.status;
    let summary = match status {
        ConflictStatus::Unchecked => "Being checked against the firm's parties and earlier leads…",
        ConflictStatus::Clear => "No match among the firm's parties or earlier leads.",
        ConflictStatus::Possible => "Possible conflict: check the matches below and record a decision.",
        ConflictStatus::Cleared => "Cleared: an attorney found no conflict (see the history).",
        ConflictStatus::Conflict => "Conflict: an attorney found one (see the history).",
    };
    let busy = decide.pending();
    let form = view! {
        <ActionForm action=decide attr:class="decide">
            <input type="hidden" name="lead" value=d.lead.id.to_string()/>
            <fieldset>
                <legend>"Decision"</legend>
                <label class="choice">
                    <input type="radio" name="decision" value="cleared" required checked=status == ConflictStatus::Cleared/>
                    "No conflict"
                </label>
                <label class="choice">
                    <input type="radio" name="decision" value="conflict" checked=status == ConflictStatus::Conflict/>
                    "Conflict"
                </label>
            </fieldset>
            <div class="field">
                <label for="conflict-note">"Note (kept in the history)"</label>
                <textarea id="conflict-note" name="note" rows="2" maxlength=MAX_DECISION_NOTE
                    placeholder="Checked with the matter's partner…"></textarea>
            </div>
            <div>
                <button type="submit" class="secondary" aria-disabled=move || busy.get().then_some("true")>
                    "Record decision"
                </button>
            </div>
        </ActionForm>
    };
    view! {
        <section
            class="card conflict-card"
            class:has-possible=status == ConflictStatus::Possible
            class:has-conflict=status == ConflictStatus::Conflict
            aria-labelledby="conflict-title"
            data-conflict=status.as_str()
        >
            <h2 id="conflict-title">"Conflict check"</h2>
            <p>{summary}</p>
            {(!d.conflict.matches.is_empty()).then(|| view! {
                <ul class="conflicts">
                    {d.conflict.matches.iter().map(|m| match m {
                        ConflictMatch::Lead { id, .. } => view! {
                            <li><a href=format!("/leads/{id}")>{m.describe()}</a></li>
                        }.into_any(),
                        ConflictMatch::Party { .. } => view! { <li>{m.describe()}</li> }.into_any(),
                    }).collect_view()}
                </ul>
            })}
            {move || decide.value().get().and_then(Result::err).map(|e| {
                redirect_if_unauthorized(&e);
                view! { <div class="field-error" role="alert">{e.to_string()}</div> }
            })}
            {match status {
                ConflictStatus::Unchecked => None,
                ConflictStatus::Clear => Some(view! {
                    <details>
                        <summary>"Record a decision anyway"</summary>
                        {form}
                    </details>
                }.into_any()),
                _ => Some(form.into_any()),
            }}
        </section>
    }
}

/// How a conflict entry of the history reads.
pub fn history_text(status: ConflictStatus, by: Option<&str>, note: Option<&str>) -> String {
    let by = by.unwrap_or("an attorney");
    let note = note.map(|n| format!(": “{n}”")).unwrap_or_default();
    match status {
        ConflictStatus::Possible => "Conflict check: possible conflict found".into(),
        ConflictStatus::Cleared => format!("Conflict check cleared by {by}{note}"),
        ConflictStatus::Conflict => format!("Conflict recorded by {by}{note}"),
        ConflictStatus::Clear | ConflictStatus::Unchecked => "Conflict check: the earlier matches are gone".into(),
    }
}

/// `/admin/parties`: the firm's parties list, uploaded as CSV.
#[component]
pub fn PartiesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_parties());
    let query = use_query_map();
    let outcome = move || {
        query.with(|q| {
            if let Some(e) = q.get("error") {
                return Some(
                    view! { <div class="notice" role="alert">{format!("Nothing was imported. {e}")}</div> }.into_any(),
                );
            }
            let n = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            q.get("added").map(|_| {
                let text = format!(
                    "Imported: {} added, {} already listed, {} removed. {} leads will be checked again.",
                    n("added"),
                    n("kept"),
                    n("removed"),
                    n("rechecks")
                );
                view! { <div class="notice ok" role="status">{text}</div> }.into_any()
            })
        })
    };
    view! {
        <Title text="Parties — Intake"/>
        <InternalHeader/>
        <main class="page wide" id="main">
            <p><a href="/admin">"← Administration"</a></p>
            <div class="page-head">
                <h1>"Parties"</h1>
            </div>
            <p class="lede">
                "Every new lead is checked against this list (and against earlier leads) moments after it arrives: the same email, "
                "or a name alike in any order, accents and case aside. Matches show on the lead's page and as a flag on the dashboard; "
                "the prospect never sees them."
            </p>
            {outcome}
            <section class="card" aria-labelledby="upload-title">
                <h2 id="upload-title">"Upload the list"</h2>
                <p class="hint">
                    "A CSV file with a header row. Columns: " <code>"name"</code> " (or " <code>"organisation"</code> "), "
                    <code>"role"</code> " (client, former client, adverse party or related party), and optionally "
                    <code>"email"</code> " and " <code>"matter"</code> ". Other columns are ignored. "
                    "A wrong row refuses the whole file, naming its line."
                </p>
                <pre class="csv-format">"name,organisation,email,role,matter\nJosé García,,jose@example.com,adverse party,2024-117\n,Acme Holdings,,client,2023-041"</pre>
                <form method="post" action="/admin/parties" enctype="multipart/form-data" class="stack-form">
                    <div class="field">
                        <label for="parties-file">"CSV file"</label>
                        <input id="parties-file" name="parties" type="file" accept=".csv,text/csv" required/>
                    </div>
                    <div class="field check">
                        <input id="parties-replace" name="replace" type="checkbox" value="on" checked/>
                        <label for="parties-replace">"Replace the list (parties not in the file are removed)"</label>
                    </div>
                    <button type="submit" class="primary">"Import"</button>
                </form>
            </section>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => {
                            redirect_if_unauthorized(&e);
                            view! { <div class="notice" role="alert">{e.to_string()}</div> }.into_any()
                        }
                        Ok(v) => view! { <PartiesList v/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn PartiesList(v: PartiesView) -> impl IntoView {
    let shown = v.newest.len() as i64;
    let caption = if v.total > shown {
        format!("{} parties; the newest {shown} are shown.", v.total)
    } else {
        format!("{} parties.", v.total)
    };
    view! {
        <section class="card" aria-labelledby="list-title">
            <h2 id="list-title">"The list"</h2>
            <p class="hint" data-total=v.total>
                {caption}
                {(v.waiting > 0).then(|| format!(" {} leads are waiting to be checked.", v.waiting))}
            </p>
            {data_table(
                "parties",
                &[Col::Shown("Name"), Col::Shown("Role"), Col::Shown("Email"), Col::Shown("Matter"), Col::Shown("Added")],
                "No parties yet: upload the firm's list above.",
                v.newest,
                |(p, at): (NewParty, i64)| {
                    let name = match &p.organisation {
                        Some(o) if *o != p.name => format!("{} ({o})", p.name),
                        _ => p.name.clone(),
                    };
                    view! {
                        <tr>
                            <td data-label="Name">{name}</td>
                            <td data-label="Role">{p.role.label()}</td>
                            <td data-label="Email">{p.email.unwrap_or_default()}</td>
                            <td data-label="Matter">{p.matter.unwrap_or_default()}</td>
                            <td data-label="Added"><time datetime=iso_utc(at)>{format_utc(at)}</time></td>
                        </tr>
                    }
                },
            )}
        </section>
    }
}
