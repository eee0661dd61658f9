//! The site's checklists: the templates a run starts from ("Start a run", and
//! for auditors and admins "Edit" and "New template": `ui::template_list`) and
//! the runs on this device with their status, progress and score. Works
//! offline: templates reach the device with the site's catalog on first sync.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::RecordKind;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::repo;
use super::template_list::TemplateList;
use super::wording::sentence;
use crate::repo::Signals;
use crate::store::Summary;

#[component]
pub fn Checklists() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let of_kind = move |kind: RecordKind| {
        let mut rows: Vec<Summary> = signals
            .summaries
            .get()
            .into_iter()
            .filter(|s| s.kind == kind.as_str())
            .collect();
        rows.sort_by_key(|s| std::cmp::Reverse(s.created_at_ms));
        rows
    };
    let runs = move || of_kind(RecordKind::ChecklistRun);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let start = move |template: DocumentId| {
        let navigate = navigate.clone();
        let Some(repo) = repo() else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.start_run(template).await {
                Ok(run) => navigate(&format!("/runs/{run}"), Default::default()),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    let start = StoredValue::new_local(start);

    view! {
        <section class="page checklists">
            <h1>"Checklists"</h1>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <TemplateList start=Callback::new(move |id: DocumentId| start.with_value(|start| start(id))) busy=busy/>
            <h2>"Runs"</h2>
            <Show
                when=move || !runs().is_empty()
                fallback=|| view! { <p class="empty">"No runs yet. Start one from a template above."</p> }
            >
                <ul class="cards" aria-label="Checklist runs">
                    <For each=runs key=|s| (s.id.clone(), s.status.clone(), s.detail.clone()) let:s>
                        <li class="card">
                            <a href=format!("/runs/{}", s.id)>
                                <span class="badge run-status">{s.status.clone()}</span>
                                <span class="title">{s.title.clone()}</span>
                                <span class="meta">{s.detail.clone().unwrap_or_default()}</span>
                                {s.conflicts.then(|| view! { <span class="badge conflict">"Needs a choice"</span> })}
                            </a>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}
