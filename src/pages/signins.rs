//! "Where you are signed in", on `/account`: each signed-in browser (what it
//! is, from where, since when, last seen), and signing any other one out.

use crate::{
    api::EndOtherSignins, api::EndSignin, api::error::AppError, api::get_signins,
    components::internal::redirect_if_unauthorized,
};
use intake_domain::{accounts::SigninRow, time::format_utc, time::iso_utc};
use leptos::{form::ActionForm, prelude::*};

fn failure_of(e: AppError) -> impl IntoView {
    redirect_if_unauthorized(&e);
    view! { <div class="field-error" role="alert">{e.to_string()}</div> }
}

#[component]
pub fn SigninsSection() -> impl IntoView {
    let end = ServerAction::<EndSignin>::new();
    let end_others = ServerAction::<EndOtherSignins>::new();
    let data = Resource::new(move || (end.version().get(), end_others.version().get()), |_| get_signins());
    let notice = move || match (end.value().get(), end_others.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some(failure_of(e).into_any()),
        (_, Some(Ok(n))) => {
            let text = match n {
                0 => "No other browser was signed in.".to_owned(),
                1 => "1 other browser is signed out.".to_owned(),
                n => format!("{n} other browsers are signed out."),
            };
            Some(view! { <div class="secret" role="status">{text}</div> }.into_any())
        }
        (Some(Ok(())), _) => {
            Some(view! { <div class="secret" role="status">"That browser is signed out."</div> }.into_any())
        }
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="signins-title" id="signins">
            <h2 id="signins-title">"Where you are signed in"</h2>
            <p class="hint">
                "Each browser signed in to your account. Sign out any you do not recognise, then change your password. "
                "A browser your account has never used is announced by email when it signs in."
            </p>
            {notice}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => failure_of(e).into_any(),
                        Ok(rows) => {
                            let others = rows.iter().filter(|r| !r.current).count();
                            view! {
                                {signin_list(rows, end)}
                                {(others > 0).then(|| view! {
                                    <ActionForm action=end_others>
                                        <button type="submit" class="secondary">"Sign out every other browser"</button>
                                    </ActionForm>
                                })}
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

fn signin_list(rows: Vec<SigninRow>, end: ServerAction<EndSignin>) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="empty">"No browser is signed in."</p> }.into_any();
    }
    view! {
        <ul class="signins">
            {rows.into_iter().map(|r| {
                let label = format!("Sign out {} at {}", r.device, r.address);
                view! {
                    <li data-signin=r.id.to_string() data-current=r.current.to_string()>
                        <div>
                            <p class="signin-what">
                                <strong>{r.device.clone()}</strong>
                                <span class="muted">{format!(" · {}", r.address)}</span>
                            </p>
                            <p class="hint">
                                "Signed in " <time datetime=iso_utc(r.signed_in_at)>{format_utc(r.signed_in_at)}</time>
                                ", last seen " <time datetime=iso_utc(r.last_seen_at)>{format_utc(r.last_seen_at)}</time>
                            </p>
                        </div>
                        {if r.current {
                            view! { <span class="badge badge-done">"This browser"</span> }.into_any()
                        } else {
                            view! {
                                <ActionForm action=end>
                                    <input type="hidden" name="id" value=r.id.to_string()/>
                                    <button type="submit" class="secondary small" aria-label=label>"Sign out"</button>
                                </ActionForm>
                            }
                            .into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
