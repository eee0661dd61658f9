//! A flagged answer suggests a finding: the clause it checks, a statement to
//! start from, and the answer's objective evidence.
//!
//! A suggestion is not a finding. The auditor decides whether it is one and how
//! to classify it; the suggestion only saves retyping what the run already
//! holds, and links back to the run and item so the finding's evidence can
//! always be traced to what was seen.

use super::answer::{Answer, Response};
use crate::model::checklist::{Item, ItemId, Template};
use crate::model::evidence::{ClauseRef, Evidence};

/// What a finding raised from one flagged answer would start with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingSuggestion {
    /// The item whose answer is flagged.
    pub item: ItemId,
    /// The item's clause, or the template's when the item names none.
    pub clauses: Vec<ClauseRef>,
    /// A pre-filled statement: the question and what was answered.
    pub statement: String,
    /// The answer's photos, its note, and a link to the run and item.
    pub evidence: Vec<Evidence>,
}

impl FindingSuggestion {
    /// The suggestion for `answer` to `item` of `template`, in the run stored in
    /// document `run_document`; `None` unless the answer is flagged.
    pub fn from_answer(
        template: &Template,
        item: &Item,
        answer: &Answer,
        run_document: &str,
    ) -> Option<FindingSuggestion> {
        if !answer.is_flagged(item) {
            return None;
        }
        let clauses = match item.clause() {
            Some(clause) => vec![clause.clone()],
            None => template.clauses().to_vec(),
        };
        let answered = match &answer.response {
            Response::Given(value) => value.display(item),
            Response::NotApplicable => return None,
        };
        let mut statement = format!(
            "{}: asked “{}”, the answer was “{}”.",
            template.title(),
            item.prompt(),
            answered
        );
        if !answer.note.trim().is_empty() {
            statement.push_str(&format!(" Note: {}", answer.note.trim()));
        }
        let mut evidence: Vec<Evidence> = answer
            .photos
            .iter()
            .map(|blob| Evidence::Photo {
                blob: blob.clone(),
                caption: item.prompt().to_owned(),
            })
            .collect();
        if !answer.note.trim().is_empty() {
            evidence.push(Evidence::Note {
                text: answer.note.trim().to_owned(),
            });
        }
        evidence.push(Evidence::Record {
            document: run_document.to_owned(),
            item: Some(item.id().to_string()),
            label: format!(
                "{} v{}: {}",
                template.title(),
                template.version(),
                item.prompt()
            ),
        });
        Some(FindingSuggestion {
            item: item.id().clone(),
            clauses,
            statement,
            evidence,
        })
    }
}
