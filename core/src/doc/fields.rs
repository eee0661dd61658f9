//! Stored shapes shared by the audit, finding and corrective-action documents:
//! people, evidence, dates, string lists, narrative text, fields that may hold
//! concurrent values, and the common part of every event map.
//!
//! ```text
//! event     { id, type, at, device, by, byName, byRole, ...fields of the type }
//! user      { id, name }
//! evidence  { type: "photo", blob, caption } | { type: "note", text }
//!         | { type: "record", document, item?, label }
//! date      "YYYY-MM-DD"
//! ```
//! An event whose person cannot be read keeps its place in the log as
//! unreadable (the lifecycle refuses it, visibly) under a technician's role,
//! the least a device can claim.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use super::{whole_number, ReadError, Stamp};
use crate::model::access::{Person, Role};
use crate::model::date::Date;
use crate::model::evidence::Evidence;
use crate::model::incident::Contested;
use crate::model::workflow::{Logged, UserRef};

/// Why a change to an audit, finding or corrective action could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the document rejected the change: {0}")]
    Automerge(#[from] AutomergeError),
    #[error("this version cannot write a “{0}” event")]
    NotWritable(String),
}

/// Why a person's workflow action was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PerformError<E: std::error::Error + 'static> {
    /// The lifecycle refused it; the message is for the person.
    #[error(transparent)]
    Refused(E),
    #[error(transparent)]
    Change(#[from] ChangeError),
}

/// Writes the parts of an event every record shares; returns its map.
pub(crate) fn put_event_header<K>(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    event: &Logged<K>,
    type_name: &str,
) -> Result<ObjId, AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    tx.put(&map, "id", event.id.as_str())?;
    tx.put(&map, "type", type_name)?;
    tx.put(&map, "at", event.at_ms)?;
    tx.put(&map, "device", event.device.as_str())?;
    tx.put(&map, "by", event.by.user_id.as_str())?;
    tx.put(&map, "byName", event.by.name.as_str())?;
    tx.put(&map, "byRole", event.by.role.as_str())?;
    Ok(map)
}

pub(crate) fn put_user(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    user: &UserRef,
) -> Result<(), AutomergeError> {
    let map = tx.put_object(obj, key, ObjType::Map)?;
    tx.put(&map, "id", user.user_id.as_str())?;
    tx.put(&map, "name", user.name.as_str())
}

pub(crate) fn put_users(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    users: &[UserRef],
) -> Result<(), AutomergeError> {
    let list = tx.put_object(obj, key, ObjType::List)?;
    for (i, user) in users.iter().enumerate() {
        let map = tx.insert_object(&list, i, ObjType::Map)?;
        tx.put(&map, "id", user.user_id.as_str())?;
        tx.put(&map, "name", user.name.as_str())?;
    }
    Ok(())
}

pub(crate) fn put_strings<S: AsRef<str>>(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    items: &[S],
) -> Result<(), AutomergeError> {
    let list = tx.put_object(obj, key, ObjType::List)?;
    for (i, item) in items.iter().enumerate() {
        tx.insert(&list, i, item.as_ref())?;
    }
    Ok(())
}

/// Makes the list at `key` hold `new`: removes what is gone, appends what is
/// new. Concurrent additions on two devices both survive.
pub(crate) fn sync_strings(
    tx: &mut impl Transactable,
    doc_list: Option<ObjId>,
    key: &str,
    old: &[String],
    new: &[String],
) -> Result<(), AutomergeError> {
    let Some(list) = doc_list else {
        return put_strings(tx, &ROOT, key, new);
    };
    for (i, item) in old.iter().enumerate().rev() {
        if !new.contains(item) {
            tx.delete(&list, i)?;
        }
    }
    let kept = old.iter().filter(|o| new.contains(o)).count();
    let added = new.iter().filter(|n| !old.contains(n));
    for (index, item) in (kept..).zip(added) {
        tx.insert(&list, index, item.as_str())?;
    }
    Ok(())
}

pub(crate) fn put_evidence(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    items: &[Evidence],
) -> Result<(), AutomergeError> {
    let list = tx.put_object(obj, key, ObjType::List)?;
    for (i, item) in items.iter().enumerate() {
        insert_evidence(tx, &list, i, item)?;
    }
    Ok(())
}

