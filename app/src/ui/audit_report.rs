//! The audit report as a printable page: scope, criteria, clauses, team with
//! independence, dates, the summary and conclusion (as issued, or the draft
//! marked as not issued), each run's score, and every finding with its
//! classification, clauses, statement, evidence (photos through `Photo`) and
//! status. `style/report.css` prints it clean: the browser's "Save as PDF"
//! leaves out navigation, the status strip, buttons and banners.

use fieldbook_core::model::evidence::Evidence;
use fieldbook_core::model::finding::Finding;
use leptos::prelude::*;

use super::audit_page::{use_audit, RoutedAudit};
use super::photos::Photo;
use super::run_page::score_words;
use super::wording::device_time;
use crate::repo::AuditRecord;

#[component]
pub fn AuditReport() -> impl IntoView {
    let RoutedAudit {
        id,
        latest,
        failure,
    } = use_audit();
    let print = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <section class="page report">
            <div class="report-tools no-print">
                {move || id.get().map(|id| view! { <a class="back" href=format!("/audits/{id}")>"← Audit"</a> })}
                <button type="button" class="button big primary" on:click=print>"Print report"</button>
            </div>
            {move || failure.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || latest.with(Option::is_none).then(|| view! { <p class="loading">"Loading…"</p> })}
            {move || latest.get().map(|r| view! { <ReportBody record=r/> })}
        </section>
    }
}

