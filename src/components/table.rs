//! The tables of the administration pages (accounts, account activity, API
//! tokens, webhooks, erased leads), drawn one way: wrapped to scroll sideways,
//! stacked into labelled cards on a phone (`.stack`, each cell's `data-label`),
//! and a sentence instead of an empty table.

use leptos::prelude::*;

/// A column heading; an action column's heading is for screen readers only.
#[derive(Clone, Copy)]
pub enum Col {
    Shown(&'static str),
    Hidden(&'static str),
}

/// `rows` drawn by `row` under `columns`, in a table of class `class` (its
/// CSS and test hook); `empty` when there is no row.
pub fn data_table<T, V: IntoView + 'static>(
    class: &'static str,
    columns: &'static [Col],
    empty: &'static str,
    rows: Vec<T>,
    row: impl FnMut(T) -> V,
) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let headings = columns
        .iter()
        .map(|c| match *c {
            Col::Shown(h) => view! { <th scope="col">{h}</th> }.into_any(),
            Col::Hidden(h) => view! { <th scope="col"><span class="visually-hidden">{h}</span></th> }.into_any(),
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class=format!("{class} stack")>
                <thead>
                    <tr>{headings}</tr>
                </thead>
                <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}
