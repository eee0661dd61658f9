//! Checklist templates: the questions a procedure, inspection or internal audit
//! asks, in titled sections, each item pointing at a clause of ISO/IEC 20000-1.
//!
//! A [`Template`] is built only by [`Template::parse`] from a [`TemplateSpec`],
//! so a template a program holds always has unique item ids, choice items with
//! options and number bounds in order. Its status (draft, published, retired)
//! comes from the template's publication log ([`publication`]), never from the
//! content.
//!
//! A published version is immutable: runs embed the snapshot they started
//! from, and two runs of "version 3" must have asked the same questions. So
//! [`Template::edit`] refuses anything but a draft, and [`Template::next_version`]
//! makes the draft of version n+1 to edit instead. Each version is its own
//! document (`doc::checklist_template`).
//!
//! [`iso20000`] is the internal audit template shipped with Fieldbook.

pub mod editing;
pub mod iso20000;
pub mod item;
pub mod logged;
pub mod publication;
pub mod spec;
pub mod versions;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeSet;
use std::fmt;

pub use self::iso20000::iso20000_internal_audit;
pub use self::item::{Bounds, ChoiceOption, Item, ItemId, ItemKind, KindError, Options, Outcome};
pub use self::spec::{ItemSpec, KindSpec, SectionSpec, TemplateSpec};
use crate::model::evidence::{BadClause, ClauseRef};

/// A parsed checklist template: one version of one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    key: String,
    version: u32,
    status: TemplateStatus,
    title: String,
    purpose: String,
    clauses: Vec<ClauseRef>,
    pass_mark: Option<u32>,
    sections: Vec<Section>,
}

/// A titled group of items.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    title: String,
    items: Vec<Item>,
}

/// Where a template version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TemplateStatus {
    /// Being written; may change.
    Draft,
    /// Fixed; runs start from it.
    Published,
    /// No new runs start from it; old runs still render from their snapshot.
    Retired,
}

