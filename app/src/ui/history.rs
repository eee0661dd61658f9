//! History: every change to the incident's document, newest first, folded away
//! under a `<details>`: what it did, who (the person the server recorded, once
//! it has the change; until then the device), the device time, and once synced
//! the time the server received it. The server times come from
//! `GET /api/documents/{id}/receipts` when online and are kept on the device
//! (`receipts`). Each change links to the record as it was then ("as at").

use fieldbook_core::ids::DocumentId;
use leptos::prelude::*;

use super::repo;
use super::wording::{change_words, device_time_to_second, who};
use crate::receipts::{self, Receipts};
use crate::repo::{IncidentRecord, Signals};

/// One line of the history.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    hash: String,
    device_time: String,
    what: String,
    who: String,
    server: Server,
}

/// What the line says about the server.
#[derive(Debug, Clone, PartialEq)]
enum Server {
    NotYet,
    /// On the server; its receipt has not reached this device yet.
    TimeUnknown,
    At(String),
}

/// The change history of an incident, collapsed until opened.
#[component]
pub fn History(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let online = Memo::new(move |_| signals.status.with(|s| s.online && !s.signed_out));
    let on_server = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.history
                        .iter()
                        .filter(|c| c.on_server)
                        .map(|c| c.hash.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let fetched = LocalResource::new(move || {
        let (id, wanted, online) = (id.get(), on_server.get(), online.get());
        async move {
            match (id, repo()) {
                (Some(id), Some(repo)) => {
                    receipts::for_changes(&repo.store(), id, &wanted, online).await
                }
                _ => Receipts::new(),
            }
        }
    });
    // The last receipts read stay shown while the next read runs.
    let known = RwSignal::new(Receipts::new());
    Effect::new(move |_| {
        if let Some(receipts) = fetched.get() {
            known.set(receipts);
        }
    });
    let rows = Memo::new(move |_| {
        known.with(|receipts| {
            record.with(|r| {
                let Some(r) = r else { return Vec::new() };
                r.history
                    .iter()
                    .rev()
                    .map(|change| {
                        let receipt = receipts.get(&change.hash);
                        let device = who(&change.device, &r.this_device);
                        Row {
                            hash: change.hash.clone(),
                            device_time: match change.device_time_s {
                                0 => "not recorded".to_owned(),
                                s => device_time_to_second(s),
                            },
                            what: change_words(change.message.as_deref()),
                            who: match receipt {
                                Some(receipt) => format!("{} · {device}", receipt.user_name),
                                None => device,
                            },
                            server: match (change.on_server, receipt) {
                                (_, Some(receipt)) => Server::At(device_time_to_second(
                                    receipt.received_at.div_euclid(1000),
                                )),
                                (true, None) => Server::TimeUnknown,
                                (false, None) => Server::NotYet,
                            },
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let base = move || {
        id.get()
            .map(|id| format!("/incidents/{id}"))
            .unwrap_or_default()
    };
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
                "Device time is the clock of the device that made the change; server time is when "
                "the server received it. Choose “As at” to see the record as it was then."
            </p>
            <ol class="changes" aria-label="Changes, newest first">
                {move || rows.get().into_iter().map(|row| view! {
                    <li>
                        <span class="what">{row.what}</span>
                        <span class="who">{row.who}</span>
                        <span class="when">"Device time: "{row.device_time}</span>
                        {match row.server {
                            Server::At(at) => view! { <span class="when server-time">"Server time: "{at}</span> }.into_any(),
                            Server::TimeUnknown => view! {
                                <span class="when server-time">"On the server; its time shows when online"</span>
                            }.into_any(),
                            Server::NotYet => view! { <span class="pending-tag">"not yet on the server"</span> }.into_any(),
                        }}
                        <a class="as-at-link" href=format!("{}?at={}", base(), row.hash)>"As at"</a>
                    </li>
                }).collect_view()}
            </ol>
        </details>
    }
}
