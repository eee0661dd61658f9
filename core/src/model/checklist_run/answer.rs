//! One answer to one item of a run: the value (or "not applicable"), a note,
//! photos, and who gave it when.
//!
//! An answer is checked against the item it answers ([`Answer::check`]) before
//! it is written, and again when it is read from a document (a device on an
//! older template version, or a hand-edited document, must not put a
//! "maybe" into a yes/no item unseen).

use crate::model::access::Person;
use crate::model::checklist::{Item, ItemId, ItemKind};
use crate::model::date::Date;
use crate::model::evidence::BlobHash;

/// One answer to one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub response: Response,
    /// What the person saw or was told; may be empty.
    pub note: String,
    /// Photos taken for this item (the value of a photo item, evidence for any other).
    pub photos: Vec<BlobHash>,
    pub by: Person,
    /// Device time of the answer, milliseconds since the Unix epoch.
    pub at_ms: i64,
}

/// An answer's value, or that the item does not apply here.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Not applicable: left out of the score's maximum, never flagged.
    NotApplicable,
    Given(AnswerValue),
}

/// The value of an answer, one variant per item kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerValue {
    Yes,
    No,
    /// The value of the chosen option.
    Choice(String),
    /// The values of the chosen options, possibly none.
    Choices(Vec<String>),
    Number(f64),
    Text(String),
    Date(Date),
    /// The photos are in [`Answer::photos`].
    Photo,
    Signature(BlobHash),
}

/// Why an answer does not fit its item.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("item `{0}` is not in this run's template")]
    UnknownItem(ItemId),
    #[error("item `{0}` is an instruction; there is nothing to answer")]
    NothingToAnswer(ItemId),
    #[error("item `{item}` takes a {expected} answer")]
    WrongKind {
        item: ItemId,
        expected: &'static str,
    },
    #[error("“{value}” is not one of the options of item `{item}`")]
    UnknownOption { item: ItemId, value: String },
    #[error("item `{0}` needs a number")]
    NotANumber(ItemId),
    #[error("item `{0}` needs at least one photo")]
    NoPhoto(ItemId),
    #[error("answer item `{0}` first, then add photos to the answer")]
    NotAnsweredYet(ItemId),
}

impl Answer {
    /// Whether this answer fits `item`: the value matches its kind and options.
    pub fn check(&self, item: &Item) -> Result<(), AnswerError> {
        let id = || item.id().clone();
        if !item.is_answerable() {
            return Err(AnswerError::NothingToAnswer(id()));
        }
        let value = match &self.response {
            Response::NotApplicable => return Ok(()),
            Response::Given(value) => value,
        };
        let wrong = || AnswerError::WrongKind {
            item: id(),
            expected: item.kind().as_str(),
        };
        let unknown = |value: &str| AnswerError::UnknownOption {
            item: id(),
            value: value.to_owned(),
        };
        match (item.kind(), value) {
            (ItemKind::YesNo { .. }, AnswerValue::Yes | AnswerValue::No) => Ok(()),
            (ItemKind::SingleChoice(options), AnswerValue::Choice(v)) => {
                options.get(v).map(|_| ()).ok_or_else(|| unknown(v))
            }
            (ItemKind::MultipleChoice(options), AnswerValue::Choices(vs)) => {
                match vs.iter().find(|v| options.get(v).is_none()) {
                    Some(v) => Err(unknown(v)),
                    None => Ok(()),
                }
            }
            (ItemKind::Number(_), AnswerValue::Number(n)) if n.is_finite() => Ok(()),
            (ItemKind::Number(_), AnswerValue::Number(_)) => Err(AnswerError::NotANumber(id())),
            (ItemKind::Text, AnswerValue::Text(_))
            | (ItemKind::Date, AnswerValue::Date(_))
            | (ItemKind::Signature, AnswerValue::Signature(_)) => Ok(()),
            (ItemKind::Photo, AnswerValue::Photo) if !self.photos.is_empty() => Ok(()),
            (ItemKind::Photo, AnswerValue::Photo) => Err(AnswerError::NoPhoto(id())),
            _ => Err(wrong()),
        }
    }

    /// Whether this answer to `item` is flagged (suggests a finding): a flagged
    /// yes/no or option, or a number outside the item's bounds. Not applicable
    /// is never flagged.
    pub fn is_flagged(&self, item: &Item) -> bool {
        let Response::Given(value) = &self.response else {
            return false;
        };
        match (item.kind(), value) {
            (ItemKind::YesNo { yes, .. }, AnswerValue::Yes) => yes.flag,
            (ItemKind::YesNo { no, .. }, AnswerValue::No) => no.flag,
            (ItemKind::SingleChoice(options), AnswerValue::Choice(v)) => {
                options.get(v).is_some_and(|o| o.outcome.flag)
            }
            (ItemKind::MultipleChoice(options), AnswerValue::Choices(vs)) => vs
                .iter()
                .any(|v| options.get(v).is_some_and(|o| o.outcome.flag)),
            (ItemKind::Number(bounds), AnswerValue::Number(n)) => !bounds.contains(*n),
            _ => false,
        }
    }

    /// What the answer earns on `item` before weighting; `None` when it is not
    /// applicable (and so left out of the maximum too).
    pub fn outcome_score(&self, item: &Item) -> Option<u32> {
        let Response::Given(value) = &self.response else {
            return None;
        };
        Some(match (item.kind(), value) {
            (ItemKind::YesNo { yes, .. }, AnswerValue::Yes) => yes.score,
            (ItemKind::YesNo { no, .. }, AnswerValue::No) => no.score,
            (ItemKind::SingleChoice(options), AnswerValue::Choice(v)) => {
                options.get(v).map_or(0, |o| o.outcome.score)
            }
            (ItemKind::MultipleChoice(options), AnswerValue::Choices(vs)) => options
                .iter()
                .filter(|o| vs.contains(&o.value))
                .fold(0u32, |sum, o| sum.saturating_add(o.outcome.score)),
            _ => 0,
        })
    }

    pub fn is_not_applicable(&self) -> bool {
        self.response == Response::NotApplicable
    }
}

impl AnswerValue {
    /// The value as a person reads it, with `item`'s option labels.
    pub fn display(&self, item: &Item) -> String {
        let label = |v: &str| match item.kind() {
            ItemKind::SingleChoice(o) | ItemKind::MultipleChoice(o) => {
                o.get(v).map_or_else(|| v.to_owned(), |o| o.label.clone())
            }
            _ => v.to_owned(),
        };
        match self {
            AnswerValue::Yes => "Yes".to_owned(),
            AnswerValue::No => "No".to_owned(),
            AnswerValue::Choice(v) => label(v),
            AnswerValue::Choices(vs) if vs.is_empty() => "None of these".to_owned(),
            AnswerValue::Choices(vs) => vs.iter().map(|v| label(v)).collect::<Vec<_>>().join(", "),
            AnswerValue::Number(n) => n.to_string(),
            AnswerValue::Text(t) => t.clone(),
            AnswerValue::Date(d) => d.to_string(),
            AnswerValue::Photo => "Photo".to_owned(),
            AnswerValue::Signature(_) => "Signed".to_owned(),
        }
    }
}

impl Response {
    /// The response as a person reads it.
    pub fn display(&self, item: &Item) -> String {
        match self {
            Response::NotApplicable => "Not applicable".to_owned(),
            Response::Given(value) => value.display(item),
        }
    }
}
