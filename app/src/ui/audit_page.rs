//! One internal audit: where it stands, its plan, the team with each member's
//! declaration of independence, core's next actions (`ui::audit_actions`),
//! "Start a run" of the site's ISO template for it, and its runs (progress,
//! score) and findings (classification, status): those its log links and those
//! that name it or came from one of its runs (core's `members`); "Export audit"
//! (`ui::audit_transfer`).

use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{may_write, RecordKind};
use fieldbook_core::model::audit::{Action, Audit, TeamMember};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::audit_actions::AuditActions;
use super::audit_transfer::ExportAudit;
use super::repo;
use super::run_page::score_words;
use super::wording::{device_time, sentence};
use crate::repo::{count, AuditRecord, Signals};

/// The audit of the route's `:id` as a page reads it.
#[derive(Clone, Copy)]
pub(super) struct RoutedAudit {
    pub id: Signal<Option<DocumentId>>,
    /// `None` until it first reads.
    pub latest: RwSignal<Option<AuditRecord>>,
    /// Why it does not read, in words.
    pub failure: RwSignal<Option<String>>,
}

/// The audit in the route's `:id`, read again whenever the device's records change.
pub(super) fn use_audit() -> RoutedAudit {
    let signals = expect_context::<Signals>();
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<DocumentId>().ok())
    });
    let loaded = LocalResource::new(move || {
        signals.revision.track();
        let id = id.get();
        async move {
            let (Some(id), Some(repo)) = (id, repo()) else {
                return Err("This audit's link is not valid.".to_owned());
            };
            repo.audit_record(id)
                .await
                .map_err(|e| sentence(&e.to_string()))
        }
    });
    let latest = RwSignal::new(None::<AuditRecord>);
    let failure = RwSignal::new(None::<String>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(record)) => {
            failure.set(None);
            latest.set(Some(record));
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    RoutedAudit {
        id,
        latest,
        failure,
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let RoutedAudit {
        id,
        latest,
        failure,
    } = use_audit();
    let record: Signal<Option<AuditRecord>> = latest.into();
    view! {
        <section class="page audit">
            <a class="back" href="/audits">"← Audits"</a>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || latest.with(Option::is_none).then(|| view! { <p class="loading">"Loading…"</p> })}
            {move || latest.get().map(|r| view! { <AuditHead audit=r.audit/> })}
            {move || id.get().map(|id| view! { <AuditActions id=id record=record/> })}
            {move || latest.get().map(|r| view! { <Team audit=r.audit/> })}
            {move || id.get().map(|id| view! { <AuditRuns id=id record=record/> })}
            {move || latest.get().map(|r| view! { <AuditFindings record=r/> })}
            {move || id.get().map(|id| view! { <ExportAudit id=id/> })}
        </section>
    }
}

/// Title, status and the plan.
#[component]
fn AuditHead(audit: Audit) -> impl IntoView {
    let derived = audit.derived();
    let clauses = audit
        .clauses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let issued = derived
        .standing
        .report
        .as_ref()
        .map(|r| device_time(r.issued_at_ms));
    view! {
        <header class="record-head">
            <h1>{audit.title.clone()}</h1>
        </header>
        {derived.needs_review.is_some().then(|| view! {
            <p class="error" role="alert">"Two devices moved this audit at once; the lead reviews the conflict below."</p>
        })}
        <section aria-label="Audit summary">
            <dl class="facts">
                <dt>"Status"</dt>
                <dd><span class="badge audit-status">{derived.standing.status.label()}</span></dd>
                <dt>"Scope"</dt>
                <dd>{audit.scope.clone()}</dd>
                <dt>"Criteria"</dt>
                <dd>{audit.criteria.clone()}</dd>
                <dt>"Clauses"</dt>
                <dd>{if clauses.is_empty() { "None named".to_owned() } else { clauses }}</dd>
                <dt>"Planned for"</dt>
                <dd>{audit.planned_for.map(|d| d.to_string()).unwrap_or_else(|| "Not set".to_owned())}</dd>
                <dt>"Site"</dt>
                <dd>{audit.sites.join(", ")}</dd>
                <dt>"Auditees"</dt>
                <dd>{if audit.auditees.is_empty() { "None named".to_owned() } else { audit.auditees.join(", ") }}</dd>
                {issued.map(|at| view! { <dt>"Issued on"</dt><dd>{at}</dd> })}
            </dl>
        </section>
    }
}