pub(crate) fn insert_evidence(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    item: &Evidence,
) -> Result<(), AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    match item {
        Evidence::Photo { blob, caption } => {
            tx.put(&map, "type", "photo")?;
            tx.put(&map, "blob", blob.as_str())?;
            tx.put(&map, "caption", caption.as_str())
        }
        Evidence::Note { text } => {
            tx.put(&map, "type", "note")?;
            tx.put(&map, "text", text.as_str())
        }
        Evidence::Record {
            document,
            item,
            label,
        } => {
            tx.put(&map, "type", "record")?;
            tx.put(&map, "document", document.as_str())?;
            if let Some(item) = item {
                tx.put(&map, "item", item.as_str())?;
            }
            tx.put(&map, "label", label.as_str())
        }
    }
}

/// Writes narrative text as an Automerge text object (it merges character by character).
pub(crate) fn put_text(
    tx: &mut impl Transactable,
    key: &str,
    text: &str,
) -> Result<(), AutomergeError> {
    let obj = tx.put_object(ROOT, key, ObjType::Text)?;
    tx.splice_text(&obj, 0, 0, text)
}

/// Rewrites the text at `key` into `new`. The text fields of these records are
/// short, so Automerge's own diff is cheap enough here.
pub(crate) fn update_text(
    tx: &mut impl Transactable,
    existing: Option<ObjId>,
    key: &str,
    new: &str,
) -> Result<(), AutomergeError> {
    match existing {
        Some(obj) => tx.update_text(&obj, new),
        None => put_text(tx, key, new),
    }
}

/// Runs `write` as one change stamped with `stamp` and `message`.
pub(crate) fn transact(
    doc: &mut Automerge,
    stamp: Stamp,
    message: &str,
    write: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<(), AutomergeError>,
) -> Result<(), ChangeError> {
    doc.transact_with::<_, _, AutomergeError, _>(|_| stamp.commit_options(message), write)
        .map_err(|failure| ChangeError::Automerge(failure.error))?;
    Ok(())
}

/// Reads fields of a document.
pub(crate) struct Reader<'a> {
    pub doc: &'a Automerge,
}

