//! A template as it comes in, before parsing: what an editing form, the shipped
//! templates and the stored document give. Every field is plain data; nothing
//! here is checked. [`Template::parse`](super::Template::parse) turns it into a
//! template or says what is wrong, and [`Template::to_spec`](super::Template::to_spec)
//! turns a template back into it (for storing and for editing a draft).

use super::item::{ChoiceOption, Outcome};

/// A template's content, unchecked. The status is not part of it: that comes
/// from the template's publication log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateSpec {
    /// Names the template across its versions (`iso20000-internal-audit`).
    pub key: String,
    pub version: u32,
    pub title: String,
    /// Why the checklist exists and when it is used.
    pub purpose: String,
    /// Clauses of ISO/IEC 20000-1 the whole checklist addresses (`8.6.1`).
    pub clauses: Vec<String>,
    /// The percentage of the maximum score a run needs to pass, if it is scored.
    pub pass_mark: Option<u32>,
    pub sections: Vec<SectionSpec>,
}

/// A titled group of items, unchecked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SectionSpec {
    pub title: String,
    pub items: Vec<ItemSpec>,
}

/// One item, unchecked.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSpec {
    pub id: String,
    pub kind: KindSpec,
    pub prompt: String,
    pub guidance: String,
    pub required: bool,
    pub clause: Option<String>,
    pub weight: u32,
}

/// An item's kind with its options or bounds, unchecked.
#[derive(Debug, Clone, PartialEq)]
pub enum KindSpec {
    YesNo { yes: Outcome, no: Outcome },
    SingleChoice(Vec<ChoiceOption>),
    MultipleChoice(Vec<ChoiceOption>),
    Number { min: Option<f64>, max: Option<f64> },
    Text,
    Date,
    Photo,
    Signature,
    Instruction,
}

impl KindSpec {
    /// Yes scores one point, no scores none and is flagged: the usual audit question.
    pub fn yes_no() -> KindSpec {
        KindSpec::YesNo {
            yes: Outcome::scores(1),
            no: Outcome::flagged(),
        }
    }
}

impl ItemSpec {
    /// A required yes/no item of weight 1 (see [`KindSpec::yes_no`]).
    pub fn yes_no(id: &str, prompt: &str) -> ItemSpec {
        ItemSpec {
            id: id.to_owned(),
            kind: KindSpec::yes_no(),
            prompt: prompt.to_owned(),
            guidance: String::new(),
            required: true,
            clause: None,
            weight: 1,
        }
    }
}
