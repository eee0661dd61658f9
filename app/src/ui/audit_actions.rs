//! An audit's next actions from core as large buttons, with the forms some
//! need: a member's declaration of independence, an auditor to add (from the
//! site's people), the report's summary, conclusion and distribution before
//! the lead issues it. When the next step is the lead's and the person is not
//! the lead, core's refusal says so ("only the lead auditor (…) can …"), as it
//! says to the lead what fieldwork is waiting for.
//! Linking runs and findings happens by starting a run or raising a finding,
//! so those actions (and notes) are not buttons here.

use fieldbook_core::doc::audit::Edit;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Person;
use fieldbook_core::model::audit::{apply, Action, Audit, Command, Status};
use fieldbook_core::model::workflow::UserRef;
use leptos::prelude::*;

use super::repo;
use super::wording::sentence;
use crate::repo::{AuditRecord, Signals};

/// The steps that are buttons here.
fn is_button(action: Action) -> bool {
    !matches!(
        action,
        Action::LinkRun | Action::LinkFinding | Action::AddNote
    )
}

/// The command a step performs as it is, or `None` when it needs a form.
fn command(action: Action) -> Option<Command> {
    Some(match action {
        Action::StartPreparation => Command::StartPreparation,
        Action::StartFieldwork => Command::StartFieldwork,
        Action::EndFieldwork => Command::EndFieldwork,
        Action::StartFollowUp => Command::StartFollowUp,
        Action::Close => Command::Close,
        Action::Reconcile => Command::Reconcile,
        Action::IssueReport
        | Action::DeclareIndependence
        | Action::AddAuditor
        | Action::LinkRun
        | Action::LinkFinding
        | Action::AddNote => return None,
    })
}

/// Why the next step cannot be taken by this person now, in core's words: for
/// the lead, fieldwork waiting for declarations of independence; for anyone
/// else, what the lead could do now that they cannot, refused as core refuses it.
fn blocked_reasons(audit: &Audit, person: &Person) -> Vec<String> {
    let standing = audit.derived().standing;
    let Some(lead) = standing.lead.map(|l| l.who) else {
        return Vec::new();
    };
    if lead.is(person) {
        let waiting = standing.status == Status::Preparation
            && !audit.next_actions(person).contains(&Action::StartFieldwork);
        return waiting
            .then(|| apply(audit, Command::StartFieldwork, person, "", 0).err())
            .flatten()
            .map(|e| vec![sentence(&e.to_string())])
            .unwrap_or_default();
    }
    let as_lead = Person {
        user_id: lead.user_id,
        name: lead.name,
        role: person.role,
    };
    let mine = audit.next_actions(person);
    audit
        .next_actions(&as_lead)
        .into_iter()
        .filter(|a| is_button(*a) && *a != Action::Reconcile && !mine.contains(a))
        .filter_map(|a| {
            let command = command(a).or(match a {
                Action::IssueReport => Some(Command::IssueReport),
                _ => None,
            })?;
            apply(audit, command, person, "", 0)
                .err()
                .map(|e| sentence(&e.to_string()))
        })
        .collect()
}

