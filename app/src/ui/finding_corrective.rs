//! A finding's corrective actions and verification: the linked actions (title,
//! status, owner, due date), "Add corrective action" (title, steps, an owner
//! picked from the people of the user's sites, a due date), and the
//! verification that stands (who, when, result, evidence).

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::finding::{Finding, VerificationResult};
use leptos::prelude::*;

use super::evidence::EvidenceItems;
use super::people::{person_ref, PersonPicker};
use super::repo;
use super::wording::{device_time, sentence};
use crate::repo::{ActionDraft, Signals};

/// One linked action as the finding page lists it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: String,
    /// `None` while its document has not reached this device.
    shown: Option<(String, String, String, String)>,
}

#[component]
pub fn FindingCorrectiveActions(
    /// The finding's document.
    id: DocumentId,
    /// The finding as last read.
    finding: Signal<Option<Finding>>,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let rows = LocalResource::new(move || {
        signals.revision.track();
        let found = finding.get();
        async move {
            let (Some(found), Some(repo)) = (found, repo()) else {
                return Vec::new();
            };
            repo.actions_of(&found)
                .await
                .into_iter()
                .map(|read| match read {
                    Ok((id, a)) => Row {
                        id: id.to_string(),
                        shown: Some((
                            a.title.clone(),
                            a.status().label().to_owned(),
                            a.owner.value.name.clone(),
                            a.due
                                .as_ref()
                                .map(|d| d.value.to_string())
                                .unwrap_or_default(),
                        )),
                    },
                    Err(id) => Row { id, shown: None },
                })
                .collect::<Vec<_>>()
        }
    });
    let may_add = move || {
        finding.with(|f| {
            f.as_ref().is_some_and(|f| {
                let s = f.derived().standing;
                s.is_open() && s.is_nonconformity()
            })
        })
    };
    let adding = RwSignal::new(false);
    view! {
        <section class="details corrective-actions" aria-labelledby="ca-heading">
            <h2 id="ca-heading">"Corrective actions"</h2>
            {move || {
                let rows = rows.get().unwrap_or_default();
                if rows.is_empty() {
                    return view! { <p class="empty">"No corrective actions yet."</p> }.into_any();
                }
                view! {
                    <ul class="cards" aria-label="Corrective actions of this finding">
                        {rows.into_iter().map(|row| match row.shown {
                            Some((title, status, owner, due)) => view! {
                                <li class="card">
                                    <a href=format!("/actions/{}", row.id)>
                                        <span class="badge run-status">{status}</span>
                                        <span class="title">{title}</span>
                                        <span class="meta">{if due.is_empty() { format!("Owner {owner}") } else { format!("Owner {owner} · due {due}") }}</span>
                                    </a>
                                </li>
                            }.into_any(),
                            None => view! {
                                <li class="card"><span class="meta">"A corrective action not on this device yet; it appears when this device is online."</span></li>
                            }.into_any(),
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {move || (may_add() && !adding.get()).then(|| view! {
                <button type="button" class="button big primary" on:click=move |_| adding.set(true)>"Add corrective action"</button>
            })}
            {move || adding.get().then(|| {
                let site = finding.with_untracked(|f| f.as_ref().map(|f| f.site.clone()));
                view! { <ProposeForm id=id adding=adding site=site/> }
            })}
            {move || finding.get().and_then(|f| f.derived().standing.verification).map(|v| view! {
                <h3>"Verification"</h3>
                <p class="meta">{format!(
                    "{} by {} · {}",
                    match v.result {
                        VerificationResult::Effective => "Effective",
                        VerificationResult::NotEffective => "Not effective",
                    },
                    v.verifier.name,
                    device_time(v.at_ms),
                )}</p>
                {(!v.notes.is_empty()).then(|| view! { <p>{v.notes.clone()}</p> })}
                <EvidenceItems evidence=v.evidence/>
            })}
        </section>
    }
}

/// The form that proposes a corrective action for the finding.
#[component]
fn ProposeForm(
    id: DocumentId,
    adding: RwSignal<bool>,
    /// The finding's site: the action's owner is picked from its people.
    site: Option<String>,
) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let steps = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(repo) = repo() else { return };
        let Some(owner) = person_ref(&signals, &owner.get_untracked()) else {
            error.set(Some("Choose the person who owns the action.".to_owned()));
            return;
        };
        let due = match due.get_untracked().trim() {
            "" => None,
            text => match text.parse() {
                Ok(date) => Some(date),
                Err(_) => {
                    error.set(Some("Choose the date the action is due.".to_owned()));
                    return;
                }
            },
        };
        let draft = ActionDraft {
            title: title.get_untracked(),
            description: description.get_untracked(),
            steps: steps.get_untracked().lines().map(str::to_owned).collect(),
            owner,
            due,
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.propose_action(id, draft).await {
                Ok(_) => adding.set(false),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="action-form" aria-label="Add corrective action" novalidate on:submit=submit>
            <h3>"Add corrective action"</h3>
            <label for="ca-title">"Title"</label>
            <input id="ca-title" type="text" prop:value=move || title.get()
                on:input=move |ev| title.set(event_target_value(&ev))/>
            <label for="ca-description">"What will be done, and why"</label>
            <textarea id="ca-description" rows="3" prop:value=move || description.get()
                on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <label for="ca-steps">"Steps (one per line)"</label>
            <textarea id="ca-steps" rows="4" prop:value=move || steps.get()
                on:input=move |ev| steps.set(event_target_value(&ev))></textarea>
            <PersonPicker input_id="ca-owner" label="Owner" chosen=owner site=site/>
            <label for="ca-due">"Due"</label>
            <input id="ca-due" type="date" prop:value=move || due.get()
                on:input=move |ev| due.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="form-buttons">
                <button type="button" class="button" on:click=move |_| adding.set(false)>"Back"</button>
                <button type="submit" class="button primary" disabled=move || busy.get()>"Add corrective action"</button>
            </div>
        </form>
    }
}