#[component]
fn ReportBody(record: AuditRecord) -> impl IntoView {
    let audit = &record.audit;
    let derived = audit.derived();
    let standing = derived.standing;
    let issued = standing.report.clone();
    let (summary, conclusion, distribution) = match &issued {
        Some(r) => (
            r.summary.clone(),
            r.conclusion.clone(),
            r.distribution.clone(),
        ),
        None => (
            audit.report.summary.clone(),
            audit.report.conclusion.clone(),
            audit.report.distribution.clone(),
        ),
    };
    let clauses = audit
        .clauses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let team: Vec<(String, &'static str, String)> = standing
        .lead
        .iter()
        .map(|m| (m, "Lead auditor"))
        .chain(standing.auditors.iter().map(|m| (m, "Auditor")))
        .map(|(m, role)| {
            let independence = match &m.independence {
                Some(d) => format!("independence declared {}", device_time(d.at_ms)),
                None => "independence not declared".to_owned(),
            };
            (m.who.name.clone(), role, independence)
        })
        .collect();
    let runs: Vec<(String, String, String)> = record
        .runs
        .iter()
        .map(|(_, run)| {
            let progress = run.progress();
            let frozen = run.derived().standing.submission.is_some();
            (
                run.template.title().to_owned(),
                format!(
                    "{} · {} of {} answered",
                    run.status().label(),
                    progress.answered,
                    progress.answerable
                ),
                score_words(&run.score(), run.template.pass_mark(), frozen),
            )
        })
        .collect();
    let findings = record.findings.clone();
    view! {
        <article class="report-doc" aria-label="Audit report">
            <header>
                <p class="report-kind">"Internal audit report · ISO/IEC 20000-1:2018 clause 9.2"</p>
                <h1>{audit.title.clone()}</h1>
                {match &issued {
                    Some(r) => view! {
                        <p class="report-state">{format!("Issued {} by {}", device_time(r.issued_at_ms), r.issued_by.name)}</p>
                    }.into_any(),
                    None => view! {
                        <p class="report-state draft">{format!("Draft, not issued · audit status: {}", standing.status.label())}</p>
                    }.into_any(),
                }}
            </header>
            <section class="report-part" aria-label="Scope and criteria">
                <h2>"Scope and criteria"</h2>
                <dl class="facts">
                    <dt>"Scope"</dt><dd>{audit.scope.clone()}</dd>
                    <dt>"Criteria"</dt><dd>{audit.criteria.clone()}</dd>
                    <dt>"Clauses"</dt><dd>{if clauses.is_empty() { "None named".to_owned() } else { clauses }}</dd>
                    <dt>"Site"</dt><dd>{audit.sites.join(", ")}</dd>
                    <dt>"Planned for"</dt><dd>{audit.planned_for.map(|d| d.to_string()).unwrap_or_else(|| "Not set".to_owned())}</dd>
                    <dt>"Planned on"</dt><dd>{device_time(audit.created_at_ms)}</dd>
                    <dt>"Auditees"</dt><dd>{if audit.auditees.is_empty() { "None named".to_owned() } else { audit.auditees.join(", ") }}</dd>
                </dl>
            </section>
            <section class="report-part" aria-label="Team">
                <h2>"Team"</h2>
                <ul class="plain">
                    {team.into_iter().map(|(name, role, independence)| view! {
                        <li><strong>{name}</strong>{format!(" — {role}, {independence}")}</li>
                    }).collect_view()}
                </ul>
            </section>
            <section class="report-part" aria-label="Summary and conclusion">
                <h2>"Summary"</h2>
                <p class="prose">{if summary.trim().is_empty() { "Not written yet.".to_owned() } else { summary }}</p>
                <h2>"Conclusion"</h2>
                <p class="prose">{if conclusion.trim().is_empty() { "Not written yet.".to_owned() } else { conclusion }}</p>
                {(!distribution.is_empty()).then(|| view! {
                    <p><strong>"Distribution: "</strong>{distribution.join(", ")}</p>
                })}
            </section>
            <section class="report-part" aria-label="Checklist scores">
                <h2>"Checklist runs"</h2>
                {if runs.is_empty() {
                    view! { <p>"No checklist runs."</p> }.into_any()
                } else {
                    view! {
                        <table class="scores">
                            <thead><tr><th scope="col">"Checklist"</th><th scope="col">"Status"</th><th scope="col">"Score"</th></tr></thead>
                            <tbody>
                                {runs.into_iter().map(|(title, state, score)| view! {
                                    <tr><td>{title}</td><td>{state}</td><td>{score}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class="report-part" aria-label="Report findings">
                <h2>{format!("Findings ({})", findings.len())}</h2>
                {if findings.is_empty() {
                    view! { <p>"No findings."</p> }.into_any()
                } else {
                    findings.into_iter().enumerate().map(|(i, (_, f))| view! { <ReportFinding number=i + 1 finding=f/> }).collect_view().into_any()
                }}
            </section>
        </article>
    }
}

/// One finding as the report prints it; kept on one page where it fits.
#[component]
fn ReportFinding(number: usize, finding: Finding) -> impl IntoView {
    let clauses = finding
        .clauses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let heading = format!("{number}. {}", finding.classification.value.label());
    let s = finding.statement.clone();
    let part = |label: &'static str, text: String| {
        (!text.trim().is_empty()).then(|| view! { <dt>{label}</dt><dd class="prose">{text}</dd> })
    };
    view! {
        <article class="report-finding" aria-label=heading.clone()>
            <h3>{heading.clone()}</h3>
            <dl class="facts">
                <dt>"Clauses"</dt><dd>{if clauses.is_empty() { "None".to_owned() } else { clauses }}</dd>
                <dt>"Status"</dt><dd>{finding.status().label()}</dd>
                {part("Requirement", s.requirement)}
                {part("Objective evidence", s.evidence)}
                {part("Gap", s.gap)}
            </dl>
            {(!finding.evidence.is_empty()).then(|| view! {
                <h4>"Evidence"</h4>
                <ul class="report-evidence">
                    {finding.evidence.into_iter().map(|e| match e {
                        Evidence::Note { text } => view! { <li>{format!("Note: {text}")}</li> }.into_any(),
                        Evidence::Record { label, .. } => view! { <li>{format!("Checklist answer: {label}")}</li> }.into_any(),
                        Evidence::Photo { blob, caption } => view! {
                            <li class="report-photo">
                                <Photo blob=blob caption=caption.clone()/>
                                {(!caption.is_empty()).then(|| view! { <span class="caption">{caption.clone()}</span> })}
                            </li>
                        }.into_any(),
                    }).collect_view()}
                </ul>
            })}
        </article>
    }
}
