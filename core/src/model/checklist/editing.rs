//! Changing a draft's content one step at a time, as the template editor does:
//! sections added, renamed, moved and removed; items added, changed, moved and
//! removed; options and their scores and flags.
//!
//! An edit works on a [`TemplateSpec`], not a [`Template`]: a draft may pass
//! through states that are not yet a template (a new item has no prompt until
//! someone types one), and a person's half-finished work must be kept, not
//! refused. What makes a template valid is still only [`Template::parse`]; it
//! runs when the draft is published, and [`Problem::of`] says what it refused
//! and where, so the editor shows the message next to what is wrong.
//!
//! Numbers arrive as the text a person typed (weight, scores, bounds) and are
//! parsed here, once, with an [`EditError`] that names the field.

use super::spec::{ItemSpec, KindSpec, SectionSpec, TemplateSpec};
use super::{ChoiceOption, Outcome, Template, TemplateError};

/// One change to a draft's content. Sections and items are addressed by
/// position, because an unfinished draft may hold two items with one id.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecEdit {
    Title(String),
    Purpose(String),
    /// Appends a section titled "Section n".
    AddSection,
    RenameSection {
        section: usize,
        title: String,
    },
    MoveSection {
        section: usize,
        direction: Direction,
    },
    RemoveSection {
        section: usize,
    },
    /// Appends a required yes/no item with a new id and no prompt yet.
    AddItem {
        section: usize,
    },
    Item {
        section: usize,
        item: usize,
        change: ItemChange,
    },
    MoveItem {
        section: usize,
        item: usize,
        direction: Direction,
    },
    RemoveItem {
        section: usize,
        item: usize,
    },
}

/// One change to an item.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemChange {
    /// Another kind of answer; choice options are kept between the two choice
    /// kinds, other kinds start from their defaults.
    Kind(KindName),
    Prompt(String),
    Guidance(String),
    /// A clause of ISO/IEC 20000-1 as typed; empty for none. Checked when the
    /// draft is published, as every clause is.
    Clause(String),
    Weight(String),
    Required(bool),
    /// The lower bound of a number item as typed; empty for none.
    Min(String),
    /// The upper bound of a number item as typed; empty for none.
    Max(String),
    Score {
        option: OptionRef,
        score: String,
    },
    Flag {
        option: OptionRef,
        flag: bool,
    },
    /// Appends an option with a new value.
    AddOption,
    OptionLabel {
        option: usize,
        label: String,
    },
    RemoveOption {
        option: usize,
    },
}

/// Which answer of an item an outcome belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionRef {
    Yes,
    No,
    /// The n-th option of a choice item.
    Choice(usize),
}

/// Up or down the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// The kinds of item a person picks from, without their options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindName {
    YesNo,
    SingleChoice,
    MultipleChoice,
    Number,
    Text,
    Date,
    Photo,
    Signature,
    Instruction,
}

/// Why an edit was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("there is no section {0}")]
    NoSection(usize),
    #[error("section {section} has no item {item}")]
    NoItem { section: usize, item: usize },
    #[error("this item has no such option")]
    NoOption,
    #[error("it is already at the {0}")]
    AtEdge(&'static str),
    #[error("{field} must be a whole number of 0 or more, not “{text}”")]
    NotAWholeNumber { field: &'static str, text: String },
    #[error("{field} must be a number, not “{text}”")]
    NotANumber { field: &'static str, text: String },
    #[error("only a number item has bounds")]
    NotANumberItem,
    #[error("a choice item needs at least one option")]
    LastOption,
}

/// Where in a draft a problem is, for showing the message beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The template's own fields (title, key, clauses, pass mark) or the whole.
    Template,
    Section(usize),
    Item {
        section: usize,
        item: usize,
    },
}

/// What [`Template::parse`] refused in a draft, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub place: Place,
    pub error: TemplateError,
}