#[component]
pub fn AuditActions(id: DocumentId, record: Signal<Option<AuditRecord>>) -> impl IntoView {
    let signals = expect_context::<Signals>();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let asking = RwSignal::new(None::<Action>);
    let statement = RwSignal::new(String::new());
    let picked = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let conclusion = RwSignal::new(String::new());
    let distribution = RwSignal::new(String::new());

    let actions = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.audit
                        .next_actions(&r.person)
                        .into_iter()
                        .filter(|a| is_button(*a))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let waiting = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| blocked_reasons(&r.audit, &r.person))
                .unwrap_or_default()
        })
    });
    // The site's people not on the team yet, to add as auditors.
    let addable = Memo::new(move |_| {
        let team: Vec<String> = record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.audit
                        .derived()
                        .standing
                        .team()
                        .map(|m| m.who.user_id.clone())
                        .collect()
                })
                .unwrap_or_default()
        });
        let site = record.with(|r| r.as_ref().and_then(|r| r.audit.sites.first().cloned()));
        signals.profile.with(|p| {
            p.as_ref()
                .and_then(|p| p.sites.iter().find(|s| Some(&s.id) == site.as_ref()))
                .map(|s| {
                    s.people
                        .iter()
                        .filter(|p| p.role == "auditor" || p.role == "admin")
                        .filter(|p| !team.contains(&p.id))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });

    let finish = move |result: Result<(), String>, label: &'static str| match result {
        Ok(()) => {
            asking.set(None);
            done.set(Some(format!(
                "{} — recorded on this device",
                sentence_case(label)
            )));
        }
        Err(e) => error.set(Some(sentence(&e))),
    };
    let perform = move |command: Command, label: &'static str| {
        let Some(repo) = repo() else { return };
        busy.set(true);
        error.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            let result = repo
                .perform_audit(id, command)
                .await
                .map_err(|e| e.to_string());
            finish(result, label);
            busy.set(false);
        });
    };
    let press = move |action: Action| {
        error.set(None);
        match command(action) {
            Some(command) => perform(command, action.label()),
            None => {
                if action == Action::IssueReport {
                    if let Some(draft) =
                        record.with_untracked(|r| r.as_ref().map(|r| r.audit.report.clone()))
                    {
                        summary.set(draft.summary);
                        conclusion.set(draft.conclusion);
                        distribution.set(draft.distribution.join("\n"));
                    }
                }
                asking.set(Some(action));
            }
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(action) = asking.get_untracked() else {
            return;
        };
        match action {
            Action::DeclareIndependence => perform(
                Command::DeclareIndependence {
                    statement: statement.get_untracked(),
                },
                action.label(),
            ),
            Action::AddAuditor => {
                let who = addable.with_untracked(|a| {
                    a.iter()
                        .find(|p| p.id == picked.get_untracked())
                        .map(|p| UserRef {
                            user_id: p.id.clone(),
                            name: p.name.clone(),
                        })
                });
                match who {
                    Some(who) => perform(Command::AddAuditor(who), action.label()),
                    None => error.set(Some("Pick the auditor to add.".to_owned())),
                }
            }
            Action::IssueReport => {
                let Some(repo) = repo() else { return };
                let edits = vec![
                    Edit::Summary(summary.get_untracked()),
                    Edit::Conclusion(conclusion.get_untracked()),
                    Edit::Distribution(
                        distribution
                            .get_untracked()
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    ),
                ];
                busy.set(true);
                error.set(None);
                leptos::task::spawn_local(async move {
                    // The draft is saved first, so nothing typed is lost if core refuses.
                    let result = match repo.edit_audit(id, edits).await {
                        Ok(()) => repo.perform_audit(id, Command::IssueReport).await,
                        Err(e) => Err(e),
                    };
                    finish(result.map_err(|e| e.to_string()), action.label());
                    busy.set(false);
                });
            }
            _ => {}
        }
    };

    view! {
        <section class="next-actions" aria-label="Next actions">
            {move || match asking.get() {
                None => view! {
                    <div class="action-buttons">
                        {move || actions.get().into_iter().enumerate().map(|(i, action)| view! {
                            <button type="button" class=if i == 0 { "button big primary" } else { "button big" }
                                disabled=move || busy.get()
                                on:click=move |_| press(action)>{sentence_case(action.label())}</button>
                        }).collect_view()}
                    </div>
                }.into_any(),
                Some(action) => view! {
                    <form class="action-form" aria-label=sentence_case(action.label()) on:submit=submit>
                        <h2>{sentence_case(action.label())}</h2>
                        {match action {
                            Action::DeclareIndependence => view! {
                                <label for="audit-statement">"Statement"</label>
                                <textarea id="audit-statement" rows="3"
                                    placeholder="I have no responsibility for, and did not do, the work audited."
                                    prop:value=move || statement.get()
                                    on:input=move |ev| statement.set(event_target_value(&ev))></textarea>
                            }.into_any(),
                            Action::AddAuditor => view! {
                                <label for="audit-add">"Auditor"</label>
                                <select id="audit-add" prop:value=move || picked.get()
                                    on:change=move |ev| picked.set(event_target_value(&ev))>
                                    <option value="">"Pick someone"</option>
                                    <For each=move || addable.get() key=|p| p.id.clone() let:p>
                                        <option value=p.id.clone()>{p.name.clone()}</option>
                                    </For>
                                </select>
                            }.into_any(),
                            _ => view! {
                                <label for="audit-summary">"Summary"</label>
                                <textarea id="audit-summary" rows="4"
                                    prop:value=move || summary.get()
                                    on:input=move |ev| summary.set(event_target_value(&ev))></textarea>
                                <label for="audit-conclusion">"Conclusion"</label>
                                <textarea id="audit-conclusion" rows="3"
                                    prop:value=move || conclusion.get()
                                    on:input=move |ev| conclusion.set(event_target_value(&ev))></textarea>
                                <label for="audit-distribution">"Distribution (one per line)"</label>
                                <textarea id="audit-distribution" rows="2"
                                    prop:value=move || distribution.get()
                                    on:input=move |ev| distribution.set(event_target_value(&ev))></textarea>
                            }.into_any(),
                        }}
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="form-buttons">
                            <button type="button" class="button" on:click=move |_| { asking.set(None); error.set(None); }>"Back"</button>
                            <button type="submit" class="button primary" disabled=move || busy.get()>{sentence_case(action.label())}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            {move || asking.with(Option::is_none).then(|| error.get()).flatten()
                .map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
            <For each=move || waiting.get() key=|w| w.clone() let:reason>
                <p class="waiting" role="note">{reason}</p>
            </For>
        </section>
    }
}

/// "issue the report" → "Issue the report".
fn sentence_case(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
