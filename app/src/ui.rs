//! Pages and components. Thin: they read signals, call the repo, and render.

mod action_forms;
mod action_page;
mod as_at;
mod audit_actions;
mod audit_page;
mod audit_report;
mod audit_transfer;
mod audits;
mod checklists;
mod evidence;
mod finding_actions;
mod finding_corrective;
mod finding_page;
mod history;
mod incident_actions;
mod incident_list;
mod incident_page;
mod levels_form;
mod needs_review;
mod new_incident;
mod next_actions;
mod people;
mod photos;
mod routed_record;
mod run_item;
mod run_page;
mod service_levels;
mod settings;
mod sign_in;
mod signature;
mod sla_timers;
mod status_strip;
mod storage_notice;
mod template_item;
mod template_list;
mod template_page;
mod update_banner;
mod wording;
mod work_notes;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::repo::{Repo, Signals, SyncStatus};
pub use settings::request_persistence;

thread_local! {
    static REPO: RefCell<Option<Rc<Repo>>> = const { RefCell::new(None) };
}

/// The device's repository, once it has opened.
pub fn repo() -> Option<Rc<Repo>> {
    REPO.with(|r| r.borrow().clone())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Boot {
    Starting,
    Ready,
    Failed(String),
}

#[component]
pub fn App() -> impl IntoView {
    let signals = Signals {
        summaries: RwSignal::new(Vec::new()),
        status: RwSignal::new(SyncStatus::default()),
        revision: RwSignal::new(0),
        profile: RwSignal::new(None),
    };
    provide_context(signals);
    let boot = RwSignal::new(Boot::Starting);
    leptos::task::spawn_local(async move {
        match Repo::start(signals).await {
            Ok(repo) => {
                REPO.with(|r| *r.borrow_mut() = Some(repo));
                boot.set(Boot::Ready);
            }
            Err(e) => boot.set(Boot::Failed(e.to_string())),
        }
    });
    let waiting: update_banner::Waiting = RwSignal::new_local(None);
    update_banner::register(waiting);

    view! {
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"Fieldbook"</a>
                <nav class="topnav" aria-label="Sections">
                    <a href="/incidents">"Incidents"</a>
                    <a href="/checklists">"Checklists"</a>
                    <a href="/findings">"Findings"</a>
                    <a href="/audits">"Audits"</a>
                    <a href="/actions">"Actions"</a>
                    <service_levels::AdminLink/>
                </nav>
                <a class="sync-link" href="/settings/sync">"Sync details"</a>
                <status_strip::StatusStrip/>
            </header>
            <update_banner::UpdateBanner waiting=waiting/>
            <sign_in::SignedOutNotice/>
            <storage_notice::NewerVersionNotice/>
            <main>
                {move || match boot.get() {
                    Boot::Starting => view! { <p class="loading">"Opening this device's records…"</p> }.into_any(),
                    Boot::Failed(message) => view! {
                        <div class="error" role="alert">
                            <p>"Fieldbook could not open this device's storage."</p>
                            <p>{message}</p>
                            <p>"Nothing has been deleted. Close other Fieldbook tabs and reload."</p>
                        </div>
                    }.into_any(),
                    Boot::Ready => view! {
                        <Routes fallback=|| view! { <p>"This page does not exist."</p> }>
                            <Route path=path!("/") view=incident_list::IncidentList/>
                            <Route path=path!("/incidents") view=incident_list::IncidentList/>
                            <Route path=path!("/new-incident") view=new_incident::NewIncident/>
                            <Route path=path!("/incidents/:id") view=incident_page::IncidentPage/>
                            <Route path=path!("/checklists") view=checklists::Checklists/>
                            <Route path=path!("/runs/:id") view=run_page::RunPage/>
                            <Route path=path!("/templates/:id") view=template_page::TemplatePage/>
                            <Route path=path!("/findings") view=finding_page::FindingList/>
                            <Route path=path!("/findings/:id") view=finding_page::FindingPage/>
                            <Route path=path!("/audits") view=audits::AuditList/>
                            <Route path=path!("/audits/new") view=audits::NewAuditPage/>
                            <Route path=path!("/audits/:id") view=audit_page::AuditPage/>
                            <Route path=path!("/audits/:id/report") view=audit_report::AuditReport/>
                            <Route path=path!("/actions") view=action_page::ActionList/>
                            <Route path=path!("/actions/:id") view=action_page::ActionPage/>
                            <Route path=path!("/settings/sync") view=settings::SyncSettings/>
                            <Route path=path!("/settings/service-levels") view=service_levels::ServiceLevelsPage/>
                            <Route path=path!("/sign-in") view=sign_in::SignIn/>
                        </Routes>
                    }.into_any(),
                }}
            </main>
        </Router>
    }
}

/// Label of a priority rank (1 → "P1").
pub(crate) fn priority_label(rank: u8) -> String {
    format!("P{rank}")
}
