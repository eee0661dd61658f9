//! The form to log a new incident.

use fieldbook_core::doc::draft::Draft;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::incident_page::DraftFields;
use super::repo;

#[component]
pub fn NewIncident() -> impl IntoView {
    let draft = RwSignal::new(Draft {
        impact: 3,
        urgency: 3,
        ..Draft::default()
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
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
    view! {
        <section class="page">
            <h1>"New incident"</h1>
            <form on:submit=submit class="form">
                <DraftFields draft=draft/>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="actions">
                    <a class="button" href="/incidents">"Cancel"</a>
                    <button type="submit" class="button primary" disabled=move || busy.get()>"Save incident"</button>
                </div>
            </form>
        </section>
    }
}
