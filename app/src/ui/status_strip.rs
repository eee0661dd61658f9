//! The strip on every page: online or offline, syncing or idle, and how many
//! local changes the server has not acknowledged.

use leptos::prelude::*;

use crate::repo::{now, Signals};

/// Three days without a complete sync: the strip warns.
pub const STALE_AFTER_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// "5 minutes ago" for a person glancing at the strip.
pub fn since(now_ms: i64, then_ms: i64) -> String {
    let minutes = (now_ms - then_ms).max(0) / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1 => "1 minute ago".to_owned(),
        m if m < 60 => format!("{m} minutes ago"),
        m if m < 120 => "1 hour ago".to_owned(),
        m if m < 48 * 60 => format!("{} hours ago", m / 60),
        m => format!("{} days ago", m / (24 * 60)),
    }
}

#[component]
pub fn StatusStrip() -> impl IntoView {
    let status = expect_context::<Signals>().status;
    let network = move || {
        let s = status.get();
        if !s.online {
            "Offline"
        } else if s.connected {
            "Online"
        } else if s.signed_out {
            "Not signed in"
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
            <span class="last-sync">{move || match status.get().last_sync_ms {
                Some(at) => format!("Last synced {}", since(now().at_ms, at)),
                None => "Not yet synced on this device".to_owned(),
            }}</span>
            {move || {
                let s = status.get();
                let stale = s.unacked > 0
                    && s.last_sync_ms.is_none_or(|at| now().at_ms - at > STALE_AFTER_MS);
                stale.then(|| view! {
                    <span class="strip-warn" role="alert">
                        "No sync for over 3 days: connect to the network so your changes reach the server."
                    </span>
                })
            }}
            {move || status.get().error.map(|e| view! { <span class="strip-error" role="alert">{e}</span> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::since;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn since_reads_like_a_person_would_say_it() {
        let min = 60_000;
        assert_eq!(since(10 * min, 10 * min), "just now");
        assert_eq!(since(11 * min, 10 * min), "1 minute ago");
        assert_eq!(since(100 * min, 10 * min), "1 hour ago");
        assert_eq!(since(5 * 60 * min, 0), "5 hours ago");
        assert_eq!(since(4 * 24 * 60 * min, 0), "4 days ago");
        assert_eq!(since(0, 10 * min), "just now");
    }
}