/// The lead and auditors, each with their declaration of independence.
#[component]
fn Team(audit: Audit) -> impl IntoView {
    let standing = audit.derived().standing;
    let lead = standing.lead.clone();
    let rows: Vec<(TeamMember, &'static str)> = lead
        .into_iter()
        .map(|m| (m, "Lead auditor"))
        .chain(standing.auditors.iter().cloned().map(|m| (m, "Auditor")))
        .collect();
    view! {
        <section class="details team" aria-label="Audit team">
            <h2>"Team"</h2>
            <ul class="team-list">
                {rows.into_iter().map(|(member, role)| {
                    let declared = member.independence.clone();
                    view! {
                        <li class="member">
                            <span class="title">{member.who.name.clone()}</span>
                            <span class="meta">{role}</span>
                            {match declared {
                                Some(d) => view! {
                                    <span class="independence declared">
                                        {format!("Independence declared {}: “{}”", device_time(d.at_ms), d.statement)}
                                    </span>
                                }.into_any(),
                                None => view! {
                                    <span class="independence missing">"Independence not declared yet"</span>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// "Start a run" for the audit, and its runs with progress and score.
#[component]
fn AuditRuns(id: DocumentId, record: Signal<Option<AuditRecord>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    // Core offers "link a checklist run" while the audit takes runs; a run is
    // the person's to start when they may write runs.
    let may_start = move || {
        record.with(|r| {
            r.as_ref().is_some_and(|r| {
                may_write(r.person.role, RecordKind::ChecklistRun)
                    && r.audit.next_actions(&r.person).contains(&Action::LinkRun)
            })
        })
    };
    let start = move |_| {
        let Some(repo) = repo() else { return };
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match repo.start_audit_run(id).await {
                Ok(run) => navigate(&format!("/runs/{run}"), Default::default()),
                Err(e) => error.set(Some(sentence(&e.to_string()))),
            }
            busy.set(false);
        });
    };
    let runs = move || {
        record.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.runs
                        .iter()
                        .map(|(id, run)| {
                            let progress = run.progress();
                            let frozen = run.derived().standing.submission.is_some();
                            (
                                id.to_string(),
                                run.template.title().to_owned(),
                                run.status().label(),
                                format!(
                                    "{} of {} answered · {}",
                                    progress.answered,
                                    progress.answerable,
                                    score_words(&run.score(), run.template.pass_mark(), frozen)
                                ),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="details" aria-label="Audit runs">
            <h2>"Checklist runs"</h2>
            <Show when=may_start>
                <button type="button" class="button big primary" disabled=move || busy.get() on:click=start.clone()>
                    "Start a run"
                </button>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || !runs().is_empty()
                fallback=|| view! { <p class="empty">"No runs for this audit yet."</p> }>
                <ul class="cards" aria-label="Runs of this audit">
                    <For each=runs key=|r| r.clone() let:r>
                        <li class="card">
                            <a href=format!("/runs/{}", r.0)>
                                <span class="badge run-status">{r.2}</span>
                                <span class="title">{r.1.clone()}</span>
                                <span class="meta">{r.3.clone()}</span>
                            </a>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// The audit's findings with classification and status, and a link to the report.
#[component]
fn AuditFindings(record: AuditRecord) -> impl IntoView {
    let rows: Vec<_> = record
        .findings
        .iter()
        .map(|(id, f)| {
            let clauses = f
                .clauses
                .iter()
                .map(|c| format!("clause {c}"))
                .collect::<Vec<_>>()
                .join(", ");
            (
                id.to_string(),
                f.classification.value.label(),
                f.status().label(),
                statement_line(f),
                clauses,
            )
        })
        .collect();
    let missing = record.missing;
    view! {
        <section class="details" aria-label="Audit findings">
            <h2>{format!("Findings ({})", rows.len())}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">"No findings yet. Raise one from a flagged answer in a run."</p> }.into_any()
            } else {
                view! {
                    <ul class="cards" aria-label="Findings of this audit">
                        {rows.into_iter().map(|(id, class, status, line, clauses)| view! {
                            <li class="card">
                                <a href=format!("/findings/{id}")>
                                    <span class="badge run-status">{status}</span>
                                    <span class="title">{class}</span>
                                    <span class="meta">{line}</span>
                                    <span class="meta">{clauses}</span>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(missing > 0).then(|| view! {
                <p class="hint">{format!("{} linked to this audit have not reached this device yet.", count(missing, "record"))}</p>
            })}
            <p><a class="button big" href=format!("/audits/{}/report", record.id)>"Open the report"</a></p>
        </section>
    }
}

/// The finding's statement in one line: the gap, else what was seen, else the requirement.
pub(super) fn statement_line(f: &fieldbook_core::model::finding::Finding) -> String {
    let s = &f.statement;
    [&s.gap, &s.evidence, &s.requirement]
        .into_iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .unwrap_or("No statement yet")
        .to_owned()
}
