//! History: every change to the incident's document, from Automerge's change
//! metadata (device, device time, what it did), newest first, folded away
//! under a `<details>`. The server's receipt time is not recorded yet, so every
//! time here is the writing device's own clock, and says so.

use leptos::prelude::*;

use super::wording::{change_words, device_time_to_second, who};
use crate::repo::IncidentRecord;

/// The change history of an incident, collapsed until opened.
#[component]
pub fn History(
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        record.with(|r| {
            let Some(r) = r else { return Vec::new() };
            r.history
                .iter()
                .rev()
                .map(|change| {
                    let when = match change.device_time_s {
                        0 => "time not recorded".to_owned(),
                        s => device_time_to_second(s),
                    };
                    (
                        when,
                        change_words(change.message.as_deref()),
                        who(&change.device, &r.this_device),
                        change.on_server,
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <details class="history">
            <summary>
                "History "
                <span class="count">{move || match rows.with(Vec::len) {
                    1 => "(1 change)".to_owned(),
                    n => format!("({n} changes)"),
                }}</span>
            </summary>
            <p class="hint">
                "Times are device time: the clock of the device that made the change. "
                "The time the server received it is not recorded yet."
            </p>
            <ol class="changes" aria-label="Changes, newest first">
                {move || rows.get().into_iter().map(|(when, what, who, on_server)| view! {
                    <li>
                        <span class="when">{when}</span>
                        <span class="what">{what}</span>
                        <span class="who">{who}</span>
                        {(!on_server).then(|| view! { <span class="pending-tag">"not yet on the server"</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </details>
    }
}
