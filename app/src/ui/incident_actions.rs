//! The big buttons: what a technician can do next, each opening inline what it
//! needs (a group, a reason, a resolution). Which actions exist, and whether the
//! filled-in one is allowed, is core's decision (`next_actions`,
//! `doc::incident::perform`); a refusal is shown in core's words.

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{Person, Role};
use fieldbook_core::model::action::{next_actions, Action, Command, LifecyclePolicy};
use fieldbook_core::model::event::HoldReason;
use fieldbook_core::model::incident::TicketKind;
use fieldbook_core::model::sla::SlaPolicy;
use leptos::prelude::*;
use std::collections::BTreeSet;

use super::repo;
use super::wording::{resolution_choices, sentence};
use crate::repo::{IncidentRecord, Signals};

/// What the person types into the open action's form (one field per input).
#[derive(Clone, Copy)]
struct Inputs {
    group: RwSignal<String>,
    assignee: RwSignal<String>,
    hold: RwSignal<String>,
    code: RwSignal<String>,
    notes: RwSignal<String>,
    reason: RwSignal<String>,
    confirmed_by: RwSignal<String>,
}

/// The next actions of an incident as large buttons, and the form of the one opened.
#[component]
pub fn NextActions(
    /// The incident's document.
    id: Signal<Option<DocumentId>>,
    /// The incident as last read from the device.
    record: Signal<Option<IncidentRecord>>,
    /// Device time, milliseconds (decides whether auto-close is offered).
    now_ms: Signal<i64>,
) -> impl IntoView {
    let open = RwSignal::new(None::<Action>);
    let inputs = Inputs::new();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let signals = expect_context::<Signals>();
    // Approvals are offered to managers and admins only (core's `offered_to`);
    // a device that does not know who is signed in offers what a technician gets.
    let role = Memo::new(move |_| {
        signals
            .profile
            .with(|p| p.as_ref().and_then(|p| p.user.role.parse::<Role>().ok()))
            .unwrap_or(Role::Technician)
    });
    // The hold reasons that pause the clocks, by the incident's own policy.
    let pausing = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .map(|r| r.incident.levels().policy.pause_on)
                .unwrap_or_else(|| SlaPolicy::standard().pause_on)
        })
    });
    let kind = Memo::new(move |_| {
        record.with(|r| r.as_ref().map(|r| r.incident.kind).unwrap_or_default())
    });
    let actions = Memo::new(move |_| {
        let now_ms = now_ms.get();
        let role = role.get();
        record.with(|r| {
            r.as_ref()
                .map(|r| next_actions(&r.incident.events, &LifecyclePolicy::standard(), now_ms))
                .unwrap_or_default()
                .into_iter()
                .filter(|a| on_a_button(*a) && a.offered_to(role))
                .collect::<Vec<_>>()
        })
    });
    let who = move || repo().and_then(|repo| repo.person().ok());

    let run = move |command: Command| {
        let (Some(id), Some(repo)) = (id.get_untracked(), repo()) else {
            return;
        };
        let action = command.action();
        busy.set(true);
        error.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            match repo.perform(id, command).await {
                Ok(()) => {
                    open.set(None);
                    inputs.clear();
                    done.set(Some(format!(
                        "{} — recorded on this device",
                        button_label(action, kind.get_untracked())
                    )));
                }
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };

    let press = move |action: Action| {
        error.set(None);
        done.set(None);
        match action {
            Action::StartWork => run(Command::StartWork),
            Action::Resume => run(Command::Resume),
            Action::Approve => match inputs.command(action, who().as_ref()) {
                Ok(command) => run(command),
                Err(message) => error.set(Some(message)),
            },
            _ => {
                inputs.clear();
                if action == Action::Assign {
                    // Reassigning usually stays within the group.
                    let group = record.with_untracked(|r| {
                        r.as_ref()
                            .and_then(|r| r.incident.derived().standing.assignment)
                            .map(|a| a.group)
                    });
                    inputs.group.set(group.unwrap_or_default());
                }
                open.set(Some(action));
            }
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(action) = open.get_untracked() else {
            return;
        };
        match inputs.command(action, who().as_ref()) {
            Ok(command) => run(command),
            Err(message) => error.set(Some(message)),
        }
    };

    view! {
        <section class="next-actions" aria-label="Next actions">
            {move || match open.get() {
                None => view! {
                    <div class="action-buttons">
                        {move || actions.get().into_iter().enumerate().map(|(i, action)| view! {
                            <button type="button"
                                class=button_class(i, action)
                                disabled=move || busy.get()
                                on:click=move |_| press(action)>
                                {move || button_label(action, kind.get())}
                            </button>
                        }).collect_view()}
                    </div>
                }.into_any(),
                Some(action) => view! {
                    <form class="action-form" aria-label=button_label(action, kind.get_untracked()) novalidate on:submit=submit>
                        <h2>{button_label(action, kind.get_untracked())}</h2>
                        {fields(action, inputs, pausing.get_untracked())}
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="form-buttons">
                            <button type="button" class="button"
                                on:click=move |_| { open.set(None); error.set(None); }>
                                "Back"
                            </button>
                            <button type="submit" class="button primary" disabled=move || busy.get()>
                                {submit_label(action, kind.get_untracked())}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
            {move || (open.get().is_none()).then(|| error.get()).flatten()
                .map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
        </section>
    }
}

/// Actions that get a button here. Notes, priority and conflict review have
/// their own places on the page.
fn on_a_button(action: Action) -> bool {
    !matches!(
        action,
        Action::AddNote | Action::ChangePriority | Action::Reconcile
    )
}

/// The button's words: core's, except where a word alone would mislead on a page
/// that also has form buttons ("Cancel").
fn button_label(action: Action, kind: TicketKind) -> &'static str {
    match (action, kind) {
        (Action::Cancel, TicketKind::Incident) => "Cancel incident",
        (Action::Cancel, TicketKind::ServiceRequest) => "Cancel request",
        (Action::Approve, _) => "Approve request",
        (Action::RefuseApproval, _) => "Refuse request",
        (other, _) => other.label(),
    }
}

fn submit_label(action: Action, kind: TicketKind) -> &'static str {
    match (action, kind) {
        (Action::Close, TicketKind::Incident) => "Close incident",
        (Action::Close, TicketKind::ServiceRequest) => "Close request",
        (Action::ReviewMajor, _) => "Record review",
        (other, _) => button_label(other, kind),
    }
}

/// The first action (the most likely) stands out; cancelling looks like a risk.
fn button_class(index: usize, action: Action) -> &'static str {
    match (index, action) {
        (_, Action::Cancel | Action::RefuseApproval) => "button big danger",
        (0, _) => "button big primary",
        _ => "button big",
    }
}

/// The inputs an action needs. Required ones are marked, not enforced by the
/// browser: core refuses what is missing, in words the person sees.
fn fields(action: Action, inputs: Inputs, pausing: BTreeSet<HoldReason>) -> AnyView {
    match action {
        Action::Assign => view! {
            {text_input("action-group", "Group", true, inputs.group)}
            {text_input("action-assignee", "Assignee", false, inputs.assignee)}
        }
        .into_any(),
        Action::Hold => {
            view! {
                <label for="action-hold">"Waiting for"</label>
                <select id="action-hold"
                    prop:value=move || inputs.hold.get()
                    on:change=move |ev| inputs.hold.set(event_target_value(&ev))>
                    {HoldReason::ALL.into_iter().map(|reason| {
                        let note = if pausing.contains(&reason) { " (SLA clocks pause)" } else { "" };
                        view! { <option value=reason.as_str()>{format!("{}{note}", reason.label())}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        Action::Resolve => view! {
            <label for="action-code">"Resolution code" " " <span class="req">"required"</span></label>
            <select id="action-code" aria-required="true"
                prop:value=move || inputs.code.get()
                on:change=move |ev| inputs.code.set(event_target_value(&ev))>
                <option value="">"Choose a code"</option>
                {resolution_choices().into_iter().map(|(code, words)| view! {
                    <option value=code>{words}</option>
                }).collect_view()}
            </select>
            {text_area("action-notes", "Resolution notes", true, inputs.notes)}
        }
        .into_any(),
        Action::Close => {
            text_input("action-confirmed", "Confirmed by (usually the caller)", true, inputs.confirmed_by)
                .into_any()
        }
        Action::AutoClose => view! {
            <p>"The caller has not confirmed the resolution, and the time to wait for them has passed."</p>
        }
        .into_any(),
        Action::ReviewMajor => text_area("action-review", "Review notes", true, inputs.notes).into_any(),
        Action::Reopen | Action::Cancel | Action::DeclareMajor | Action::RefuseApproval => {
            text_area("action-reason", "Reason", true, inputs.reason).into_any()
        }
        Action::StartWork
        | Action::Resume
        | Action::ChangePriority
        | Action::AddNote
        | Action::Reconcile
        | Action::RequestApproval
        | Action::Approve => ().into_any(),
    }
}

fn text_input(
    id: &'static str,
    label: &'static str,
    required: bool,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}{required.then(|| view! { " " <span class="req">"required"</span> })}</label>
        <input id=id type="text" autocomplete="off"
            aria-required=required.to_string()
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

fn text_area(
    id: &'static str,
    label: &'static str,
    required: bool,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}{required.then(|| view! { " " <span class="req">"required"</span> })}</label>
        <textarea id=id rows="4"
            aria-required=required.to_string()
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))></textarea>
    }
}

impl Inputs {
    fn new() -> Inputs {
        Inputs {
            group: RwSignal::new(String::new()),
            assignee: RwSignal::new(String::new()),
            hold: RwSignal::new(HoldReason::AwaitingCaller.as_str().to_owned()),
            code: RwSignal::new(String::new()),
            notes: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            confirmed_by: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        for field in [
            self.group,
            self.assignee,
            self.code,
            self.notes,
            self.reason,
            self.confirmed_by,
        ] {
            field.set(String::new());
        }
        self.hold
            .set(HoldReason::AwaitingCaller.as_str().to_owned());
    }

    /// The command the form describes, by `who` (the signed-in person, whose
    /// name and role an approval records). Only the hold reason is parsed here;
    /// everything else is core's to accept or refuse.
    fn command(&self, action: Action, who: Option<&Person>) -> Result<Command, String> {
        let approver = || {
            who.map(|p| (p.name.clone(), p.role))
                .ok_or_else(|| "Sign in first: an approval records who gave it.".to_owned())
        };
        let text = |field: RwSignal<String>| field.get_untracked();
        Ok(match action {
            Action::Assign => Command::Assign {
                group: text(self.group),
                assignee: Some(text(self.assignee)),
            },
            Action::StartWork => Command::StartWork,
            Action::Hold => Command::Hold(
                HoldReason::parse(&text(self.hold))
                    .ok_or_else(|| "Choose what the work is waiting for.".to_owned())?,
            ),
            Action::Resume => Command::Resume,
            Action::Resolve => Command::Resolve {
                code: text(self.code),
                notes: text(self.notes),
            },
            Action::Close => Command::Close {
                confirmed_by: text(self.confirmed_by),
            },
            Action::AutoClose => Command::auto_close(&LifecyclePolicy::standard()),
            Action::Reopen => Command::Reopen {
                reason: text(self.reason),
            },
            Action::Cancel => Command::Cancel {
                reason: text(self.reason),
            },
            Action::DeclareMajor => Command::DeclareMajor {
                reason: text(self.reason),
            },
            Action::ReviewMajor => Command::ReviewMajor {
                notes: text(self.notes),
            },
            Action::Approve => {
                let (by, role) = approver()?;
                Command::Approve { by, role }
            }
            Action::RefuseApproval => {
                let (by, role) = approver()?;
                Command::RefuseApproval {
                    by,
                    role,
                    reason: text(self.reason),
                }
            }
            Action::ChangePriority
            | Action::AddNote
            | Action::Reconcile
            | Action::RequestApproval => {
                return Err("This is done elsewhere on the page.".to_owned())
            }
        })
    }
}
