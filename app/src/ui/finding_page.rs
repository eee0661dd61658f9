//! One finding: its classification (with a choice when two were set at once),
//! status, clauses, owner, the statement (requirement → objective evidence →
//! gap, editable), the corrective actions and verification, the objective
//! evidence (photos shown, a link back to the checklist answer it came from,
//! "Add photo"), and the next actions from core as large buttons.
//! Also the list of the site's findings.

use fieldbook_core::doc::finding::{self, Edit};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::RecordKind;
use fieldbook_core::model::finding::{Finding, Statement};
use leptos::prelude::*;

use super::evidence::EvidenceItems;
use super::finding_actions::FindingActions;
use super::finding_corrective::FindingCorrectiveActions;
use super::photos::AddPhoto;
use super::repo;
use super::routed_record::{routed_record, RoutedRecord};
use super::wording::sentence;
use crate::blobs::PhotoFor;
use crate::repo::Signals;

#[component]
pub fn FindingList() -> impl IntoView {
    let signals = expect_context::<Signals>();
    let findings = move || {
        let mut rows: Vec<_> = signals
            .summaries
            .get()
            .into_iter()
            .filter(|s| s.kind == RecordKind::Finding.as_str())
            .collect();
        rows.sort_by_key(|s| std::cmp::Reverse(s.created_at_ms));
        rows
    };
    view! {
        <section class="page findings">
            <h1>"Findings"</h1>
            <Show
                when=move || !findings().is_empty()
                fallback=|| view! { <p class="empty">"No findings on this device yet. Raise one from a flagged checklist answer."</p> }
            >
                <ul class="cards" aria-label="Findings">
                    <For each=findings key=|s| (s.id.clone(), s.title.clone(), s.status.clone(), s.detail.clone(), s.conflicts) let:s>
                        <li class="card">
                            <a href=format!("/findings/{}", s.id)>
                                <span class="badge run-status">{s.status.clone()}</span>
                                <span class="title">{s.title.clone()}</span>
                                <span class="meta">{s.detail.clone().unwrap_or_default()}</span>
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
pub fn FindingPage() -> impl IntoView {
    let RoutedRecord {
        id,
        latest,
        failure,
    } = routed_record(finding::read, "This finding's link is not valid.");
    let finding = Signal::derive(move || latest.with(|r| r.as_ref().map(|(f, _)| f.clone())));

    view! {
        <section class="page finding">
            <a class="back" href="/findings">"← Findings"</a>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || latest.with(Option::is_none).then(|| view! { <p class="loading">"Loading…"</p> })}
            {move || finding.get().map(|f| view! { <FindingHead finding=f/> })}
            {move || id.get().map(|id| view! { <FindingActions id=id record=latest.into()/> })}
            {move || id.get().map(|id| view! { <StatementForm id=id finding=finding/> })}
            {move || id.get().map(|id| view! { <FindingCorrectiveActions id=id finding=finding/> })}
            {move || id.get().zip(finding.get()).map(|(id, f)| view! { <EvidenceList id=id finding=f/> })}
        </section>
    }
}

/// Classification, status, clauses, owner and due date.
#[component]
fn FindingHead(finding: Finding) -> impl IntoView {
    let classification = finding.classification.clone();
    let clauses = finding
        .clauses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let owner = finding
        .owner
        .as_ref()
        .map(|o| o.value.name.clone())
        .unwrap_or_else(|| "No owner yet".to_owned());
    let due = finding
        .response_due
        .as_ref()
        .map(|d| d.value.to_string())
        .unwrap_or_else(|| "Not set".to_owned());
    let source = finding.source.clone();
    view! {
        <header class="record-head">
            <h1>{classification.value.label()}</h1>
        </header>
        <section aria-label="Finding summary">
            <dl class="facts">
                <dt>"Classification"</dt>
                <dd>{classification.value.label()}
                    {classification.is_conflict().then(|| view! {
                        <span class="badge conflict">
                            {format!("Also set to: {}", classification.others.iter().map(|c| c.label()).collect::<Vec<_>>().join(", "))}
                        </span>
                    })}
                </dd>
                <dt>"Status"</dt>
                <dd class="status">{finding.status().label()}</dd>
                <dt>"Clauses"</dt>
                <dd>{if clauses.is_empty() { "None yet".to_owned() } else { clauses }}</dd>
                <dt>"Owner"</dt>
                <dd>{owner}</dd>
                <dt>"Response due"</dt>
                <dd>{due}</dd>
                {source.map(|s| view! {
                    <dt>"Raised from"</dt>
                    <dd><a href=format!("/runs/{}", s.run)>{format!("Checklist answer {}", s.item)}</a></dd>
                })}
            </dl>
        </section>
    }
}

/// The statement's three parts, editable; saved as one action.
#[component]
fn StatementForm(id: DocumentId, finding: Signal<Option<Finding>>) -> impl IntoView {
    let draft = RwSignal::new(Statement::default());
    let baseline = RwSignal::new(Statement::default());
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(current) = finding.with(|f| f.as_ref().map(|f| f.statement.clone())) {
            if draft.get_untracked() == baseline.get_untracked() {
                draft.set(current.clone());
            }
            baseline.set(current);
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repo) = repo() else { return };
        let (now, was) = (draft.get_untracked(), baseline.get_untracked());
        let mut edits = Vec::new();
        if now.requirement != was.requirement {
            edits.push(Edit::Requirement(now.requirement.clone()));
        }
        if now.evidence != was.evidence {
            edits.push(Edit::Observed(now.evidence.clone()));
        }
        if now.gap != was.gap {
            edits.push(Edit::Gap(now.gap.clone()));
        }
        if edits.is_empty() {
            message.set(Some("Nothing to save".to_owned()));
            return;
        }
        message.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.edit_finding(id, edits).await {
                Ok(()) => {
                    baseline.set(now);
                    message.set(Some("Saved on this device".to_owned()));
                }
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
        });
    };
    view! {
        <section class="details" aria-label="Statement">
            <h2>"Statement"</h2>
            <form class="form" on:submit=save>
                <label for="finding-requirement">"Requirement (what should be so)"</label>
                <textarea id="finding-requirement" rows="3"
                    prop:value=move || draft.get().requirement
                    on:input=move |ev| draft.update(|d| d.requirement = event_target_value(&ev))></textarea>
                <label for="finding-observed">"Objective evidence (what was seen or heard)"</label>
                <textarea id="finding-observed" rows="4"
                    prop:value=move || draft.get().evidence
                    on:input=move |ev| draft.update(|d| d.evidence = event_target_value(&ev))></textarea>
                <label for="finding-gap">"Gap (where the two differ)"</label>
                <textarea id="finding-gap" rows="3"
                    prop:value=move || draft.get().gap
                    on:input=move |ev| draft.update(|d| d.gap = event_target_value(&ev))></textarea>
                <div class="actions">
                    <button type="submit" class="button big primary">"Save statement"</button>
                </div>
                {move || message.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
        </section>
    }
}

/// The objective evidence, oldest first (photos shown; a checklist answer
/// links to its run), and "Add photo" while the finding is open.
#[component]
fn EvidenceList(id: DocumentId, finding: Finding) -> impl IntoView {
    let caption = RwSignal::new(String::new());
    let open = finding.derived().standing.is_open();
    view! {
        <section class="details evidence" aria-label="Evidence">
            <h2>"Evidence"</h2>
            <EvidenceItems evidence=finding.evidence/>
            {open.then(|| view! {
                <div class="photo-add">
                    <label for="finding-photo-caption">"Caption for the next photo (optional)"</label>
                    <input id="finding-photo-caption" type="text" maxlength="200"
                        prop:value=move || caption.get()
                        on:input=move |ev| caption.set(event_target_value(&ev))/>
                    <AddPhoto input_id="finding-photo" target=PhotoFor::Finding(id) caption=caption/>
                </div>
            })}
        </section>
    }
}
