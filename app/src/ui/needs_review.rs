//! "Needs review": two devices recorded changes offline that cannot both stand.
//! Core finds the conflict (`derive`) and records the review (`Reconciled`);
//! this shows both branches in words and offers the review.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::action::Command;
use fieldbook_core::model::derived::Conflict;
use fieldbook_core::model::event::Event;
use leptos::prelude::*;

use super::repo;
use super::wording::{describe, device_time, sentence, who};
use crate::repo::IncidentRecord;

/// The banner, shown only while the event log has an unreviewed conflict.
#[component]
pub fn NeedsReview(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let conflict = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref().and_then(|r| {
                r.incident
                    .derived()
                    .needs_review
                    .map(|c| (c, r.this_device.clone()))
            })
        })
    });
    let review = move |_| {
        let (Some(id), Some(repo)) = (id.get_untracked(), repo()) else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = repo.perform(id, Command::Reconcile).await {
                error.set(Some(sentence(&e.to_string())));
            }
            busy.set(false);
        });
    };
    move || {
        conflict.get().map(|(conflict, this_device)| {
            let Conflict { a, b, why } = conflict;
            let kept = a
                .iter()
                .map(|event| view! { <li>{line(event, &this_device)}</li> })
                .collect_view();
            let set_aside = b
                .iter()
                .zip(why.iter())
                .map(|(event, why)| {
                    view! {
                        <li>
                            {line(event, &this_device)}
                            <span class="why">{format!("Why it was set aside: {}", sentence(&why.to_string()))}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="needs-review" role="region" aria-labelledby="review-heading">
                    <h2 id="review-heading">"Needs review"</h2>
                    <p>
                        "Two devices recorded changes while apart that cannot both stand. "
                        "The incident follows the changes that came first; the others are set aside, not lost."
                    </p>
                    <div class="branches">
                        <div class="branch">
                            <h3>"Applied"</h3>
                            <ul aria-label="Applied changes">{kept}</ul>
                        </div>
                        <div class="branch aside">
                            <h3>"Set aside"</h3>
                            <ul aria-label="Set-aside changes">{set_aside}</ul>
                        </div>
                    </div>
                    <p class="hint">
                        "Marking it as reviewed keeps the set-aside changes out for good (they stay in the history). "
                        "Redo anything from them that still matters."
                    </p>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <button type="button" class="button big primary"
                        disabled=move || busy.get() on:click=review>
                        "Mark as reviewed"
                    </button>
                </section>
            }
        })
    }
}

/// "Resolved (Fixed): … — This device, Tue 4 Mar, 14:05 (device time)".
fn line(event: &Event, this_device: &str) -> String {
    format!(
        "{} — {}, {} (device time)",
        describe(event),
        who(&event.device, this_device),
        device_time(event.at_ms)
    )
}
