//! Internal audits on the device: planning one (listed in its site's catalog in
//! the same saved batch), the lead's and the team's workflow steps and report
//! draft, starting a run of the site's ISO template for the audit, and reading
//! an audit with the runs and findings that are its own.
//!
//! Core checks every step (`doc::audit::perform`); a refusal comes back in its
//! words and nothing is written. A run started for an audit names the audit in
//! its own document, and the audit's log links it (as it links a finding raised
//! from one of its runs) when the person may write audits; core's
//! `model::audit::members` counts both, so a run or finding stays the audit's
//! whoever made it.

use std::rc::Rc;

use automerge::Automerge;
use fieldbook_core::doc::{audit, checklist_run, checklist_template, finding};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{may_write, Person, RecordKind};
use fieldbook_core::model::audit::{
    members, Audit, Command, FindingRef, NewAudit, RunRef, TransitionError,
};
use fieldbook_core::model::checklist::iso20000::KEY as ISO_TEMPLATE;
use fieldbook_core::model::checklist::TemplateStatus;
use fieldbook_core::model::checklist_run::Run;
use fieldbook_core::model::finding::Finding;
use fieldbook_core::model::workflow::UserRef;
use leptos::prelude::*;

use super::{ActionError, Repo};

/// An audit as its page and report show it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// The audit's document.
    pub id: DocumentId,
    pub audit: Audit,
    /// The signed-in person.
    pub person: Person,
    /// The audit's runs on this device, in the order core lists them.
    pub runs: Vec<(DocumentId, Run)>,
    /// The audit's findings on this device.
    pub findings: Vec<(DocumentId, Finding)>,
    /// Runs and findings the audit links that have not reached this device.
    pub missing: usize,
}

/// What a record is linked to an audit as.
#[derive(Debug, Clone, Copy)]
pub(super) enum LinkTo {
    Run(DocumentId),
    Finding(DocumentId),
}

