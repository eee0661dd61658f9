//! Objective evidence as a person reads it: notes, photos (shown, from this
//! device or fetched), and links to the checklist answers it came from.

use fieldbook_core::model::evidence::Evidence;
use leptos::prelude::*;

use super::photos::Photo;

/// The pieces of evidence in the order they were added; `empty` when there are none.
#[component]
pub fn EvidenceItems(
    /// What was recorded.
    evidence: Vec<Evidence>,
    /// What to say when there is none.
    #[prop(default = "No evidence yet.")]
    empty: &'static str,
) -> impl IntoView {
    if evidence.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <ul class="evidence-list">
            {evidence.into_iter().map(|e| match e {
                Evidence::Note { text } => view! { <li><span class="label">"Note: "</span>{text}</li> }.into_any(),
                Evidence::Photo { blob, caption } => view! {
                    <li class="evidence-photo">
                        <figure>
                            <Photo blob=blob caption=caption.clone()/>
                            {(!caption.is_empty()).then(|| view! { <figcaption>{caption}</figcaption> })}
                        </figure>
                    </li>
                }.into_any(),
                Evidence::Record { document, item, label } => {
                    let href = match &item {
                        Some(item) => format!("/runs/{document}#item-{}", item.replace('.', "_")),
                        None => format!("/runs/{document}"),
                    };
                    view! { <li><span class="label">"Checklist answer: "</span><a href=href>{label}</a></li> }.into_any()
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
