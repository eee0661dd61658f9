//! The list of incidents at the person's sites.

use leptos::prelude::*;

use super::priority_label;
use crate::repo::Signals;

#[component]
pub fn IncidentList() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let incidents = move || {
        signals
            .summaries
            .get()
            .into_iter()
            .filter(|s| s.kind == "incident")
            .collect::<Vec<_>>()
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Incidents"</h1>
                <a class="button primary" href="/new-incident">"New incident"</a>
            </div>
            {move || signals.profile.get().is_none().then(|| view! {
                <p class="hint">"Sign in once with the network on so this device learns your site. Records already here stay available offline."</p>
            })}
            <Show
                when=move || !incidents().is_empty()
                fallback=|| view! { <p class="empty">"No incidents on this device yet."</p> }
            >
                <ul class="cards" aria-label="Incidents">
                    <For each=incidents key=|s| (s.id.clone(), s.title.clone(), s.priority, s.conflicts, s.status.clone()) let:s>
                        <li class="card">
                            <a href=format!("/incidents/{}", s.id)>
                                <span class=format!("badge p{}", s.priority)>{priority_label(s.priority)}</span>
                                <span class="title">{s.title.clone()}</span>
                                <span class="meta">
                                    {s.reference.clone().unwrap_or_else(|| provisional_reference(&s.id))}
                                    " · "{s.status.clone()}
                                </span>
                                {s.conflicts.then(|| view! { <span class="badge conflict">"Needs a choice"</span> })}
                            </a>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// Until the server assigns `INC-000123`, a short reference from the document id.
pub(crate) fn provisional_reference(id: &str) -> String {
    format!("#{}", id.chars().take(6).collect::<String>())
}
