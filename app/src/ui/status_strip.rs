//! The strip on every page: online or offline, syncing or idle, and how many
//! local changes the server has not acknowledged.

use leptos::prelude::*;

use crate::repo::Signals;

#[component]
pub fn StatusStrip() -> impl IntoView {
    let status = expect_context::<Signals>().status;
    let network = move || {
        let s = status.get();
        if !s.online {
            "Offline"
        } else if s.connected {
            "Online"
        } else {
            "Connecting…"
        }
    };
    let activity = move || {
        let s = status.get();
        if s.syncing {
            "Syncing…"
        } else if s.connected {
            "Up to date"
        } else {
            "Working on this device"
        }
    };
    let pending = move || match status.get().unacked {
        0 => "All changes are on the server".to_owned(),
        1 => "1 change not yet on the server".to_owned(),
        n => format!("{n} changes not yet on the server"),
    };
    let class = move || {
        let s = status.get();
        match (s.online && s.connected, s.unacked) {
            (true, 0) => "strip ok",
            (true, _) => "strip busy",
            (false, _) => "strip offline",
        }
    };
    view! {
        <div class=class role="status" aria-label="Sync status" aria-live="polite">
            <span class="net" data-state=move || if status.get().online { "online" } else { "offline" }>{network}</span>
            <span class="activity">{activity}</span>
            <span class="pending" data-count=move || status.get().unacked.to_string()>{pending}</span>
            {move || status.get().error.map(|e| view! { <span class="strip-error" role="alert">{e}</span> })}
        </div>
    }
}
