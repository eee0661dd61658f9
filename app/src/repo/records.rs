//! Checklists and findings on the device: starting a run from a site's template,
//! answering, the run's workflow, raising a finding from a flagged answer, and
//! the finding's edits and workflow.
//!
//! Each is one person's action, saved like an incident's: core checks it
//! (`doc::checklist_run::answer`/`perform`, `doc::finding::perform`) and writes
//! it, the change is stored on the device (strict durability), then offered to
//! the server. A new record is listed in its site's catalog in the same saved
//! batch, so a device that has the record always has it listed.

use std::rc::Rc;

use automerge::Automerge;
use fieldbook_core::doc::{
    catalog, checklist_run, checklist_template, corrective_action, finding, ReadError, Stamp,
};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{Person, RecordKind};
use fieldbook_core::model::checklist::ItemId;
use fieldbook_core::model::checklist_run::{Answer, Response, Run, RunCommand};
use fieldbook_core::model::finding::{
    Classification, Command, Finding, FindingSource, NewFinding, Statement,
};
use fieldbook_core::sync::DocSync;
use leptos::prelude::*;

use super::audits::LinkTo;
use super::{now, random_bytes, ActionError, Loaded, Repo, Server};
use crate::store::{Batch, Summary};

impl Repo {
    /// The signed-in person as events record them: user id, name and role from
    /// the (cached) profile.
    pub fn person(&self) -> Result<Person, ActionError> {
        let profile = self
            .signals
            .profile
            .get_untracked()
            .ok_or(ActionError::NoSite)?;
        let role = profile.user.role.parse().map_err(
            |e: fieldbook_core::model::access::UnknownRole| ActionError::Invalid(e.to_string()),
        )?;
        Ok(Person {
            user_id: profile.user.id,
            name: profile.user.name,
            role,
        })
    }

    /// Reads any record with `read`, loading its document from the device if needed.
    pub async fn read_record<T>(
        &self,
        id: DocumentId,
        read: impl FnOnce(&Automerge) -> Result<T, ReadError>,
    ) -> Result<T, ActionError> {
        let _op = self.ops.lock().await;
        self.ensure_loaded(id).await?;
        let inner = self.inner.borrow();
        let loaded = inner
            .docs
            .get(&id)
            .ok_or(ActionError::Unreadable(id.to_string()))?;
        read(loaded.sync.doc()).map_err(|e| ActionError::Unreadable(e.to_string()))
    }

    /// Starts a run of the template in document `template` at the person's
    /// default site, assigned to them, and lists it in that site's catalog.
    pub async fn start_run(
        self: &Rc<Self>,
        template: DocumentId,
    ) -> Result<DocumentId, ActionError> {
        let _op = self.ops.lock().await;
        self.start_run_locked(template, None, None).await
    }

