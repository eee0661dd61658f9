//! Pages and components. Thin: they read signals, call the repo, and render.

mod incident_list;
mod incident_page;
mod new_incident;
mod status_strip;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::repo::{Repo, Signals, SyncStatus};

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
    register_service_worker();

    view! {
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"Fieldbook"</a>
                <status_strip::StatusStrip/>
            </header>
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
                        </Routes>
                    }.into_any(),
                }}
            </main>
        </Router>
    }
}

/// The service worker keeps the app shell so Fieldbook starts with no network.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let _ = container.register("/sw.js");
}

/// Label of a priority rank (1 → "P1").
pub(crate) fn priority_label(rank: u8) -> String {
    format!("P{rank}")
}
