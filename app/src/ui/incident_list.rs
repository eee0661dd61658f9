//! The list of incidents at the person's sites: search, filters and an order by
//! SLA urgency, all from the summary rows (no document is loaded), and at most
//! [`PAGE`] cards at a time so a phone stays quick with thousands of records.

use fieldbook_core::model::calendar::BusinessCalendar;
use fieldbook_core::model::incident::TicketKind;
use fieldbook_core::model::listing::{
    search_text, select, Query, SlaFilter, SlaSnapshotState, Sort,
};
use leptos::prelude::*;

use super::priority_label;
use super::wording::duration_words;
use crate::repo::{now, Signals};
use crate::store::Summary;

/// Cards shown at once; "Show more" adds as many again.
const PAGE: usize = 100;

/// How one control changes the query, given the control's value.
type SetQuery = dyn Fn(&mut Query, String);

#[component]
pub fn IncidentList() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let query = RwSignal::new(Query::default());
    let shown = RwSignal::new(PAGE);
    let incidents = Memo::new(move |_| {
        signals
            .summaries
            .get()
            .into_iter()
            .filter(|s| TicketKind::parse(&s.kind).is_some())
            .collect::<Vec<_>>()
    });
    // Lower-cased search text per row, made when the rows change, not per keystroke.
    let texts = Memo::new(move |_| {
        incidents.with(|all| {
            all.iter()
                .map(|s| search_text(&s.title, s.reference.as_deref()))
                .collect::<Vec<_>>()
        })
    });
    // Indexes into `incidents`, recomputed only when the rows or the query change;
    // `now` is read then.
    let selected = Memo::new(move |_| {
        incidents.with(|all| {
            texts.with(|texts| {
                let always = BusinessCalendar::always();
                let rows: Vec<_> = all
                    .iter()
                    .zip(texts)
                    .map(|(s, t)| s.row(t, &always))
                    .collect();
                query.with(|q| select(&rows, q, now().at_ms))
            })
        })
    });
    let visible = move || {
        incidents.with(|all| {
            selected.with(|order| {
                order
                    .iter()
                    .take(shown.get())
                    .map(|&i| all[i].clone())
                    .collect::<Vec<_>>()
            })
        })
    };
    // Whether any service request is on the device (then the list names both).
    let requests = Memo::new(move |_| {
        incidents.with(|all| {
            all.iter()
                .any(|s| s.kind == TicketKind::ServiceRequest.as_str())
        })
    });
    let noun = move || match requests.get() {
        true => "incidents and requests",
        false => "incidents",
    };
    let statuses = Memo::new(move |_| distinct(&incidents.get(), |s| Some(s.status.clone())));
    let assignees = Memo::new(move |_| distinct(&incidents.get(), |s| s.assignee.clone()));
    let sites = move || signals.profile.get().map(|p| p.sites).unwrap_or_default();
    let set = move |f: Box<SetQuery>| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            query.update(|q| f(q, value));
            shown.set(PAGE);
        }
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Incidents"</h1>
                <div class="head-buttons">
                    <a class="button" href="/new-incident?kind=request">"New request"</a>
                    <a class="button primary" href="/new-incident">"New incident"</a>
                </div>
            </div>
            {move || signals.profile.get().is_none().then(|| view! {
                <p class="hint">"Sign in once with the network on so this device learns your site. Records already here stay available offline."</p>
            })}
            <form class="filters" role="search" aria-label="Find incidents" on:submit=|ev| ev.prevent_default()>
                <input type="search" class="search" aria-label="Search incidents" placeholder="Search title, INC or REQ number"
                    prop:value=move || query.with(|q| q.text.clone())
                    on:input=set(Box::new(|q, v| q.text = v))/>
                <Show when=move || requests.get()>
                    <div class="filter">
                        <label for="f-kind">"Type"</label>
                        <select id="f-kind" on:change=set(Box::new(|q, v| q.kind = TicketKind::parse(&v)))>
                            <option value="">"All"</option>
                            <option value=TicketKind::Incident.as_str()>"Incidents"</option>
                            <option value=TicketKind::ServiceRequest.as_str()>"Service requests"</option>
                        </select>
                    </div>
                </Show>
                <div class="filter">
                    <label for="f-status">"Status"</label>
                    <select id="f-status" on:change=set(Box::new(|q, v| q.status = (!v.is_empty()).then_some(v)))>
                        <option value="">"All"</option>
                        <For each=move || statuses.get() key=|s| s.clone() let:status>
                            <option value=status.clone()>{status.clone()}</option>
                        </For>
                    </select>
                </div>
                <div class="filter">
                    <label for="f-priority">"Priority"</label>
                    <select id="f-priority" on:change=set(Box::new(|q, v| q.priority = v.parse().ok()))>
                        <option value="">"All"</option>
                        {(1..=4u8).map(|p| view! { <option value=p.to_string()>{priority_label(p)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="f-sla">"SLA"</label>
                    <select id="f-sla" on:change=set(Box::new(|q, v| q.sla = sla_filter(&v)))>
                        <option value="">"All"</option>
                        <option value="breached">"Breached"</option>
                        <option value="running">"Running"</option>
                        <option value="paused">"Paused"</option>
                        <option value="stopped">"Met or stopped"</option>
                    </select>
                </div>
                <Show when=move || assignees.with(|a| !a.is_empty())>
                    <div class="filter">
                        <label for="f-assignee">"Assignee"</label>
                        <select id="f-assignee" on:change=set(Box::new(|q, v| q.assignee = (!v.is_empty()).then_some(v)))>
                            <option value="">"Anyone"</option>
                            <For each=move || assignees.get() key=|a| a.clone() let:assignee>
                                <option value=assignee.clone()>{assignee.clone()}</option>
                            </For>
                        </select>
                    </div>
                </Show>
                <Show when=move || { sites().len() > 1 }>
                    <div class="filter">
                        <label for="f-site">"Site"</label>
                        <select id="f-site" on:change=set(Box::new(|q, v| q.site = (!v.is_empty()).then_some(v)))>
                            <option value="">"All my sites"</option>
                            <For each=sites key=|s| s.id.clone() let:site>
                                <option value=site.id.clone()>{site.name.clone()}</option>
                            </For>
                        </select>
                    </div>
                </Show>
                <div class="filter">
                    <label for="f-order">"Order"</label>
                    <select id="f-order" on:change=set(Box::new(|q, v| q.sort = match v.as_str() {
                        "priority" => Sort::Priority,
                        "newest" => Sort::Newest,
                        _ => Sort::SlaUrgency,
                    }))>
                        <option value="urgency">"Most urgent first"</option>
                        <option value="priority">"Priority"</option>
                        <option value="newest">"Newest"</option>
                    </select>
                </div>
            </form>
            <p class="count" aria-live="polite">{move || {
                let (kept, all) = (selected.with(Vec::len), incidents.with(Vec::len));
                if kept == all { format!("{all} {}", noun()) } else { format!("{kept} of {all} {}", noun()) }
            }}</p>
            <Show
                when=move || selected.with(|s| !s.is_empty())
                fallback=move || view! { <p class="empty">{move || if incidents.with(Vec::is_empty) {
                    "No incidents on this device yet."
                } else {
                    "No incident matches. Clear the search or a filter."
                }}</p> }
            >
                <ul class="cards" aria-label="Incidents">
                    <For each=visible key=|s| (s.id.clone(), s.title.clone(), s.priority, s.conflicts, s.status.clone(), s.sla) let:s>
                        <li class="card">
                            <a href=format!("/incidents/{}", s.id)>
                                <span class=format!("badge p{}", s.priority)>{priority_label(s.priority)}</span>
                                <span class="title">{s.title.clone()}</span>
                                <span class="meta">
                                    {(s.kind == TicketKind::ServiceRequest.as_str()).then_some("Service request · ")}
                                    {s.reference.clone().unwrap_or_else(|| provisional_reference(&s.id))}
                                    " · "{s.status.clone()}
                                    {s.assignee.clone().map(|a| format!(" · {a}"))}
                                </span>
                                {sla_chip(&s)}
                                {s.conflicts.then(|| view! { <span class="badge conflict">"Needs a choice"</span> })}
                            </a>
                        </li>
                    </For>
                </ul>
                <Show when=move || { selected.with(Vec::len) > shown.get() }>
                    <button type="button" class="button more" on:click=move |_| shown.update(|n| *n += PAGE)>
                        {move || format!("Show {} more", (selected.with(Vec::len) - shown.get()).min(PAGE))}
                    </button>
                </Show>
            </Show>
        </section>
    }
}

/// The SLA at a glance on a card: breached, time left, or paused.
fn sla_chip(summary: &Summary) -> Option<impl IntoView> {
    let sla = summary.sla?;
    let now_ms = now().at_ms;
    let always = BusinessCalendar::always();
    let calendar = summary.calendar.as_ref().unwrap_or(&always);
    let (text, class) = match sla.state_at(calendar, now_ms) {
        SlaSnapshotState::Breached => ("SLA breached".to_owned(), "sla breached"),
        SlaSnapshotState::Running => (
            format!(
                "{} left",
                duration_words(sla.remaining_at(calendar, now_ms))
            ),
            "sla running",
        ),
        SlaSnapshotState::Paused => ("SLA paused".to_owned(), "sla paused"),
        SlaSnapshotState::Met | SlaSnapshotState::Cancelled => return None,
    };
    Some(view! { <span class=class>{text}</span> })
}

fn sla_filter(value: &str) -> Option<SlaFilter> {
    match value {
        "breached" => Some(SlaFilter::Breached),
        "running" => Some(SlaFilter::Running),
        "paused" => Some(SlaFilter::Paused),
        "stopped" => Some(SlaFilter::Stopped),
        _ => None,
    }
}

/// The distinct values of a field among `rows`, sorted.
fn distinct(rows: &[Summary], field: impl Fn(&Summary) -> Option<String>) -> Vec<String> {
    let mut values: Vec<String> = rows.iter().filter_map(field).collect();
    values.sort();
    values.dedup();
    values
}

/// Until the server assigns `INC-000123`, a short reference from the document id.
pub(crate) fn provisional_reference(id: &str) -> String {
    format!("#{}", id.chars().take(6).collect::<String>())
}