/// Why a [`TemplateSpec`] is not a template.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("`{0}` is not a template key (lowercase letters, digits and `-`, up to 64)")]
    BadKey(String),
    #[error("template versions start at 1")]
    ZeroVersion,
    #[error("a template needs a title")]
    MissingTitle,
    #[error(transparent)]
    BadClause(#[from] BadClause),
    #[error("a pass mark is a percentage, not {0}")]
    PassMarkOver100(u32),
    #[error("a template needs at least one item to answer")]
    NothingToAnswer,
    #[error("section {0} needs a title")]
    UntitledSection(usize),
    #[error(transparent)]
    BadItemId(#[from] item::BadItemId),
    #[error("item `{0}` appears twice")]
    DuplicateItem(ItemId),
    #[error("item `{0}` needs a prompt")]
    MissingPrompt(ItemId),
    #[error("item `{item}`: {error}")]
    BadKind { item: ItemId, error: KindError },
    #[error("item `{item}`: {error}")]
    BadItemClause { item: ItemId, error: BadClause },
}

/// Why a template version cannot be changed the way that was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VersionError {
    #[error("version {version} of “{key}” is {status} and cannot change; edit a new version")]
    Fixed {
        key: String,
        version: u32,
        status: TemplateStatus,
    },
    #[error("version {0} is still a draft; edit it instead of starting another")]
    StillDraft(u32),
    #[error("an edit cannot change the template's key or version")]
    KeyOrVersionChanged,
    #[error("there is no version after {0}")]
    NoNextVersion(u32),
    #[error(transparent)]
    Invalid(#[from] TemplateError),
}

impl Template {
    /// Checks `spec` and makes a draft of it.
    pub fn parse(spec: TemplateSpec) -> Result<Template, TemplateError> {
        let key_ok = (1..=64).contains(&spec.key.len())
            && spec
                .key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !key_ok {
            return Err(TemplateError::BadKey(spec.key));
        }
        if spec.version == 0 {
            return Err(TemplateError::ZeroVersion);
        }
        if spec.title.trim().is_empty() {
            return Err(TemplateError::MissingTitle);
        }
        if let Some(mark) = spec.pass_mark.filter(|m| *m > 100) {
            return Err(TemplateError::PassMarkOver100(mark));
        }
        let clauses = spec
            .clauses
            .iter()
            .map(|c| c.parse())
            .collect::<Result<Vec<ClauseRef>, BadClause>>()?;
        let mut seen = BTreeSet::new();
        let mut sections = Vec::with_capacity(spec.sections.len());
        for (index, section) in spec.sections.into_iter().enumerate() {
            if section.title.trim().is_empty() {
                return Err(TemplateError::UntitledSection(index + 1));
            }
            let mut items = Vec::with_capacity(section.items.len());
            for item in section.items {
                let item = parse_item(item)?;
                if !seen.insert(item.id.clone()) {
                    return Err(TemplateError::DuplicateItem(item.id));
                }
                items.push(item);
            }
            sections.push(Section {
                title: section.title.trim().to_owned(),
                items,
            });
        }
        let template = Template {
            key: spec.key,
            version: spec.version,
            status: TemplateStatus::Draft,
            title: spec.title.trim().to_owned(),
            purpose: spec.purpose.trim().to_owned(),
            clauses,
            pass_mark: spec.pass_mark,
            sections,
        };
        if !template.items().any(Item::is_answerable) {
            return Err(TemplateError::NothingToAnswer);
        }
        Ok(template)
    }

    /// The template's content as plain data, for storing or for an editing form.
    pub fn to_spec(&self) -> TemplateSpec {
        TemplateSpec {
            key: self.key.clone(),
            version: self.version,
            title: self.title.clone(),
            purpose: self.purpose.clone(),
            clauses: self.clauses.iter().map(ToString::to_string).collect(),
            pass_mark: self.pass_mark,
            sections: self
                .sections
                .iter()
                .map(|s| SectionSpec {
                    title: s.title.clone(),
                    items: s.items.iter().map(item_spec).collect(),
                })
                .collect(),
        }
    }

    /// This draft with its content replaced by `spec`. Refused unless the
    /// template is a draft: published and retired versions never change.
    pub fn edit(&self, spec: TemplateSpec) -> Result<Template, VersionError> {
        if self.status != TemplateStatus::Draft {
            return Err(self.fixed());
        }
        if spec.key != self.key || spec.version != self.version {
            return Err(VersionError::KeyOrVersionChanged);
        }
        Ok(Template::parse(spec)?)
    }

    /// The draft of the next version, with this version's content: what
    /// "edit" does to a published (or retired) template.
    pub fn next_version(&self) -> Result<Template, VersionError> {
        if self.status == TemplateStatus::Draft {
            return Err(VersionError::StillDraft(self.version));
        }
        let mut next = self.clone();
        next.version = self
            .version
            .checked_add(1)
            .ok_or(VersionError::NoNextVersion(self.version))?;
        next.status = TemplateStatus::Draft;
        Ok(next)
    }

    /// The same content with the status its publication log gives (only the
    /// log's reader and the shipped templates set it).
    pub(crate) fn with_status(mut self, status: TemplateStatus) -> Template {
        self.status = status;
        self
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn status(&self) -> TemplateStatus {
        self.status
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The clauses the whole checklist addresses.
    pub fn clauses(&self) -> &[ClauseRef] {
        &self.clauses
    }

    /// The percentage of the maximum score a run needs to pass, if any.
    pub fn pass_mark(&self) -> Option<u32> {
        self.pass_mark
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Every item, section by section.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The item with id `id`.
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.items().find(|i| &i.id == id)
    }

    fn fixed(&self) -> VersionError {
        VersionError::Fixed {
            key: self.key.clone(),
            version: self.version,
            status: self.status,
        }
    }
}

impl Section {
    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }
}

impl TemplateStatus {
    pub const ALL: [TemplateStatus; 3] = [
        TemplateStatus::Draft,
        TemplateStatus::Published,
        TemplateStatus::Retired,
    ];

    /// The status as stored (in a run's template snapshot).
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateStatus::Draft => "draft",
            TemplateStatus::Published => "published",
            TemplateStatus::Retired => "retired",
        }
    }

    /// The status as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            TemplateStatus::Draft => "Draft",
            TemplateStatus::Published => "Published",
            TemplateStatus::Retired => "Retired",
        }
    }

    /// The stored form back into a status.
    pub fn parse(text: &str) -> Option<TemplateStatus> {
        TemplateStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for TemplateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn parse_item(spec: ItemSpec) -> Result<Item, TemplateError> {
    let id: ItemId = spec.id.parse()?;
    if spec.prompt.trim().is_empty() {
        return Err(TemplateError::MissingPrompt(id));
    }
    let clause = match spec.clause.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(c.parse().map_err(|error| TemplateError::BadItemClause {
            item: id.clone(),
            error,
        })?),
    };
    let bad = |error| TemplateError::BadKind {
        item: id.clone(),
        error,
    };
    let kind = match spec.kind {
        KindSpec::YesNo { yes, no } => ItemKind::YesNo { yes, no },
        KindSpec::SingleChoice(o) => ItemKind::SingleChoice(Options::new(o).map_err(bad)?),
        KindSpec::MultipleChoice(o) => ItemKind::MultipleChoice(Options::new(o).map_err(bad)?),
        KindSpec::Number { min, max } => ItemKind::Number(Bounds::new(min, max).map_err(bad)?),
        KindSpec::Text => ItemKind::Text,
        KindSpec::Date => ItemKind::Date,
        KindSpec::Photo => ItemKind::Photo,
        KindSpec::Signature => ItemKind::Signature,
        KindSpec::Instruction => ItemKind::Instruction,
    };
    Ok(Item {
        id,
        prompt: spec.prompt.trim().to_owned(),
        guidance: spec.guidance.trim().to_owned(),
        required: spec.required,
        clause,
        weight: spec.weight,
        kind,
    })
}

fn item_spec(item: &Item) -> ItemSpec {
    let options = |o: &Options| o.iter().cloned().collect();
    ItemSpec {
        id: item.id.to_string(),
        kind: match &item.kind {
            ItemKind::YesNo { yes, no } => KindSpec::YesNo { yes: *yes, no: *no },
            ItemKind::SingleChoice(o) => KindSpec::SingleChoice(options(o)),
            ItemKind::MultipleChoice(o) => KindSpec::MultipleChoice(options(o)),
            ItemKind::Number(b) => KindSpec::Number {
                min: b.min(),
                max: b.max(),
            },
            ItemKind::Text => KindSpec::Text,
            ItemKind::Date => KindSpec::Date,
            ItemKind::Photo => KindSpec::Photo,
            ItemKind::Signature => KindSpec::Signature,
            ItemKind::Instruction => KindSpec::Instruction,
        },
        prompt: item.prompt.clone(),
        guidance: item.guidance.clone(),
        required: item.required,
        clause: item.clause.as_ref().map(ToString::to_string),
        weight: item.weight,
    }
}