impl SpecEdit {
    /// Applies the edit to `spec`, or leaves it unchanged and says why not.
    pub fn apply(self, spec: &mut TemplateSpec) -> Result<(), EditError> {
        match self {
            SpecEdit::Title(title) => spec.title = title,
            SpecEdit::Purpose(purpose) => spec.purpose = purpose,
            SpecEdit::AddSection => {
                let title = format!("Section {}", spec.sections.len() + 1);
                spec.sections.push(SectionSpec {
                    title,
                    items: Vec::new(),
                });
            }
            SpecEdit::RenameSection { section, title } => {
                section_mut(spec, section)?.title = title;
            }
            SpecEdit::MoveSection { section, direction } => {
                section_mut(spec, section)?;
                swap(&mut spec.sections, section, direction)?;
            }
            SpecEdit::RemoveSection { section } => {
                section_mut(spec, section)?;
                spec.sections.remove(section);
            }
            SpecEdit::AddItem { section } => {
                let id = new_item_id(spec);
                section_mut(spec, section)?
                    .items
                    .push(ItemSpec::yes_no(&id, ""));
            }
            SpecEdit::Item {
                section,
                item,
                change,
            } => change.apply(item_mut(spec, section, item)?)?,
            SpecEdit::MoveItem {
                section,
                item,
                direction,
            } => {
                item_mut(spec, section, item)?;
                swap(&mut spec.sections[section].items, item, direction)?;
            }
            SpecEdit::RemoveItem { section, item } => {
                item_mut(spec, section, item)?;
                spec.sections[section].items.remove(item);
            }
        }
        Ok(())
    }
}

impl ItemChange {
    fn apply(self, item: &mut ItemSpec) -> Result<(), EditError> {
        match self {
            ItemChange::Kind(name) => item.kind = name.convert(&item.kind),
            ItemChange::Prompt(text) => item.prompt = text,
            ItemChange::Guidance(text) => item.guidance = text,
            ItemChange::Clause(text) => {
                let text = text.trim();
                item.clause = (!text.is_empty()).then(|| text.to_owned());
            }
            ItemChange::Weight(text) => item.weight = whole("The weight", &text)?,
            ItemChange::Required(required) => item.required = required,
            ItemChange::Min(text) => match &mut item.kind {
                KindSpec::Number { min, .. } => *min = bound("The lowest value", &text)?,
                _ => return Err(EditError::NotANumberItem),
            },
            ItemChange::Max(text) => match &mut item.kind {
                KindSpec::Number { max, .. } => *max = bound("The highest value", &text)?,
                _ => return Err(EditError::NotANumberItem),
            },
            ItemChange::Score { option, score } => {
                outcome_mut(item, option)?.score = whole("A score", &score)?;
            }
            ItemChange::Flag { option, flag } => outcome_mut(item, option)?.flag = flag,
            ItemChange::AddOption => {
                let options = options_mut(item)?;
                let n = (1..)
                    .find(|n| !options.iter().any(|o| o.value == format!("option-{n}")))
                    .unwrap_or(1);
                options.push(ChoiceOption {
                    value: format!("option-{n}"),
                    label: format!("Option {n}"),
                    outcome: Outcome::default(),
                });
            }
            ItemChange::OptionLabel { option, label } => {
                options_mut(item)?
                    .get_mut(option)
                    .ok_or(EditError::NoOption)?
                    .label = label;
            }
            ItemChange::RemoveOption { option } => {
                let options = options_mut(item)?;
                if option >= options.len() {
                    return Err(EditError::NoOption);
                }
                if options.len() == 1 {
                    return Err(EditError::LastOption);
                }
                options.remove(option);
            }
        }
        Ok(())
    }
}

impl KindName {
    pub const ALL: [KindName; 9] = [
        KindName::YesNo,
        KindName::SingleChoice,
        KindName::MultipleChoice,
        KindName::Number,
        KindName::Text,
        KindName::Date,
        KindName::Photo,
        KindName::Signature,
        KindName::Instruction,
    ];

