//! The notice a tab shows when another tab has opened a newer version of
//! Fieldbook's storage: this tab's connections are closed (so the upgrade can
//! go ahead), nothing more can be saved here, and a reload picks up the new
//! version with everything saved so far.

use leptos::prelude::*;

/// Shown on every page once the storage has moved on to a newer version.
#[component]
pub fn NewerVersionNotice() -> impl IntoView {
    let replaced = RwSignal::new(false);
    crate::store::strict::on_version_change(move || {
        replaced.try_set(true);
    });
    view! {
        <Show when=move || replaced.get()>
            <div class="banner error" role="alert">
                <p>
                    "Fieldbook was updated in another tab. This tab can no longer save. "
                    "Everything saved so far is kept: reload to continue."
                </p>
                <button type="button" class="button primary"
                    on:click=|_| { let _ = web_sys::window().map(|w| w.location().reload()); }>
                    "Reload"
                </button>
            </div>
        </Show>
    }
}
