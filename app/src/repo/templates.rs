//! Checklist templates on the device: their versions grouped by key (core's
//! `lineages`), a new template, "Edit" (opens the open draft, or writes the
//! draft of version n+1 into a new document, leaving the published one as it
//! is), saving a draft after each editing step, and publishing it.
//!
//! All of it is local documents and the site's catalog, so it works offline
//! like every other record; core refuses what is not allowed (editing a
//! published version, publishing an unfinished draft) and the server refuses
//! template changes from anyone but auditors and admins.

use fieldbook_core::doc::checklist_template;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::RecordKind;
use fieldbook_core::model::checklist::versions::{lineages, EditTarget, Lineage};
use fieldbook_core::model::checklist::TemplateSpec;

use super::{ActionError, Repo};

impl Repo {
    /// Every template version on the device, grouped by key.
    pub async fn template_lineages(&self) -> Vec<Lineage<DocumentId>> {
        let _op = self.ops.lock().await;
        self.lineages_locked().await
    }

    /// As [`Repo::template_lineages`]; the caller holds the ops lock.
    pub(super) async fn lineages_locked(&self) -> Vec<Lineage<DocumentId>> {
        let all = self
            .read_all(RecordKind::ChecklistTemplate, checklist_template::read)
            .await;
        lineages(all.iter().map(|(id, record)| (*id, &record.template)))
    }

    /// Writes the first draft of a new template titled `title` and lists it in
    /// the person's site catalog.
    pub async fn new_template(&self, title: &str) -> Result<DocumentId, ActionError> {
        let _op = self.ops.lock().await;
        let person = self.person()?;
        let found = self.lineages_locked().await;
        let taken: Vec<&str> = found.iter().map(|l| l.key.as_str()).collect();
        let template = TemplateSpec::starter(title, &taken)
            .map_err(|e| ActionError::Invalid(e.to_string()))?;
        let (_, catalog_id) = self.site_catalog(None)?;
        self.create_listed(catalog_id, RecordKind::ChecklistTemplate, |doc, stamp| {
            checklist_template::create(doc, &template, &person, stamp)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// "Edit" on the template whose version is in document `id`: the draft to
    /// open, made now as version n+1 of the newest fixed version if there is
    /// no open draft.
    pub async fn edit_template(&self, id: DocumentId) -> Result<DocumentId, ActionError> {
        let _op = self.ops.lock().await;
        let person = self.person()?;
        let found = self.lineages_locked().await;
        let target = found
            .iter()
            .find(|l| l.holds(&id))
            .and_then(Lineage::edit_target)
            .ok_or(ActionError::Unreadable(id.to_string()))?;
        let source = match target {
            EditTarget::Draft(draft) => return Ok(draft),
            EditTarget::NextVersionOf(source) => source,
        };
        let (_, catalog_id) = self.site_catalog(None)?;
        self.create_listed(catalog_id, RecordKind::ChecklistTemplate, |doc, stamp| {
            let inner = self.inner.borrow();
            let current = inner
                .docs
                .get(&source)
                .ok_or(ActionError::Unreadable(source.to_string()))?;
            checklist_template::create_next_version(current.sync.doc(), doc, &person, stamp)
                .map(|_| ())
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Saves the editor's content of the draft in document `id`, finished or
    /// not (core keeps unfinished content as the draft's working copy).
    pub async fn save_template(
        &self,
        id: DocumentId,
        spec: TemplateSpec,
    ) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(id, move |doc, stamp| {
            checklist_template::save_draft(doc, spec, &by, stamp)
                .map(|_| ())
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// Publishes the draft in document `id`; core refuses an unfinished one
    /// and says what is wrong.
    pub async fn publish_template(&self, id: DocumentId) -> Result<(), ActionError> {
        let by = self.person()?;
        self.change_incident(id, move |doc, stamp| {
            checklist_template::publish(doc, &by, stamp)
                .map_err(|e| ActionError::Invalid(e.to_string()))
        })
        .await
    }

    /// The newest published version of the template whose version is in
    /// document `id`: where a run started from any of its versions begins.
    /// The caller holds the ops lock.
    pub(super) async fn current_version(&self, id: DocumentId) -> Result<DocumentId, ActionError> {
        self.lineages_locked()
            .await
            .into_iter()
            .find(|l| l.holds(&id))
            .and_then(|l| l.current)
            .ok_or_else(|| {
                ActionError::Invalid(
                    "this template has no published version yet; publish it first".to_owned(),
                )
            })
    }
}
