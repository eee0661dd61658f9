//! The service worker, and the offer of a new version.
//!
//! A new build's worker installs beside the running one and waits. The page
//! offers "Reload to update"; only when the person accepts does the new worker
//! take over and the page reload. Nothing is forced onto an open tab, and local
//! changes are in IndexedDB either way, so a reload loses nothing.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ServiceWorker, ServiceWorkerRegistration};

/// Registers `/sw.js` and sets `waiting` when a new version is ready.
pub fn register(waiting: Waiting) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // When the new worker takes over (after the person accepted), load the new version.
    let reload = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let had_controller = container.controller().is_some();
    if had_controller {
        container.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
    }
    reload.forget();

    let promise = container.register("/sw.js");
    leptos::task::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        // A first install is not an update: there is no old version to replace.
        if !had_controller {
            return;
        }
        if let Some(worker) = registration.waiting() {
            waiting.set(Some(worker));
        }
        let reg = registration.clone();
        let on_update = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = reg.installing() else {
                return;
            };
            let reg = reg.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if let Some(worker) = reg.waiting() {
                    waiting.set(Some(worker));
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    });
}

/// The new version's worker, once installed and waiting. A browser object, so the
/// signal keeps it in thread-local storage.
pub type Waiting = RwSignal<Option<ServiceWorker>, LocalStorage>;

#[component]
pub fn UpdateBanner(
    /// The new version's worker, once it is installed and waiting.
    waiting: Waiting,
) -> impl IntoView {
    let accept = move |_| {
        if let Some(worker) = waiting.get_untracked() {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"skip-waiting".into());
            let _ = worker.post_message(&JsValue::from(message));
        }
    };
    view! {
        <Show when=move || waiting.with(Option::is_some)>
            <div class="update" role="region" aria-label="New version">
                <span>"A new version of Fieldbook is ready. Your changes on this device are kept."</span>
                <button type="button" class="button" on:click=accept>"Reload to update"</button>
            </div>
        </Show>
    }
}
