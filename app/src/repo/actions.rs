//! Corrective actions on the device: proposing one for a finding (the action's
//! document and the finding's link to it in one saved batch), its workflow, the
//! actions of a finding, and photos on run answers and findings.
//!
//! As everywhere, core decides: `doc::corrective_action::create`/`perform` and
//! `doc::finding::perform` check each step and write it; a refusal comes back in
//! core's words and nothing is written.

use std::rc::Rc;

use fieldbook_core::doc::{checklist_run, corrective_action, finding};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::RecordKind;
use fieldbook_core::model::checklist::ItemId;
use fieldbook_core::model::corrective_action::{
    Command, CorrectiveAction, NewCorrectiveAction, Title,
};
use fieldbook_core::model::date::Date;
use fieldbook_core::model::evidence::{BlobHash, Evidence};
use fieldbook_core::model::finding::{Command as FindingCommand, Finding};
use fieldbook_core::model::priority::Priority;
use fieldbook_core::model::workflow::UserRef;

use super::{ActionError, Repo};

/// What a person fills in to propose a corrective action for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDraft {
    pub title: String,
    pub description: String,
    /// The steps of the plan, one each.
    pub steps: Vec<String>,
    pub owner: UserRef,
    pub due: Option<Date>,
}

impl Repo {
    /// Proposes a corrective action for the finding in document `finding_id`:
    /// a new corrective-action document at the finding's site, linked to the
    /// finding, with its steps, listed in the site's catalog; and the finding's
    /// `actionLinked` event naming it. All in one saved batch, so a device never
    /// holds one without the other.
    pub async fn propose_action(
        self: &Rc<Self>,
        finding_id: DocumentId,
        draft: ActionDraft,
    ) -> Result<DocumentId, ActionError> {
        let person = self.person()?;
        let title = Title::parse(&draft.title)
            .map_err(|e| ActionError::Invalid(format!("the title: {e}")))?;
        let steps: Vec<String> = draft
            .steps
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let _op = self.ops.lock().await;
        self.ensure_loaded(finding_id).await?;
        let site = {
            let inner = self.inner.borrow();
            let loaded = inner
                .docs
                .get(&finding_id)
                .ok_or(ActionError::Unreadable(finding_id.to_string()))?;
            finding::read(loaded.sync.doc())
                .map_err(|e| ActionError::Unreadable(e.to_string()))?
                .site
        };
        let (site, catalog_id) = self.site_catalog(Some(&site))?;
        let new = NewCorrectiveAction {
            site,
            findings: vec![finding_id.to_string()],
            title,
            description: draft.description.trim().to_owned(),
            owner: draft.owner,
            due: draft.due,
            priority: Priority::P3,
            change_needed: false,
        };
        let by = person.clone();
        let link_by = person.clone();
        let link: super::records::Link = (
            finding_id,
            Box::new(move |doc, stamp, action| {
                let command = FindingCommand::LinkAction {
                    action: action.to_string(),
                };
                finding::perform(doc, command, &link_by, &[], stamp)
                    .map(drop)
                    .map_err(refusal)
            }),
        );
        self.create_linked(
            catalog_id,
            RecordKind::CorrectiveAction,
            move |doc, stamp| {
                corrective_action::create(doc, &new, &by, stamp)
                    .map_err(|e| ActionError::Invalid(e.to_string()))?;
                for text in steps {
                    corrective_action::perform(doc, Command::AddStep { text }, &by, stamp)
                        .map_err(refusal)?;
                }
                Ok(())
            },
            Some(link),
        )
        .await
    }

    /// Records a workflow step of a corrective action, checked by core; a
    /// refusal comes back in core's words and nothing is written.
    pub async fn perform_action(
        &self,
        id: DocumentId,
        command: Command,
    ) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(id, move |doc, stamp| {
            corrective_action::perform(doc, command, &by, stamp)
                .map(drop)
                .map_err(refusal)
        })
        .await
    }

    /// The corrective actions linked to `finding`, in the order they were
    /// linked, with those not on this device yet (their document has not
    /// arrived) as `Err(id)`.
    pub async fn actions_of(
        &self,
        finding: &Finding,
    ) -> Vec<Result<(DocumentId, CorrectiveAction), String>> {
        let mut found = Vec::new();
        for key in finding.derived().standing.actions {
            let read = match key.parse::<DocumentId>() {
                Ok(id) => self
                    .read_record(id, corrective_action::read)
                    .await
                    .map(|a| (id, a))
                    .map_err(|_| key.clone()),
                Err(_) => Err(key.clone()),
            };
            found.push(read);
        }
        found
    }

    /// Everyone who owns (or, in a conflict, may own) one of `finding`'s
    /// corrective actions: a verifier must be none of them. Refused while an
    /// action's document is not on this device, since its owner is unknown.
    pub(super) async fn action_owners(
        &self,
        finding: DocumentId,
    ) -> Result<Vec<UserRef>, ActionError> {
        let record = self.read_record(finding, finding::read).await?;
        let mut owners = Vec::new();
        for action in self.actions_of(&record).await {
            let (_, action) = action.map_err(|id| {
                ActionError::Invalid(format!(
                    "the corrective action {id} has not reached this device yet, so who owns it is not known; connect to the network and try again"
                ))
            })?;
            for owner in action.owners() {
                if !owners.contains(&owner) {
                    owners.push(owner);
                }
            }
        }
        Ok(owners)
    }

    /// Adds a photo (already kept on the device) to the answer to `item` of the
    /// run in document `run`, as core's `add_photo` allows.
    pub async fn add_answer_photo(
        &self,
        run: DocumentId,
        item: ItemId,
        blob: BlobHash,
    ) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(run, move |doc, stamp| {
            checklist_run::add_photo(doc, &item, &blob, &by, stamp)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Adds a photo (already kept on the device) to a finding's objective evidence.
    pub async fn add_finding_photo(
        &self,
        id: DocumentId,
        blob: BlobHash,
        caption: String,
    ) -> Result<(), ActionError> {
        let evidence = Evidence::Photo {
            blob,
            caption: caption.trim().to_owned(),
        };
        self.edit_finding(id, vec![finding::Edit::AddEvidence(evidence)])
            .await
    }
}

/// A refused step in core's words (a refusal's message is core's own), or why
/// it could not be written.
fn refusal(error: impl std::fmt::Display) -> ActionError {
    ActionError::Invalid(error.to_string())
}