impl Repo {
    /// Plans an audit at its site (the person's default site when it names
    /// none), led by whom `plan` names, and lists it in that site's catalog.
    pub async fn create_audit(self: &Rc<Self>, plan: NewAudit) -> Result<DocumentId, ActionError> {
        let person = self.person()?;
        let _op = self.ops.lock().await;
        let (site, catalog_id) = self.site_catalog(plan.sites.first().map(String::as_str))?;
        let plan = NewAudit {
            sites: vec![site],
            ..plan
        };
        self.create_listed(catalog_id, RecordKind::Audit, |doc, stamp| {
            audit::create(doc, &plan, &person, stamp)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Records a workflow step of the audit in document `id`, checked by core
    /// against its log (only the lead moves it; each member declares their own
    /// independence).
    pub async fn perform_audit(&self, id: DocumentId, command: Command) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(id, move |doc, stamp| {
            audit::perform(doc, command, &by, stamp)
                .map(|_| ())
                .map_err(refusal)
        })
        .await
    }

    /// Applies edits of an audit's plan or report draft as one saved action.
    pub async fn edit_audit(
        &self,
        id: DocumentId,
        edits: Vec<audit::Edit>,
    ) -> Result<(), ActionError> {
        self.change_incident(id, move |doc, stamp| {
            edits
                .iter()
                .try_for_each(|edit| audit::edit(doc, edit, stamp))
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Starts a run of the site's ISO/IEC 20000-1 internal audit template for
    /// the audit in document `id`, at the audit's site, and links it in the
    /// audit's log. Refused (in core's words) when the audit takes no more runs.
    pub async fn start_audit_run(
        self: &Rc<Self>,
        id: DocumentId,
    ) -> Result<DocumentId, ActionError> {
        let person = self.person()?;
        let run = {
            let _op = self.ops.lock().await;
            self.ensure_loaded(id).await?;
            let record = self.read_loaded(id, audit::read)?;
            // Core's guard for the link first (the run's id does not matter to
            // it), so an audit that takes no more runs gets no orphan run.
            fieldbook_core::model::audit::apply(
                &record,
                Command::LinkRun {
                    run: "check".into(),
                },
                &person,
                "",
                0,
            )
            .map_err(|e| ActionError::Invalid(e.to_string()))?;
            let template = self.iso_template().await.ok_or_else(|| {
                ActionError::Invalid(
                    "the ISO/IEC 20000-1 internal audit template is not on this device yet; \
                     connect once so your site's templates arrive"
                        .to_owned(),
                )
            })?;
            let site = record.sites.first().cloned();
            self.start_run_locked(template, site.as_deref(), Some(id))
                .await?
        };
        self.link_to_audit(id, LinkTo::Run(run)).await;
        Ok(run)
    }

    /// The audit in document `id` with its runs and findings on this device.
    pub async fn audit_record(&self, id: DocumentId) -> Result<AuditRecord, ActionError> {
        let person = self.person()?;
        let _op = self.ops.lock().await;
        self.ensure_loaded(id).await?;
        let audit = self.read_loaded(id, audit::read)?;
        let runs: Vec<(DocumentId, Run)> = self
            .read_all(RecordKind::ChecklistRun, checklist_run::read)
            .await;
        let findings: Vec<(DocumentId, Finding)> =
            self.read_all(RecordKind::Finding, finding::read).await;
        let keys: Vec<(String, &Run)> = runs.iter().map(|(i, r)| (i.to_string(), r)).collect();
        let run_refs: Vec<RunRef> = keys
            .iter()
            .map(|(i, r)| RunRef {
                id: i,
                audit: r.context.audit.as_deref(),
            })
            .collect();
        let finding_keys: Vec<(String, &Finding)> =
            findings.iter().map(|(i, f)| (i.to_string(), f)).collect();
        let finding_refs: Vec<FindingRef> = finding_keys
            .iter()
            .map(|(i, f)| FindingRef {
                id: i,
                audit: f.audit.as_deref(),
                run: f.source.as_ref().map(|s| s.run.as_str()),
            })
            .collect();
        let ours = members(
            &id.to_string(),
            &audit.derived().standing,
            &run_refs,
            &finding_refs,
        );
        let own_runs: Vec<(DocumentId, Run)> = ours
            .runs
            .iter()
            .filter_map(|w| runs.iter().find(|(i, _)| i.to_string() == *w).cloned())
            .collect();
        let own_findings: Vec<(DocumentId, Finding)> = ours
            .findings
            .iter()
            .filter_map(|w| findings.iter().find(|(i, _)| i.to_string() == *w).cloned())
            .collect();
        let missing = ours.runs.len() + ours.findings.len() - own_runs.len() - own_findings.len();
        Ok(AuditRecord {
            id,
            audit,
            person,
            runs: own_runs,
            findings: own_findings,
            missing,
        })
    }

    /// The lead auditor of the audit in document `id`, if it reads. The caller
    /// holds the ops lock.
    pub(super) async fn audit_lead(&self, id: DocumentId) -> Option<UserRef> {
        self.ensure_loaded(id).await.ok()?;
        let record = self.read_loaded(id, audit::read).ok()?;
        record.derived().standing.lead.map(|l| l.who)
    }

    /// Links a record to the audit in document `audit`, when the person may write
    /// audits. The record names the audit itself, so a link that cannot be made
    /// (an audit not on this device, a closed audit) loses nothing: it is logged.
    pub(super) async fn link_to_audit(&self, audit: DocumentId, link: LinkTo) {
        let Ok(person) = self.person() else { return };
        if !may_write(person.role, RecordKind::Audit) {
            return;
        }
        let command = match link {
            LinkTo::Run(run) => Command::LinkRun {
                run: run.to_string(),
            },
            LinkTo::Finding(found) => Command::LinkFinding {
                finding: found.to_string(),
            },
        };
        if let Err(e) = self.perform_audit(audit, command).await {
            leptos::logging::warn!("not linked to audit {audit} (the record names it): {e}");
        }
    }

    /// The published ISO/IEC 20000-1 internal audit template on this device,
    /// newest version first. The caller holds the ops lock.
    async fn iso_template(&self) -> Option<DocumentId> {
        let mut found: Vec<(u32, DocumentId)> = self
            .read_all(RecordKind::ChecklistTemplate, checklist_template::read)
            .await
            .into_iter()
            .filter(|(_, r)| {
                r.template.key() == ISO_TEMPLATE && r.template.status() == TemplateStatus::Published
            })
            .map(|(id, r)| (r.template.version(), id))
            .collect();
        found.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
        found.first().map(|(_, id)| *id)
    }

    /// Every record of `kind` on this device that reads with `read`. The caller
    /// holds the ops lock.
    pub(super) async fn read_all<T>(
        &self,
        kind: RecordKind,
        read: impl Fn(&Automerge) -> Result<T, fieldbook_core::doc::ReadError>,
    ) -> Vec<(DocumentId, T)> {
        let ids: Vec<DocumentId> = self
            .signals
            .summaries
            .get_untracked()
            .iter()
            .filter(|s| s.kind == kind.as_str())
            .filter_map(|s| s.id.parse().ok())
            .collect();
        let mut found = Vec::new();
        for id in ids {
            if self.ensure_loaded(id).await.is_err() {
                continue;
            }
            if let Ok(record) = self.read_loaded(id, &read) {
                found.push((id, record));
            }
        }
        found
    }

    /// Reads a loaded document with `read`.
    fn read_loaded<T>(
        &self,
        id: DocumentId,
        read: impl FnOnce(&Automerge) -> Result<T, fieldbook_core::doc::ReadError>,
    ) -> Result<T, ActionError> {
        let inner = self.inner.borrow();
        let loaded = inner
            .docs
            .get(&id)
            .ok_or(ActionError::Unreadable(id.to_string()))?;
        read(loaded.sync.doc()).map_err(|e| ActionError::Unreadable(e.to_string()))
    }
}

/// Core's refusal in its own words; other failures as they are.
fn refusal(e: audit::PerformError<TransitionError>) -> ActionError {
    match e {
        audit::PerformError::Refused(refusal) => ActionError::Invalid(refusal.to_string()),
        e => ActionError::Invalid(e.to_string()),
    }
}

/// What an audit's list row shows.
pub(super) struct AuditRow {
    pub site: String,
    pub title: String,
    pub status: &'static str,
    /// "Lead … · planned … · 1 run · 2 findings · scope".
    pub detail: String,
    /// Whether it needs a person's review.
    pub conflicts: bool,
    pub created_at_ms: i64,
}

/// The list row of an audit document, if it reads.
pub(super) fn audit_row(doc: &Automerge) -> Option<AuditRow> {
    let record = audit::read(doc).ok()?;
    let derived = record.derived();
    let s = &derived.standing;
    let mut detail = match &s.lead {
        Some(lead) => format!("Lead {}", lead.who.name),
        None => "No lead".to_owned(),
    };
    if let Some(day) = record.planned_for {
        detail.push_str(&format!(" · planned {day}"));
    }
    detail.push_str(&format!(
        " · {} · {}",
        count(s.runs.len(), "run"),
        count(s.findings.len(), "finding")
    ));
    let scope = record.scope.trim();
    if !scope.is_empty() {
        detail.push_str(&format!(" · {}", short(scope)));
    }
    Some(AuditRow {
        site: record.sites.first().cloned().unwrap_or_default(),
        title: record.title.clone(),
        status: s.status.label(),
        detail,
        conflicts: derived.needs_review.is_some(),
        created_at_ms: record.created_at_ms,
    })
}

/// "1 run", "3 findings".
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// The first 60 characters of `text`, with an ellipsis when cut.
fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
