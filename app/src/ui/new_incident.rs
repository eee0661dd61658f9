//! The form to log a new incident or service request. A service request may
//! wait for a manager's approval before anyone works it (ticked by default:
//! most requests cost something).

use fieldbook_core::doc::draft::Draft;
use fieldbook_core::model::incident::TicketKind;
use fieldbook_core::model::priority::PriorityMatrix;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::incident_page::DraftFields;
use super::repo;
use crate::repo::Signals;

/// The priority matrix of the site a new incident is logged at (the person's
/// first site): its standing service levels', or the standard.
fn site_matrix() -> Signal<PriorityMatrix> {
    let signals = expect_context::<Signals>();
    let levels = LocalResource::new(move || {
        signals.revision.track();
        let site = signals.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.sites.first().map(|s| s.id.clone()))
        });
        async move {
            match (repo(), site) {
                (Some(repo), Some(site)) => repo.site_levels(&site).await.standing().matrix,
                _ => PriorityMatrix::standard(),
            }
        }
    });
    Signal::derive(move || levels.get().unwrap_or_else(PriorityMatrix::standard))
}

#[component]
pub fn NewIncident() -> impl IntoView {
    let asked_for_request = use_query_map()
        .read_untracked()
        .get("kind")
        .is_some_and(|k| k == "request");
    let draft = RwSignal::new(Draft {
        kind: match asked_for_request {
            true => TicketKind::ServiceRequest,
            false => TicketKind::Incident,
        },
        needs_approval: true,
        impact: 3,
        urgency: 3,
        ..Draft::default()
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let is_request = move || draft.with(|d| d.kind == TicketKind::ServiceRequest);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repo) = repo() else { return };
        let new = match draft.get_untracked().to_new("") {
            Ok(new) => new,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match repo.create_incident(new).await {
                Ok(id) => navigate(&format!("/incidents/{id}?saved=1"), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let kind_choice = move |kind: TicketKind| {
        view! {
            <label class="radio">
                <input type="radio" name="kind" value=kind.as_str()
                    prop:checked=move || draft.with(|d| d.kind == kind)
                    on:change=move |_| draft.update(|d| d.kind = kind)/>
                {kind.label()}
            </label>
        }
    };
    let matrix = site_matrix();
    view! {
        <section class="page">
            <h1>{move || match is_request() {
                true => "New service request",
                false => "New incident",
            }}</h1>
            <form on:submit=submit class="form">
                <fieldset class="choices">
                    <legend>"What is it?"</legend>
                    {kind_choice(TicketKind::Incident)}
                    {kind_choice(TicketKind::ServiceRequest)}
                </fieldset>
                <Show when=is_request>
                    <label class="check">
                        <input type="checkbox" name="needs-approval"
                            prop:checked=move || draft.with(|d| d.needs_approval)
                            on:change=move |ev| draft.update(|d| d.needs_approval = event_target_checked(&ev))/>
                        "Needs a manager’s approval before work starts"
                    </label>
                </Show>
                <DraftFields draft=draft matrix=matrix/>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="actions">
                    <a class="button" href="/incidents">"Cancel"</a>
                    <button type="submit" class="button primary" disabled=move || busy.get()>
                        {move || match is_request() {
                            true => "Save request",
                            false => "Save incident",
                        }}
                    </button>
                </div>
            </form>
        </section>
    }
}
