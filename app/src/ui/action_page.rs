//! One corrective action: title, status, owner, due date, the findings it deals
//! with, its steps (who did each, when, with what evidence), the implementation
//! evidence, the effectiveness check, and core's next actions as large buttons.
//! Also the list of the site's corrective actions, overdue ones marked.

use fieldbook_core::doc::corrective_action;
use fieldbook_core::model::access::RecordKind;
use fieldbook_core::model::corrective_action::{CheckResult, CorrectiveAction, Standing};
use leptos::prelude::*;

use super::action_forms::CorrectiveActionButtons;
use super::evidence::EvidenceItems;
use super::routed_record::{routed_record, RoutedRecord};
use super::wording::device_time;
use crate::repo::Signals;

#[component]
pub fn ActionList() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let me = move || {
        signals
            .profile
            .with(|p| p.as_ref().map(|p| p.user.id.clone()))
    };
    let actions = move || {
        let mut rows: Vec<_> = signals
            .summaries
            .get()
            .into_iter()
            .filter(|s| s.kind == RecordKind::CorrectiveAction.as_str())
            .collect();
        rows.sort_by_key(|s| std::cmp::Reverse(s.created_at_ms));
        rows
    };
    view! {
        <section class="page actions">
            <h1>"Corrective actions"</h1>
            <Show
                when=move || !actions().is_empty()
                fallback=|| view! { <p class="empty">"No corrective actions on this device yet. Propose one from a finding."</p> }
            >
                <ul class="cards" aria-label="Corrective actions">
                    <For each=actions key=|s| (s.id.clone(), s.title.clone(), s.status.clone(), s.detail.clone(), s.conflicts) let:s>
                        <li class="card">
                            <a href=format!("/actions/{}", s.id)>
                                <span class="badge run-status">{s.status.clone()}</span>
                                <span class="title">{s.title.clone()}</span>
                                <span class="meta">{s.detail.clone().unwrap_or_default()}</span>
                                {(s.assignee.is_some() && s.assignee == me()).then(|| view! { <span class="badge mine">"Yours"</span> })}
                                {s.conflicts.then(|| view! { <span class="badge conflict">"Needs a choice"</span> })}
                            </a>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
pub fn ActionPage() -> impl IntoView {
    let RoutedRecord {
        id,
        latest,
        failure,
    } = routed_record(
        corrective_action::read,
        "This corrective action's link is not valid.",
    );
    let action = Signal::derive(move || latest.with(|r| r.as_ref().map(|(a, _)| a.clone())));

    view! {
        <section class="page corrective-action">
            <a class="back" href="/actions">"← Corrective actions"</a>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || latest.with(Option::is_none).then(|| view! { <p class="loading">"Loading…"</p> })}
            {move || action.get().map(|a| view! { <ActionHead action=a/> })}
            {move || id.get().map(|id| view! { <CorrectiveActionButtons id=id record=latest.into()/> })}
            {move || action.get().map(|a| view! { <ActionWork standing=a.derived().standing/> })}
        </section>
    }
}

/// Title, status, owner, due date, the findings and the description.
#[component]
fn ActionHead(action: CorrectiveAction) -> impl IntoView {
    let standing = action.derived().standing;
    let owner = action.owner.clone();
    let due = action
        .due
        .as_ref()
        .map(|d| d.value.to_string())
        .unwrap_or_else(|| "Not set".to_owned());
    view! {
        <header class="record-head">
            <h1>{action.title.clone()}</h1>
        </header>
        <section aria-label="Corrective action summary">
            <dl class="facts">
                <dt>"Status"</dt>
                <dd class="status">{action.status().label()}</dd>
                <dt>"Owner"</dt>
                <dd>{owner.value.name.clone()}
                    {owner.is_conflict().then(|| view! {
                        <span class="badge conflict">
                            {format!("Also set to: {}", owner.others.iter().map(|o| o.name.clone()).collect::<Vec<_>>().join(", "))}
                        </span>
                    })}
                </dd>
                <dt>"Due"</dt>
                <dd>{due}</dd>
                <dt>"Findings"</dt>
                <dd>{standing.findings.iter().enumerate().map(|(i, f)| view! {
                    <a href=format!("/findings/{f}")>{format!("Finding {}", i + 1)}</a>" "
                }).collect_view()}</dd>
                {standing.cancelled_because.clone().map(|r| view! { <dt>"Cancelled because"</dt><dd>{r}</dd> })}
            </dl>
            {(!action.description.trim().is_empty()).then(|| view! {
                <p class="description">{action.description.clone()}</p>
            })}
        </section>
    }
}

/// The steps, the implementation and the effectiveness check.
#[component]
fn ActionWork(standing: Standing) -> impl IntoView {
    let steps = standing.steps.clone();
    let implementation = standing.implementation.clone();
    let check = standing.check.clone();
    view! {
        <section class="details steps" aria-labelledby="steps-heading">
            <h2 id="steps-heading">"Steps"</h2>
            {if steps.is_empty() {
                view! { <p class="empty">"No steps yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="step-list">
                        {steps.into_iter().map(|step| view! {
                            <li class=if step.done.is_some() { "step done" } else { "step" }>
                                {step.done.is_some().then(|| view! { <span class="visually-hidden">"Done: "</span> })}
                                <p class="step-text">{step.text}</p>
                                {match step.done.clone() {
                                    Some(done) => view! {
                                        <p class="meta">{format!("Done by {} · {}", done.by.name, device_time(done.at_ms))}</p>
                                        <EvidenceItems evidence=done.evidence/>
                                    }.into_any(),
                                    None => view! { <p class="meta">"Not done yet"</p> }.into_any(),
                                }}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
        <section class="details" aria-labelledby="implementation-heading">
            <h2 id="implementation-heading">"Implementation"</h2>
            {match implementation {
                Some(done) => view! {
                    <p class="meta">{format!("Implemented by {} · {}", done.by.name, device_time(done.at_ms))}</p>
                    <EvidenceItems evidence=done.evidence/>
                }.into_any(),
                None => view! { <p class="empty">"Not implemented yet."</p> }.into_any(),
            }}
        </section>
        <section class="details" aria-labelledby="check-heading">
            <h2 id="check-heading">"Effectiveness check"</h2>
            {match check {
                Some(check) => view! {
                    <dl class="facts">
                        <dt>"Criteria"</dt><dd>{check.criteria}</dd>
                        <dt>"Due"</dt><dd>{check.due.to_string()}</dd>
                        <dt>"Result"</dt>
                        <dd>{match &check.outcome {
                            Some((by, at, result)) => format!("{} — {} · {}", match result {
                                CheckResult::Effective => "Effective",
                                CheckResult::NotEffective => "Not effective",
                            }, by.name, device_time(*at)),
                            None => "Not checked yet".to_owned(),
                        }}</dd>
                        {(!check.notes.is_empty()).then(|| view! { <dt>"Notes"</dt><dd>{check.notes.clone()}</dd> })}
                    </dl>
                    {check.outcome.is_some().then(|| view! { <EvidenceItems evidence=check.evidence.clone()/> })}
                }.into_any(),
                None => view! { <p class="empty">"Not planned yet."</p> }.into_any(),
            }}
        </section>
    }
}