    /// The kind of `spec`.
    pub fn of(spec: &KindSpec) -> KindName {
        match spec {
            KindSpec::YesNo { .. } => KindName::YesNo,
            KindSpec::SingleChoice(_) => KindName::SingleChoice,
            KindSpec::MultipleChoice(_) => KindName::MultipleChoice,
            KindSpec::Number { .. } => KindName::Number,
            KindSpec::Text => KindName::Text,
            KindSpec::Date => KindName::Date,
            KindSpec::Photo => KindName::Photo,
            KindSpec::Signature => KindName::Signature,
            KindSpec::Instruction => KindName::Instruction,
        }
    }

    /// The name as stored (and as a form's value).
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::YesNo => "yesNo",
            KindName::SingleChoice => "singleChoice",
            KindName::MultipleChoice => "multipleChoice",
            KindName::Number => "number",
            KindName::Text => "text",
            KindName::Date => "date",
            KindName::Photo => "photo",
            KindName::Signature => "signature",
            KindName::Instruction => "instruction",
        }
    }

    /// The stored name back into a kind.
    pub fn parse(text: &str) -> Option<KindName> {
        KindName::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            KindName::YesNo => "Yes / no / n-a",
            KindName::SingleChoice => "Single choice",
            KindName::MultipleChoice => "Multiple choice",
            KindName::Number => "Number",
            KindName::Text => "Text",
            KindName::Date => "Date",
            KindName::Photo => "Photo",
            KindName::Signature => "Signature",
            KindName::Instruction => "Instruction (nothing to answer)",
        }
    }

    /// `current` turned into this kind: unchanged if it already is, choice
    /// options kept between single and multiple choice, defaults otherwise.
    fn convert(self, current: &KindSpec) -> KindSpec {
        if KindName::of(current) == self {
            return current.clone();
        }
        let options = match current {
            KindSpec::SingleChoice(o) | KindSpec::MultipleChoice(o) => o.clone(),
            _ => vec![
                ChoiceOption {
                    value: "option-1".into(),
                    label: "Option 1".into(),
                    outcome: Outcome::scores(1),
                },
                ChoiceOption {
                    value: "option-2".into(),
                    label: "Option 2".into(),
                    outcome: Outcome::flagged(),
                },
            ],
        };
        match self {
            KindName::YesNo => KindSpec::yes_no(),
            KindName::SingleChoice => KindSpec::SingleChoice(options),
            KindName::MultipleChoice => KindSpec::MultipleChoice(options),
            KindName::Number => KindSpec::Number {
                min: None,
                max: None,
            },
            KindName::Text => KindSpec::Text,
            KindName::Date => KindSpec::Date,
            KindName::Photo => KindSpec::Photo,
            KindName::Signature => KindSpec::Signature,
            KindName::Instruction => KindSpec::Instruction,
        }
    }
}

impl Problem {
    /// What stops `spec` being published, if anything, and where it is.
    pub fn of(spec: &TemplateSpec) -> Option<Problem> {
        let error = Template::parse(spec.clone()).err()?;
        Some(Problem {
            place: place_of(spec, &error),
            error,
        })
    }
}

impl TemplateSpec {
    /// The first draft of a new template titled `title`, under a key made from
    /// the title that none of `taken` uses: one section with one question to
    /// reword, so the draft is a template from the start.
    pub fn starter(title: &str, taken: &[&str]) -> Result<Template, TemplateError> {
        Template::parse(TemplateSpec {
            key: key_for(title, taken),
            version: 1,
            title: title.to_owned(),
            purpose: String::new(),
            clauses: Vec::new(),
            pass_mark: None,
            sections: vec![SectionSpec {
                title: "Section 1".into(),
                items: vec![ItemSpec::yes_no("v1-1", "First question")],
            }],
        })
    }
}

/// A template key from `title` (lowercase letters, digits and `-`), made
/// unique against `taken` with a number.
pub fn key_for(title: &str, taken: &[&str]) -> String {
    let mut base = String::new();
    for c in title.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    base.truncate(56);
    let base = match base.trim_end_matches('-') {
        "" => "checklist".to_owned(),
        trimmed => trimmed.to_owned(),
    };
    let mut key = base.clone();
    let mut n = 2;
    while taken.contains(&key.as_str()) {
        key = format!("{base}-{n}");
        n += 1;
    }
    key
}