    /// Starts a run of the newest published version of `template` at `site`
    /// (or the person's default site), done for the audit in document `audit` if given. The caller holds the ops lock.
    pub(super) async fn start_run_locked(
        &self,
        template: DocumentId,
        site: Option<&str>,
        audit: Option<DocumentId>,
    ) -> Result<DocumentId, ActionError> {
        let person = self.person()?;
        // A run starts from the newest published version of the template,
        // whichever of its versions it was asked for.
        let template = self.current_version(template).await?;
        self.ensure_loaded(template).await?;
        let record = {
            let inner = self.inner.borrow();
            let loaded = inner
                .docs
                .get(&template)
                .ok_or(ActionError::Unreadable(template.to_string()))?;
            checklist_template::read(loaded.sync.doc())
                .map_err(|e| ActionError::Unreadable(e.to_string()))?
        };
        let (site, catalog_id) = self.site_catalog(site)?;
        let new = checklist_run::NewRun {
            context: fieldbook_core::model::checklist_run::RunContext {
                site,
                incident: None,
                audit: audit.map(|a| a.to_string()),
            },
            assignees: vec![person.clone()],
            template: record.template,
        };
        self.create_listed(catalog_id, RecordKind::ChecklistRun, |doc, stamp| {
            checklist_run::create(doc, &new, &person, stamp)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Records the person's answer to `item` of the run in document `run`
    /// (replacing theirs or anyone's earlier one), keeping the item's photos.
    /// Core refuses an answer to a submitted run or one that does not fit the item.
    pub async fn answer(
        &self,
        run: DocumentId,
        item: ItemId,
        response: Response,
        note: String,
    ) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(run, move |doc, stamp| {
            let photos = checklist_run::read(doc)
                .ok()
                .and_then(|r| r.answer(&item).map(|a| a.photos.clone()))
                .unwrap_or_default();
            let answer = Answer {
                response,
                note: note.trim().to_owned(),
                photos,
                by,
                at_ms: stamp.at_ms,
            };
            checklist_run::answer(doc, &item, &answer, stamp)
                .map(|_| ())
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Records a workflow step of a run (submit, approve, reopen, …), checked by core.
    pub async fn perform_run(
        &self,
        run: DocumentId,
        command: RunCommand,
    ) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(run, move |doc, stamp| {
            checklist_run::perform(doc, command, &by, stamp)
                .map(|_| ())
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Raises a finding from the flagged answer to `item` of the run in document
    /// `run`: the suggestion core makes of it (the item's clause, a statement to
    /// start from, the note, photos and a link to the run item) becomes a draft
    /// minor nonconformity at the run's site, listed in that site's catalog.
    pub async fn raise_finding(
        self: &Rc<Self>,
        run: DocumentId,
        item: ItemId,
    ) -> Result<DocumentId, ActionError> {
        let person = self.person()?;
        let _op = self.ops.lock().await;
        self.ensure_loaded(run).await?;
        let record: Run = {
            let inner = self.inner.borrow();
            let loaded = inner
                .docs
                .get(&run)
                .ok_or(ActionError::Unreadable(run.to_string()))?;
            checklist_run::read(loaded.sync.doc())
                .map_err(|e| ActionError::Unreadable(e.to_string()))?
        };
        let run_key = run.to_string();
        let suggestion = record
            .finding_suggestions(&run_key)
            .into_iter()
            .find(|s| s.item == item)
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "the answer to item {item} is not flagged, so it suggests no finding"
                ))
            })?;
        let (site, catalog_id) = self.site_catalog(Some(&record.context.site))?;
        let audit: Option<DocumentId> = record.context.audit.as_ref().and_then(|a| a.parse().ok());
        let audit_lead = match audit {
            Some(audit) => self.audit_lead(audit).await,
            None => None,
        };
        let new = NewFinding {
            site,
            audit: record.context.audit.clone(),
            audit_lead,
            classification: Classification::MinorNonconformity,
            statement: Statement::prefilled(suggestion.statement),
            clauses: suggestion.clauses,
            process: String::new(),
            evidence: suggestion.evidence,
            owner: None,
            response_due: None,
            source: Some(FindingSource {
                run: run_key,
                item: item.to_string(),
            }),
        };
        let id = self
            .create_listed(catalog_id, RecordKind::Finding, |doc, stamp| {
                finding::create(doc, &new, &person, stamp)
                    .map_err(|e| ActionError::Invalid(e.to_string()))
            })
            .await?;
        drop(_op);
        if let Some(audit) = audit {
            self.link_to_audit(audit, LinkTo::Finding(id)).await;
        }
        Ok(id)
    }

    /// The findings on this device raised from answers of the run in document
    /// `run`, as (item id, finding document).
    pub async fn findings_of_run(&self, run: DocumentId) -> Vec<(String, DocumentId)> {
        let _op = self.ops.lock().await;
        let ids: Vec<DocumentId> = self
            .signals
            .summaries
            .get_untracked()
            .iter()
            .filter(|s| s.kind == RecordKind::Finding.as_str())
            .filter_map(|s| s.id.parse().ok())
            .collect();
        let run = run.to_string();
        let mut found = Vec::new();
        for id in ids {
            if self.ensure_loaded(id).await.is_err() {
                continue;
            }
            let inner = self.inner.borrow();
            let source = inner
                .docs
                .get(&id)
                .and_then(|l| finding::read(l.sync.doc()).ok())
                .and_then(|f: Finding| f.source);
            if let Some(source) = source.filter(|s| s.run == run) {
                found.push((source.item, id));
            }
        }
        found
    }

    /// Applies edits of a finding's statement, clauses or evidence as one saved action.
    pub async fn edit_finding(
        &self,
        id: DocumentId,
        edits: Vec<finding::Edit>,
    ) -> Result<(), ActionError> {
        self.change_incident(id, move |doc, stamp| {
            edits
                .iter()
                .try_for_each(|edit| finding::edit(doc, edit, stamp))
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Records a workflow action on a finding, checked by core against its log;
    /// a refusal comes back in core's words and nothing is written. A
    /// verification is checked against the owners of the finding's corrective
    /// actions, read from their documents.
    pub async fn perform_finding(
        &self,
        id: DocumentId,
        command: Command,
    ) -> Result<(), ActionError> {
        let by = self.person()?;
        let action_owners = match command {
            Command::Verify { .. } => self.action_owners(id).await?,
            _ => Vec::new(),
        };
        self.change_incident(id, move |doc, stamp| {
            match finding::perform(doc, command, &by, &action_owners, stamp) {
                Ok(_) => Ok(()),
                Err(finding::PerformError::Refused(refusal)) => {
                    Err(ActionError::Invalid(refusal.to_string()))
                }
                Err(e) => Err(ActionError::Invalid(e.to_string())),
            }
        })
        .await
    }

    /// The site (`site`, or the person's default) and its catalog document.
    pub(super) fn site_catalog(
        &self,
        site: Option<&str>,
    ) -> Result<(String, DocumentId), ActionError> {
        let profile = self
            .signals
            .profile
            .get_untracked()
            .ok_or(ActionError::NoSite)?;
        let wanted = site.unwrap_or(&profile.user.default_site);
        let found = profile
            .sites
            .iter()
            .find(|s| s.id == wanted)
            .or_else(|| site.is_none().then(|| profile.sites.first()).flatten())
            .ok_or(ActionError::NoSite)?;
        let catalog_id = found.catalog.parse().map_err(|_| ActionError::NoSite)?;
        Ok((found.id.clone(), catalog_id))
    }

    /// Creates a record with `create` in a new document and lists it in the
    /// catalog `catalog_id`, saved as one batch. The caller holds the ops lock.
    pub(super) async fn create_listed(
        &self,
        catalog_id: DocumentId,
        kind: RecordKind,
        create: impl FnOnce(&mut Automerge, Stamp) -> Result<(), ActionError>,
    ) -> Result<DocumentId, ActionError> {
        self.create_linked(catalog_id, kind, create, None).await
    }

    /// As [`Repo::create_listed`], and, in the same saved batch, `link` changes
    /// another document (already loaded) to name the new one: a finding records
    /// the corrective action proposed for it. If `link` is refused nothing is
    /// written. The caller holds the ops lock.
    pub(super) async fn create_linked(
        &self,
        catalog_id: DocumentId,
        kind: RecordKind,
        create: impl FnOnce(&mut Automerge, Stamp) -> Result<(), ActionError>,
        link: Option<Link>,
    ) -> Result<DocumentId, ActionError> {
        self.ensure_loaded(catalog_id).await?;
        let id = DocumentId::from_bytes(random_bytes());
        let stamp = now();
        let mut doc = DocSync::new(Automerge::new().with_actor(self.actor.clone()));
        let (created, record_changes) = doc.change(|d| create(d, stamp));
        created?;
        let link_changes = match link {
            Some((other, change)) => {
                let mut inner = self.inner.borrow_mut();
                let loaded = inner
                    .docs
                    .get_mut(&other)
                    .ok_or(ActionError::Unreadable(other.to_string()))?;
                let (result, applied) = loaded.sync.change(|d| change(d, stamp, id));
                if let Err(e) = result {
                    if !applied.is_empty() {
                        inner.docs.remove(&other);
                    }
                    return Err(e);
                }
                Some((other, applied.changes))
            }
            None => None,
        };
        let catalog_changes = {
            let mut inner = self.inner.borrow_mut();
            let Some(loaded) = inner.docs.get_mut(&catalog_id) else {
                // The link's change is in memory only: read it again from storage.
                if let Some((other, _)) = &link_changes {
                    inner.docs.remove(other);
                }
                return Err(ActionError::NoSite);
            };
            let entry = catalog::Entry {
                id,
                kind: kind.as_str().to_owned(),
            };
            let (added, changes) = loaded.sync.change(|d| catalog::add(d, &entry, stamp));
            if added.is_err() {
                // The link's change is in memory only: drop the document so it
                // is read again from what this device saved.
                if let Some((other, _)) = &link_changes {
                    inner.docs.remove(other);
                }
                if !changes.is_empty() {
                    inner.docs.remove(&catalog_id);
                }
                return Err(ActionError::NoSite);
            }
            changes
        };
        if self.inner.borrow().connection.is_some() {
            doc.connect(Server);
        }
        self.inner.borrow_mut().docs.insert(
            id,
            Loaded {
                sync: doc,
                chunks: 0,
            },
        );
        let mut batch = Batch::default();
        self.stage(&mut batch, id, record_changes.changes);
        self.stage(&mut batch, catalog_id, catalog_changes.changes);
        let mut touched = vec![id, catalog_id];
        if let Some((other, changes)) = link_changes {
            self.stage(&mut batch, other, changes);
            touched.push(other);
        }
        self.commit(batch).await?;
        self.saved();
        self.send_pending(&touched);
        Ok(id)
    }
}

/// A change to another document that names a record being created (its id is
/// the third argument), saved in the same batch.
pub(super) type Link = (
    DocumentId,
    Box<dyn FnOnce(&mut Automerge, Stamp, DocumentId) -> Result<(), ActionError>>,
);

/// The list row of a checklist template, run, finding, corrective action, audit
/// or service-levels document; `None` for
/// other kinds (incidents have their own) and documents that do not read.
pub(super) fn summary_of(key: &str, doc: &Automerge) -> Option<Summary> {
    let kind = fieldbook_core::doc::kind_of(doc)?;
    let row = |site: &str, title: String, status: &str, detail: String, conflicts, at| Summary {
        id: key.to_owned(),
        kind: kind.clone(),
        detail: Some(detail),
        site: site.to_owned(),
        title,
        status: status.to_owned(),
        priority: 0,
        conflicts,
        reference: None,
        created_at_ms: at,
        assignee: None,
        sla: None,
        calendar: None,
    };
    match RecordKind::parse(&kind)? {
        RecordKind::ChecklistTemplate => {
            let record = checklist_template::read(doc).ok()?;
            let t = &record.template;
            let questions = t.items().filter(|i| i.is_answerable()).count();
            Some(row(
                "",
                t.title().to_owned(),
                t.status().label(),
                format!("version {} · {questions} questions", t.version()),
                !record.needs_review.is_empty(),
                0,
            ))
        }
        RecordKind::ChecklistRun => {
            let run = checklist_run::read(doc).ok()?;
            let progress = run.progress();
            let score = run.score();
            let mut detail = format!("{} of {} answered", progress.answered, progress.answerable);
            if let Some(percent) = score.percent() {
                detail.push_str(&format!(" · score {percent:.0} %"));
            }
            if let Some(pass) = score.pass {
                detail.push_str(if pass { " · pass" } else { " · fail" });
            }
            let conflicts =
                !run.contested_items().is_empty() || run.derived().needs_review.is_some();
            Some(row(
                &run.context.site,
                run.template.title().to_owned(),
                run.status().label(),
                detail,
                conflicts,
                run.created_at_ms,
            ))
        }
        RecordKind::Finding => {
            let found = finding::read(doc).ok()?;
            let clauses: Vec<String> = found
                .clauses
                .iter()
                .map(|c| format!("clause {c}"))
                .collect();
            let mut detail = found.classification.value.label().to_owned();
            if !clauses.is_empty() {
                detail.push_str(&format!(" · {}", clauses.join(", ")));
            }
            Some(row(
                &found.site,
                finding_title(&found),
                found.status().label(),
                detail,
                found.has_conflicts(),
                found.created_at_ms,
            ))
        }
        RecordKind::Audit => {
            let a = super::audits::audit_row(doc)?;
            Some(row(
                &a.site,
                a.title,
                a.status,
                a.detail,
                a.conflicts,
                a.created_at_ms,
            ))
        }
        RecordKind::CorrectiveAction => {
            let action = corrective_action::read(doc).ok()?;
            let owner = action.owner.value.name.clone();
            let mut detail = format!("Owner {owner}");
            if let Some(due) = &action.due {
                detail.push_str(&format!(" · due {}", due.value));
            }
            let mut summary = row(
                &action.site,
                action.title.clone(),
                action.status().label(),
                detail,
                action.has_conflicts() || action.derived().needs_review.is_some(),
                action.created_at_ms,
            );
            summary.assignee = Some(action.owner.value.user_id.clone());
            Some(summary)
        }
        RecordKind::SlaPolicy => {
            let record = fieldbook_core::doc::service_levels::read(doc).ok()?;
            let latest = record.versions.iter().map(|p| p.levels.version).max()?;
            Some(row(
                &record.site,
                "Service levels".to_owned(),
                "Published",
                format!("version {latest}"),
                false,
                record.versions.first().map(|p| p.at_ms).unwrap_or_default(),
            ))
        }
        _ => None,
    }
}

/// A finding's list title: the start of its statement.
fn finding_title(found: &Finding) -> String {
    let s = &found.statement;
    let text = [&s.gap, &s.evidence, &s.requirement]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_owned())
        .unwrap_or_else(|| "Finding without a statement yet".to_owned());
    match text.char_indices().nth(90) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