impl Reader<'_> {
    pub fn scalar(&self, obj: &ObjId, key: &str) -> Option<ScalarValue> {
        match self.doc.get(obj, key).ok().flatten()? {
            (Value::Scalar(s), _) => Some(s.into_owned()),
            _ => None,
        }
    }

    pub fn text(&self, obj: &ObjId, key: &'static str) -> Result<String, &'static str> {
        self.scalar(obj, key)
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or(key)
    }

    pub fn int(&self, obj: &ObjId, key: &'static str) -> Result<i64, &'static str> {
        self.scalar(obj, key)
            .and_then(|v| whole_number(&v))
            .ok_or(key)
    }

    pub fn object(&self, obj: &ObjId, key: &str, kind: ObjType) -> Option<ObjId> {
        match self.doc.get(obj, key).ok().flatten()? {
            (Value::Object(t), id) if t == kind => Some(id),
            _ => None,
        }
    }

    /// Narrative text, empty if absent.
    pub fn narrative(&self, key: &str) -> String {
        self.object(&ROOT, key, ObjType::Text)
            .and_then(|id| self.doc.text(&id).ok())
            .unwrap_or_default()
    }

    pub fn date(&self, obj: &ObjId, key: &'static str) -> Result<Date, &'static str> {
        self.text(obj, key)?.parse().map_err(|_| key)
    }

    pub fn user(&self, obj: &ObjId, key: &'static str) -> Result<UserRef, &'static str> {
        let map = self.object(obj, key, ObjType::Map).ok_or(key)?;
        self.user_map(&map).ok_or(key)
    }

    fn user_map(&self, map: &ObjId) -> Option<UserRef> {
        Some(UserRef {
            user_id: self.text(map, "id").ok()?,
            name: self.text(map, "name").ok()?,
        })
    }

    fn items(&self, list: &ObjId) -> Vec<(Value<'_>, ObjId)> {
        self.doc
            .list_range(list, ..)
            .map(|item| {
                let id = item.id();
                (item.value.into_value(), id)
            })
            .collect()
    }

    /// The strings of the list at `key`; `None` if it is not a list.
    pub fn strings(&self, obj: &ObjId, key: &str) -> Option<Vec<String>> {
        let list = self.object(obj, key, ObjType::List)?;
        Some(
            self.items(&list)
                .into_iter()
                .filter_map(|(v, _)| v.as_str().map(str::to_owned))
                .collect(),
        )
    }

    pub fn users(&self, obj: &ObjId, key: &'static str) -> Result<Vec<UserRef>, &'static str> {
        let list = self.object(obj, key, ObjType::List).ok_or(key)?;
        Ok(self
            .items(&list)
            .into_iter()
            .filter_map(|(_, id)| self.user_map(&id))
            .collect())
    }

    /// The evidence of the list at `key`; items that cannot be read are left out.
    pub fn evidence(&self, obj: &ObjId, key: &'static str) -> Result<Vec<Evidence>, &'static str> {
        let list = self.object(obj, key, ObjType::List).ok_or(key)?;
        Ok(self
            .items(&list)
            .into_iter()
            .filter_map(|(_, id)| self.evidence_map(&id))
            .collect())
    }

    fn evidence_map(&self, map: &ObjId) -> Option<Evidence> {
        let text = |key| self.text(map, key).ok();
        Some(match text("type")?.as_str() {
            "photo" => Evidence::Photo {
                blob: text("blob")?.parse().ok()?,
                caption: text("caption").unwrap_or_default(),
            },
            "note" => Evidence::Note {
                text: text("text")?,
            },
            "record" => Evidence::Record {
                document: text("document")?,
                item: text("item"),
                label: text("label").unwrap_or_default(),
            },
            _ => return None,
        })
    }

    /// Every concurrent value of a root field, Automerge's winner first; `None`
    /// if no value parses.
    pub fn contested<T: PartialEq>(
        &self,
        key: &str,
        parse: impl Fn(&Reader<'_>, &Value<'_>, &ObjId) -> Option<T>,
    ) -> Option<Contested<T>> {
        let all = self.doc.get_all(ROOT, key).ok()?;
        // get_all lists values in op order; the winner `get` shows is the last one.
        let mut values = all.iter().rev().filter_map(|(v, id)| parse(self, v, id));
        let value = values.next()?;
        let mut others: Vec<T> = Vec::new();
        for v in values {
            if v != value && !others.contains(&v) {
                others.push(v);
            }
        }
        Some(Contested { value, others })
    }

    /// A contested user field.
    pub fn contested_user(&self, key: &str) -> Option<Contested<UserRef>> {
        self.contested(key, |r, v, id| match v {
            Value::Object(ObjType::Map) => r.user_map(id),
            _ => None,
        })
    }

    /// A contested date field.
    pub fn contested_date(&self, key: &str) -> Option<Contested<Date>> {
        self.contested(key, |_, v, _| v.as_str().and_then(|s| s.parse().ok()))
    }

    /// Every event of the `events` list; `kind` reads the fields of one type
    /// (or names the first it cannot read), `unreadable` makes the kind that says so.
    pub fn events<K>(
        &self,
        kind: impl Fn(&Reader<'_>, &ObjId, &str) -> Result<K, &'static str>,
        unreadable: impl Fn(String, &'static str) -> K,
    ) -> Result<Vec<Logged<K>>, ReadError> {
        let list = self
            .object(&ROOT, "events", ObjType::List)
            .ok_or(ReadError::BadField("events"))?;
        Ok(self
            .items(&list)
            .into_iter()
            .filter(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
            .filter_map(|(_, map)| self.event(&map, &kind, &unreadable))
            .collect())
    }

    /// The event in the map `map` (see [`Reader::events`]); `None` without its
    /// type, id, time or device.
    pub fn event<K>(
        &self,
        map: &ObjId,
        kind: impl Fn(&Reader<'_>, &ObjId, &str) -> Result<K, &'static str>,
        unreadable: impl Fn(String, &'static str) -> K,
    ) -> Option<Logged<K>> {
        let type_name = self.text(map, "type").ok()?;
        let by = self.person(map);
        let kind = match &by {
            Ok(_) => kind(self, map, &type_name),
            Err(field) => Err(*field),
        };
        Some(Logged {
            id: self.text(map, "id").ok()?,
            at_ms: self.int(map, "at").ok()?,
            device: self.text(map, "device").ok()?,
            by: by.unwrap_or_else(|_| Person {
                user_id: String::new(),
                name: String::new(),
                role: Role::Technician,
            }),
            kind: kind.unwrap_or_else(|field| unreadable(type_name, field)),
        })
    }

    fn person(&self, map: &ObjId) -> Result<Person, &'static str> {
        Ok(Person {
            user_id: self.text(map, "by")?,
            name: self.text(map, "byName")?,
            role: self.text(map, "byRole")?.parse().map_err(|_| "byRole")?,
        })
    }
}