/// A new item id: `v<version>-<n>`, unused in `spec`. The version in it keeps
/// it apart from the ids of items that earlier versions had and this one
/// removed, since an id names one question across versions.
fn new_item_id(spec: &TemplateSpec) -> String {
    let used = |id: &str| {
        spec.sections
            .iter()
            .flat_map(|s| &s.items)
            .any(|i| i.id == id)
    };
    (1..)
        .map(|n| format!("v{}-{n}", spec.version))
        .find(|id| !used(id))
        .unwrap_or_default()
}

fn place_of(spec: &TemplateSpec, error: &TemplateError) -> Place {
    let item_at = |id: &str, last: bool| {
        let mut found = spec.sections.iter().enumerate().flat_map(|(s, section)| {
            section
                .items
                .iter()
                .enumerate()
                .filter(move |(_, i)| i.id == id)
                .map(move |(i, _)| Place::Item {
                    section: s,
                    item: i,
                })
        });
        let place = if last { found.last() } else { found.next() };
        place.unwrap_or(Place::Template)
    };
    match error {
        TemplateError::UntitledSection(n) => Place::Section(n.saturating_sub(1)),
        TemplateError::BadItemId(bad) => item_at(&bad.0, false),
        TemplateError::DuplicateItem(id) => item_at(&id.to_string(), true),
        TemplateError::MissingPrompt(id)
        | TemplateError::BadKind { item: id, .. }
        | TemplateError::BadItemClause { item: id, .. } => item_at(&id.to_string(), false),
        _ => Place::Template,
    }
}

fn section_mut(spec: &mut TemplateSpec, section: usize) -> Result<&mut SectionSpec, EditError> {
    spec.sections
        .get_mut(section)
        .ok_or(EditError::NoSection(section + 1))
}

fn item_mut(
    spec: &mut TemplateSpec,
    section: usize,
    item: usize,
) -> Result<&mut ItemSpec, EditError> {
    section_mut(spec, section)?
        .items
        .get_mut(item)
        .ok_or(EditError::NoItem {
            section: section + 1,
            item: item + 1,
        })
}

fn options_mut(item: &mut ItemSpec) -> Result<&mut Vec<ChoiceOption>, EditError> {
    match &mut item.kind {
        KindSpec::SingleChoice(options) | KindSpec::MultipleChoice(options) => Ok(options),
        _ => Err(EditError::NoOption),
    }
}

fn outcome_mut(item: &mut ItemSpec, option: OptionRef) -> Result<&mut Outcome, EditError> {
    match (&mut item.kind, option) {
        (KindSpec::YesNo { yes, .. }, OptionRef::Yes) => Ok(yes),
        (KindSpec::YesNo { no, .. }, OptionRef::No) => Ok(no),
        (
            KindSpec::SingleChoice(options) | KindSpec::MultipleChoice(options),
            OptionRef::Choice(n),
        ) => options
            .get_mut(n)
            .map(|o| &mut o.outcome)
            .ok_or(EditError::NoOption),
        _ => Err(EditError::NoOption),
    }
}

fn swap<T>(list: &mut [T], at: usize, direction: Direction) -> Result<(), EditError> {
    let other = match direction {
        Direction::Up => at.checked_sub(1).ok_or(EditError::AtEdge("top"))?,
        Direction::Down => Some(at + 1)
            .filter(|n| *n < list.len())
            .ok_or(EditError::AtEdge("bottom"))?,
    };
    list.swap(at, other);
    Ok(())
}

fn whole(field: &'static str, text: &str) -> Result<u32, EditError> {
    text.trim().parse().map_err(|_| EditError::NotAWholeNumber {
        field,
        text: text.to_owned(),
    })
}

fn bound(field: &'static str, text: &str) -> Result<Option<f64>, EditError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.replace(',', ".").parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(EditError::NotANumber {
            field,
            text: text.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests;
