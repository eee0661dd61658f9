//! The Templates part of /checklists: each template with its versions (number
//! and status), "Start a run" on the newest published version, and for
//! auditors and admins "Edit" (opens the open draft, or makes version n+1 as a
//! draft; the published version stays as it is) and "New template".
//! Technicians and managers see the templates and their versions, read-only.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{may_write, RecordKind, Role};
use fieldbook_core::model::checklist::versions::Lineage;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::repo;
use super::wording::sentence;
use crate::repo::Signals;

/// The site's templates. `start` starts a run of a template version.
#[component]
pub fn TemplateList(
    /// Starts a run of the template version in the given document.
    start: Callback<DocumentId>,
    /// Whether a run is being started (buttons wait).
    busy: RwSignal<bool>,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let found = LocalResource::new(move || {
        signals.revision.track();
        signals.summaries.track();
        async move {
            match repo() {
                Some(repo) => repo.template_lineages().await,
                None => Vec::new(),
            }
        }
    });
    let latest = RwSignal::new(None::<Vec<Lineage<DocumentId>>>);
    Effect::new(move |_| {
        if let Some(found) = found.get() {
            latest.set(Some(found));
        }
    });
    let may_edit = move || {
        signals.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.user.role.parse::<Role>().ok())
                .is_some_and(|r| may_write(r, RecordKind::ChecklistTemplate))
        })
    };
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let open = move |id: DocumentId| {
        let navigate = navigate.clone();
        let Some(repo) = repo() else { return };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.edit_template(id).await {
                Ok(draft) => navigate(&format!("/templates/{draft}"), Default::default()),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    let open = Callback::new(open);

    view! {
        <div class="page-head">
            <h2>"Templates"</h2>
            <Show when=may_edit>
                <NewTemplate/>
            </Show>
        </div>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        {move || match latest.get() {
            None => view! { <p class="loading">"Loading…"</p> }.into_any(),
            Some(found) if found.is_empty() => view! {
                <p class="empty">"No checklist templates on this device yet. Connect once so your site's templates arrive."</p>
            }.into_any(),
            Some(found) => view! {
                <ul class="cards templates" aria-label="Checklist templates">
                    {found.into_iter().map(|l| view! {
                        <TemplateCard lineage=l start=start open=open busy=busy may_edit=may_edit()/>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// One template: its current version, its other versions, and its buttons.
#[component]
fn TemplateCard(
    lineage: Lineage<DocumentId>,
    start: Callback<DocumentId>,
    open: Callback<DocumentId>,
    busy: RwSignal<bool>,
    may_edit: bool,
) -> impl IntoView {
    let title = lineage.title.clone();
    let current = lineage.current;
    let any = lineage.versions[0].id;
    let edit_label = match lineage.edit_target() {
        Some(fieldbook_core::model::checklist::versions::EditTarget::Draft(_)) => "Edit draft",
        _ => "Edit",
    };
    let versions = lineage
        .versions
        .iter()
        .map(|v| {
            let words = format!("Version {} · {}", v.version, v.status.label());
            let marker = (Some(v.id) == current).then_some(" · runs start here");
            view! {
                <li>
                    <a class="version" href=format!("/templates/{}", v.id)>
                        <span class=format!("badge template-{}", v.status.as_str())>{words}</span>
                        {marker}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="card template-card">
            <div>
                <span class="title">{title.clone()}</span>
                <ul class="versions" aria-label=format!("Versions of {title}")>{versions}</ul>
            </div>
            <div class="template-buttons">
                {current.map(|id| view! {
                    <button type="button" class="button big primary"
                        aria-label=format!("Start a run of {title}")
                        disabled=move || busy.get()
                        on:click=move |_| start.run(id)>
                        "Start a run"
                    </button>
                })}
                {may_edit.then(|| view! {
                    <button type="button" class="button big"
                        aria-label=format!("{edit_label} {title}")
                        disabled=move || busy.get()
                        on:click=move |_| open.run(any)>
                        {edit_label}
                    </button>
                })}
            </div>
        </li>
    }
}

/// "New template": a title, then the new draft opens in the editor.
#[component]
fn NewTemplate() -> impl IntoView {
    let shown = RwSignal::new(false);
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let Some(repo) = repo() else { return };
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.new_template(&title.get_untracked()).await {
                Ok(id) => navigate(&format!("/templates/{id}"), Default::default()),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
        });
    };
    view! {
        <Show
            when=move || shown.get()
            fallback=move || view! {
                <button type="button" class="button big primary" on:click=move |_| shown.set(true)>
                    "New template"
                </button>
            }
        >
            <form class="form new-template" aria-label="New template" on:submit=create.clone()>
                <label for="new-template-title">"Title of the new template"</label>
                <input id="new-template-title" prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))/>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="actions">
                    <button type="button" class="button big" on:click=move |_| shown.set(false)>"Cancel"</button>
                    <button type="submit" class="button big primary">"Create draft"</button>
                </div>
            </form>
        </Show>
    }
}
