//! A template's content as Automerge objects: written at the root of a template
//! document and, as a snapshot, under `template` in every run started from it.
//!
//! ```text
//! { key, version, title, purpose, clauses: [ "8.6.1", … ], passMark?,
//!   sections: [ { title, items: [ { id, kind, prompt, guidance, required,
//!       clause?, weight, yes?: {score, flag}, no?: {score, flag},
//!       options?: [ {value, label, score, flag} ], min?, max? } ] } ] }
//! ```
//! Numbers are written as signed integers (or floats for bounds), so
//! JavaScript readers see plain numbers. Reading goes through
//! `Template::parse`, so a stored template that breaks a rule is refused
//! whole rather than half-read.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::doc::ReadError;
use crate::model::checklist::{
    ChoiceOption, ItemSpec, KindSpec, Outcome, SectionSpec, Template, TemplateSpec,
};

/// Writes `template`'s content into the map `obj`, replacing what was there.
pub(crate) fn write(
    tx: &mut impl Transactable,
    obj: &ObjId,
    template: &Template,
) -> Result<(), AutomergeError> {
    write_spec(tx, obj, &template.to_spec())
}

/// Writes `spec` into the map `obj` as it is, checked or not (a draft's
/// unfinished content is kept this way, under `working`).
pub(crate) fn write_spec(
    tx: &mut impl Transactable,
    obj: &ObjId,
    spec: &TemplateSpec,
) -> Result<(), AutomergeError> {
    tx.put(obj, "key", spec.key.as_str())?;
    tx.put(obj, "version", i64::from(spec.version))?;
    tx.put(obj, "title", spec.title.as_str())?;
    tx.put(obj, "purpose", spec.purpose.as_str())?;
    let clauses = tx.put_object(obj, "clauses", ObjType::List)?;
    for (i, clause) in spec.clauses.iter().enumerate() {
        tx.insert(&clauses, i, clause.as_str())?;
    }
    match spec.pass_mark {
        Some(mark) => tx.put(obj, "passMark", i64::from(mark))?,
        None => tx.delete(obj, "passMark")?,
    }
    let sections = tx.put_object(obj, "sections", ObjType::List)?;
    for (i, section) in spec.sections.iter().enumerate() {
        let map = tx.insert_object(&sections, i, ObjType::Map)?;
        tx.put(&map, "title", section.title.as_str())?;
        let items = tx.put_object(&map, "items", ObjType::List)?;
        for (j, item) in section.items.iter().enumerate() {
            let map = tx.insert_object(&items, j, ObjType::Map)?;
            write_item(tx, &map, item)?;
        }
    }
    Ok(())
}

/// Reads the content stored in the map `obj` (not its status).
pub(crate) fn read(doc: &Automerge, obj: &ObjId) -> Result<Template, ReadError> {
    Template::parse(read_spec(doc, obj)?).map_err(|_| ReadError::BadField("sections"))
}

/// Reads the content stored in the map `obj` without checking it.
pub(crate) fn read_spec(doc: &Automerge, obj: &ObjId) -> Result<TemplateSpec, ReadError> {
    let node = Node::at(doc, obj.clone());
    Ok(TemplateSpec {
        key: node.text("key").ok_or(ReadError::BadField("key"))?,
        version: node
            .int("version")
            .and_then(|v| u32::try_from(v).ok())
            .ok_or(ReadError::BadField("version"))?,
        title: node.text("title").ok_or(ReadError::BadField("title"))?,
        purpose: node.text("purpose").unwrap_or_default(),
        clauses: node.texts("clauses"),
        pass_mark: node.int("passMark").and_then(|m| u32::try_from(m).ok()),
        sections: node
            .maps("sections")
            .iter()
            .map(|s| SectionSpec {
                title: s.text("title").unwrap_or_default(),
                items: s.maps("items").iter().map(read_item).collect(),
            })
            .collect(),
    })
}

