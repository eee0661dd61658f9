//! Signing in, the notice when a session has ended, and signing out.
//!
//! Signing in needs the network once; after that the cached profile opens the app
//! offline for days. When the server says the session ended, sync pauses and a
//! notice asks the person to sign in again; nothing on the device is touched, and
//! changes not yet on the server go up after the next sign-in.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use super::repo;
use crate::repo::Signals;

/// `/sign-in`: login and password.
#[component]
pub fn SignIn() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repo) = repo() else { return };
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match crate::profile::sign_in(login.get_untracked().trim(), &password.get_untracked())
                .await
            {
                Ok(profile) => {
                    password.set(String::new());
                    repo.signed_in(profile).await;
                    navigate("/incidents", Default::default());
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="page narrow">
            <h1>"Sign in"</h1>
            {move || signals.profile.get().map(|p| view! {
                <p class="hint">
                    "Last signed in on this device as "{p.user.name}". Everything on this device is kept while you sign in."
                </p>
            })}
            <form on:submit=submit class="form">
                <label>
                    <span>"Login"</span>
                    <input type="text" name="login" autocomplete="username" autocapitalize="none" required
                        prop:value=move || login.get()
                        on:input=move |ev| login.set(event_target_value(&ev))/>
                </label>
                <label>
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                </label>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || busy.get()>"Sign in"</button>
                </div>
            </form>
        </section>
    }
}

/// Under the top bar on every page while the server says no one is signed in:
/// a device that knew its person is told its session ended; a new device is sent
/// to the sign-in page.
#[component]
pub fn SignedOutNotice() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let signed_out = signals.status.with(|s| s.signed_out);
        let never_signed_in = signals.profile.with(Option::is_none);
        if signed_out && never_signed_in && location.pathname.get() != "/sign-in" {
            navigate("/sign-in", Default::default());
        }
    });
    let visible = move || {
        signals.status.with(|s| s.signed_out)
            && signals.profile.with(Option::is_some)
            && location.pathname.get() != "/sign-in"
    };
    view! {
        <Show when=visible>
            <div class="update" role="region" aria-label="Session ended">
                <span>"Your session has ended, so this device is not syncing. Everything on it is kept, including changes not yet on the server."</span>
                <a class="button primary" href="/sign-in">"Sign in again"</a>
            </div>
        </Show>
    }
}

/// The sign-out button in settings.
#[component]
pub fn SignOut() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let sign_out = move |_| {
        let Some(repo) = repo() else { return };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match repo.sign_out().await {
                Ok(()) => navigate("/sign-in", Default::default()),
                Err(e) => error.set(Some(format!("Could not reach the server to sign out: {e}"))),
            }
        });
    };
    view! {
        <Show when=move || !signals.status.with(|s| s.signed_out)>
            <p class="hint">"Signing out stops sync on this device. Records and changes not yet on the server stay here and go up at the next sign-in."</p>
            <button type="button" class="button" on:click=sign_out.clone()>"Sign out"</button>
        </Show>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
