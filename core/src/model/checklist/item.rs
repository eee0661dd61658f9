//! One question of a checklist template and the kinds of answer it takes.
//!
//! An item's id is stable across template versions: answers, finding evidence
//! and reports point at it, so a reworded prompt keeps its history. Scores and
//! flags sit on the options (yes, no, each choice) rather than on the item,
//! because "no" is what usually raises a finding, and a choice item can have
//! several options that do.

use std::fmt;
use std::str::FromStr;

use crate::model::evidence::ClauseRef;

/// A stable item id: 1 to 64 ASCII letters, digits, `.`, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(String);

/// Why text is not an item id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an item id (1 to 64 letters, digits, `.`, `-` or `_`)")]
pub struct BadItemId(pub String);

/// One question of a template. Built only by parsing a template, so every item
/// a program holds has a prompt and a kind whose options make sense.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub(super) id: ItemId,
    pub(super) prompt: String,
    pub(super) guidance: String,
    pub(super) required: bool,
    pub(super) clause: Option<ClauseRef>,
    pub(super) weight: u32,
    pub(super) kind: ItemKind,
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// Yes or no (every answerable item may also be answered "not applicable").
    YesNo {
        yes: Outcome,
        no: Outcome,
    },
    /// Exactly one of the options.
    SingleChoice(Options),
    /// Any of the options, possibly none.
    MultipleChoice(Options),
    /// A number; one outside the bounds is recorded and flagged, not refused,
    /// because it is what was measured.
    Number(Bounds),
    Text,
    Date,
    /// One or more photos.
    Photo,
    /// A signature image.
    Signature,
    /// Words for the person filling in the run; nothing to answer.
    Instruction,
}

/// What choosing an option earns, before the item's weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    pub score: u32,
    /// A flagged answer suggests a finding.
    pub flag: bool,
}

/// One option of a choice item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceOption {
    /// What is stored in an answer; stable across versions like the item id.
    pub value: String,
    /// What a person reads.
    pub label: String,
    pub outcome: Outcome,
}

/// The options of a choice item: at least one, values unique and non-empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options(Vec<ChoiceOption>);

/// Optional lower and upper bounds of a number item, finite, `min <= max`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bounds {
    min: Option<f64>,
    max: Option<f64>,
}

/// Why an item's options or bounds are not usable; the template parser wraps
/// these with the item's id.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KindError {
    #[error("a choice item needs at least one option")]
    NoOptions,
    #[error("an option needs a value")]
    EmptyOptionValue,
    #[error("option `{0}` appears twice")]
    DuplicateOption(String),
    #[error("a bound must be a finite number")]
    NotFinite,
    #[error("the lower bound {min} is above the upper bound {max}")]
    BoundsReversed { min: f64, max: f64 },
}

impl ItemId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ItemId {
    type Err = BadItemId;

    fn from_str(s: &str) -> Result<ItemId, BadItemId> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        match ok {
            true => Ok(ItemId(s.to_owned())),
            false => Err(BadItemId(s.to_owned())),
        }
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Item {
    pub fn id(&self) -> &ItemId {
        &self.id
    }

    /// The question as the person filling in the run reads it.
    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// What to look at or ask for; may be empty.
    pub fn guidance(&self) -> &str {
        &self.guidance
    }

    /// Whether the run cannot be submitted without an answer (n/a counts).
    pub fn required(&self) -> bool {
        self.required && self.is_answerable()
    }

    pub fn clause(&self) -> Option<&ClauseRef> {
        self.clause.as_ref()
    }

    /// What each point of this item's outcome counts for in the run's score.
    pub fn weight(&self) -> u32 {
        self.weight
    }

    pub fn kind(&self) -> &ItemKind {
        &self.kind
    }

    /// Everything but instructions takes an answer.
    pub fn is_answerable(&self) -> bool {
        !matches!(self.kind, ItemKind::Instruction)
    }

    /// The most this item's outcome can earn before weighting: the best of yes
    /// and no, the best option, or every positive option together. Zero for
    /// kinds that are not scored.
    pub fn max_outcome(&self) -> u32 {
        match &self.kind {
            ItemKind::YesNo { yes, no } => yes.score.max(no.score),
            ItemKind::SingleChoice(options) => {
                options.iter().map(|o| o.outcome.score).max().unwrap_or(0)
            }
            ItemKind::MultipleChoice(options) => options
                .iter()
                .fold(0u32, |sum, o| sum.saturating_add(o.outcome.score)),
            _ => 0,
        }
    }
}

impl ItemKind {
    /// The kind's name as stored.
    pub fn as_str(&self) -> &'static str {
        match self {
            ItemKind::YesNo { .. } => "yesNo",
            ItemKind::SingleChoice(_) => "singleChoice",
            ItemKind::MultipleChoice(_) => "multipleChoice",
            ItemKind::Number(_) => "number",
            ItemKind::Text => "text",
            ItemKind::Date => "date",
            ItemKind::Photo => "photo",
            ItemKind::Signature => "signature",
            ItemKind::Instruction => "instruction",
        }
    }
}

impl Outcome {
    /// Scores `score`, raises no flag.
    pub fn scores(score: u32) -> Outcome {
        Outcome { score, flag: false }
    }

    /// Scores nothing and flags the answer.
    pub fn flagged() -> Outcome {
        Outcome {
            score: 0,
            flag: true,
        }
    }
}

impl Options {
    /// Checks that there is at least one option and that values are unique.
    pub fn new(options: Vec<ChoiceOption>) -> Result<Options, KindError> {
        if options.is_empty() {
            return Err(KindError::NoOptions);
        }
        for (i, option) in options.iter().enumerate() {
            if option.value.trim().is_empty() {
                return Err(KindError::EmptyOptionValue);
            }
            if options[..i].iter().any(|o| o.value == option.value) {
                return Err(KindError::DuplicateOption(option.value.clone()));
            }
        }
        Ok(Options(options))
    }

    pub fn iter(&self) -> impl Iterator<Item = &ChoiceOption> {
        self.0.iter()
    }

    /// The option stored as `value`.
    pub fn get(&self, value: &str) -> Option<&ChoiceOption> {
        self.0.iter().find(|o| o.value == value)
    }
}

impl Bounds {
    /// Checks that the bounds are finite and in order.
    pub fn new(min: Option<f64>, max: Option<f64>) -> Result<Bounds, KindError> {
        if min.into_iter().chain(max).any(|b| !b.is_finite()) {
            return Err(KindError::NotFinite);
        }
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(KindError::BoundsReversed { min, max });
            }
        }
        Ok(Bounds { min, max })
    }

    pub fn min(&self) -> Option<f64> {
        self.min
    }

    pub fn max(&self) -> Option<f64> {
        self.max
    }

    /// Whether `value` lies within the bounds (inclusive).
    pub fn contains(&self, value: f64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }
}