fn write_item(
    tx: &mut impl Transactable,
    map: &ObjId,
    item: &ItemSpec,
) -> Result<(), AutomergeError> {
    let kind = match &item.kind {
        KindSpec::YesNo { .. } => "yesNo",
        KindSpec::SingleChoice(_) => "singleChoice",
        KindSpec::MultipleChoice(_) => "multipleChoice",
        KindSpec::Number { .. } => "number",
        KindSpec::Text => "text",
        KindSpec::Date => "date",
        KindSpec::Photo => "photo",
        KindSpec::Signature => "signature",
        KindSpec::Instruction => "instruction",
    };
    tx.put(map, "id", item.id.as_str())?;
    tx.put(map, "kind", kind)?;
    tx.put(map, "prompt", item.prompt.as_str())?;
    tx.put(map, "guidance", item.guidance.as_str())?;
    tx.put(map, "required", item.required)?;
    if let Some(clause) = &item.clause {
        tx.put(map, "clause", clause.as_str())?;
    }
    tx.put(map, "weight", i64::from(item.weight))?;
    match &item.kind {
        KindSpec::YesNo { yes, no } => {
            for (key, o) in [("yes", yes), ("no", no)] {
                let obj = tx.put_object(map, key, ObjType::Map)?;
                write_outcome(tx, &obj, o)?;
            }
        }
        KindSpec::SingleChoice(options) | KindSpec::MultipleChoice(options) => {
            let list = tx.put_object(map, "options", ObjType::List)?;
            for (i, option) in options.iter().enumerate() {
                let obj = tx.insert_object(&list, i, ObjType::Map)?;
                tx.put(&obj, "value", option.value.as_str())?;
                tx.put(&obj, "label", option.label.as_str())?;
                write_outcome(tx, &obj, &option.outcome)?;
            }
        }
        KindSpec::Number { min, max } => {
            if let Some(min) = min {
                tx.put(map, "min", *min)?;
            }
            if let Some(max) = max {
                tx.put(map, "max", *max)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn write_outcome(
    tx: &mut impl Transactable,
    obj: &ObjId,
    outcome: &Outcome,
) -> Result<(), AutomergeError> {
    tx.put(obj, "score", i64::from(outcome.score))?;
    tx.put(obj, "flag", outcome.flag)
}

fn read_item(node: &Node<'_>) -> ItemSpec {
    let outcome = |n: &Node<'_>| Outcome {
        score: n
            .int("score")
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(0),
        flag: n.boolean("flag").unwrap_or(false),
    };
    let options = || {
        node.maps("options")
            .iter()
            .map(|o| ChoiceOption {
                value: o.text("value").unwrap_or_default(),
                label: o.text("label").unwrap_or_default(),
                outcome: outcome(o),
            })
            .collect()
    };
    let side = |key| node.map(key).map(|n| outcome(&n)).unwrap_or_default();
    let kind = match node.text("kind").as_deref() {
        Some("yesNo") => KindSpec::YesNo {
            yes: side("yes"),
            no: side("no"),
        },
        Some("singleChoice") => KindSpec::SingleChoice(options()),
        Some("multipleChoice") => KindSpec::MultipleChoice(options()),
        Some("number") => KindSpec::Number {
            min: node.float("min"),
            max: node.float("max"),
        },
        Some("text") => KindSpec::Text,
        Some("date") => KindSpec::Date,
        Some("photo") => KindSpec::Photo,
        Some("signature") => KindSpec::Signature,
        // An unknown kind from a newer version shows as words only.
        _ => KindSpec::Instruction,
    };
    ItemSpec {
        id: node.text("id").unwrap_or_default(),
        kind,
        prompt: node.text("prompt").unwrap_or_default(),
        guidance: node.text("guidance").unwrap_or_default(),
        required: node.boolean("required").unwrap_or(false),
        clause: node.text("clause"),
        weight: node
            .int("weight")
            .and_then(|w| u32::try_from(w).ok())
            .unwrap_or(1),
    }
}

/// A map object of a document, read field by field; missing or mistyped
/// fields read as `None`.
pub(crate) struct Node<'a> {
    doc: &'a Automerge,
    obj: ObjId,
}

impl<'a> Node<'a> {
    pub(crate) fn at(doc: &'a Automerge, obj: ObjId) -> Node<'a> {
        Node { doc, obj }
    }

    pub(crate) fn scalar(&self, key: &str) -> Option<ScalarValue> {
        match self.doc.get(&self.obj, key).ok().flatten()? {
            (Value::Scalar(s), _) => Some(s.into_owned()),
            _ => None,
        }
    }

    pub(crate) fn text(&self, key: &str) -> Option<String> {
        self.scalar(key).and_then(|v| v.as_str().map(str::to_owned))
    }

    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        self.scalar(key).and_then(|v| crate::doc::whole_number(&v))
    }

    pub(crate) fn float(&self, key: &str) -> Option<f64> {
        match self.scalar(key)? {
            ScalarValue::F64(f) => Some(f),
            ScalarValue::Int(n) => Some(n as f64),
            ScalarValue::Uint(n) => Some(n as f64),
            _ => None,
        }
    }

    pub(crate) fn boolean(&self, key: &str) -> Option<bool> {
        match self.scalar(key)? {
            ScalarValue::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The object under `key` if it is of type `ty`.
    pub(crate) fn object(&self, key: &str, ty: ObjType) -> Option<ObjId> {
        match self.doc.get(&self.obj, key).ok().flatten()? {
            (Value::Object(found), id) if found == ty => Some(id),
            _ => None,
        }
    }

    pub(crate) fn map(&self, key: &str) -> Option<Node<'a>> {
        self.object(key, ObjType::Map)
            .map(|o| Node::at(self.doc, o))
    }

    /// The maps of the list under `key`, skipping anything else.
    pub(crate) fn maps(&self, key: &str) -> Vec<Node<'a>> {
        let Some(list) = self.object(key, ObjType::List) else {
            return Vec::new();
        };
        self.doc
            .list_range(&list, ..)
            .filter(|item| matches!(item.value, automerge::ValueRef::Object(ObjType::Map)))
            .map(|item| Node::at(self.doc, item.id()))
            .collect()
    }

    /// The strings of the list under `key`, skipping anything else.
    pub(crate) fn texts(&self, key: &str) -> Vec<String> {
        let Some(list) = self.object(key, ObjType::List) else {
            return Vec::new();
        };
        self.doc
            .list_range(&list, ..)
            .filter_map(|item| item.value.into_value().as_str().map(str::to_owned))
            .collect()
    }
}
