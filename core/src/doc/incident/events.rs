//! The stored form of an event: one map in the incident's `events` list.
//!
//! ```text
//! { id, type, at, device, ...fields of the type }
//!   assigned         group, assignee?
//!   held             reason: "caller" | "vendor" | "change" | "problem"
//!   resolved         code, notes
//!   closed           closure: "confirmed", by  |  closure: "auto", after (ms)
//!   reopened, cancelled, majorDeclared    reason
//!   majorReviewed    notes
//!   priorityChanged  impact, urgency, priority (1–4 each)
//!   note             text
//!   reconciled       events: [event id, …]
//!   approvalRequested
//!   approved         by, role
//!   approvalRefused  by, role, reason
//! ```
//! Fields a reader does not know are ignored. A known type missing a field it
//! needs reads as `EventKind::Unreadable` (the lifecycle refuses it, visibly); an
//! unknown type reads as `EventKind::Other`. Entries without an id, type, time or
//! device cannot be told apart and are skipped.

use automerge::transaction::Transactable;
use automerge::{
    Automerge, AutomergeError, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value,
};

use super::as_i64;
use crate::model::access::Role;
use crate::model::event::{Closure, Event, EventKind, HoldReason};
use crate::model::priority::{Impact, Priority, Urgency};

/// Whether this version can store an event of this kind (not `Other` or `Unreadable`).
pub(super) fn writable(kind: &EventKind) -> bool {
    !matches!(kind, EventKind::Other(_) | EventKind::Unreadable { .. })
}

/// Inserts `event` as a map at `index` of the `events` list.
pub(super) fn write(
    tx: &mut impl Transactable,
    list: &ObjId,
    index: usize,
    event: &Event,
) -> Result<(), AutomergeError> {
    let map = tx.insert_object(list, index, ObjType::Map)?;
    tx.put(&map, "id", event.id.as_str())?;
    tx.put(&map, "type", event.kind.as_str())?;
    tx.put(&map, "at", event.at_ms)?;
    tx.put(&map, "device", event.device.as_str())?;
    let mut text = |key: &str, value: &str| tx.put(&map, key, value);
    match &event.kind {
        EventKind::Assigned { group, assignee } => {
            text("group", group)?;
            if let Some(assignee) = assignee {
                text("assignee", assignee)?;
            }
        }
        EventKind::Held { reason } => text("reason", reason.as_str())?,
        EventKind::Resolved { code, notes } => {
            text("code", code)?;
            text("notes", notes)?;
        }
        EventKind::Closed { closure } => match closure {
            Closure::Confirmed { by } => {
                text("closure", "confirmed")?;
                text("by", by)?;
            }
            Closure::AutoClosed { after_ms } => {
                text("closure", "auto")?;
                tx.put(&map, "after", *after_ms)?;
            }
        },
        EventKind::Reopened { reason }
        | EventKind::Cancelled { reason }
        | EventKind::MajorDeclared { reason } => text("reason", reason)?,
        EventKind::MajorReviewed { notes } => text("notes", notes)?,
        EventKind::WorkNote { text: note } => text("text", note)?,
        EventKind::PriorityChanged {
            impact,
            urgency,
            priority,
        } => {
            tx.put(&map, "impact", i64::from(impact.level()))?;
            tx.put(&map, "urgency", i64::from(urgency.level()))?;
            tx.put(&map, "priority", i64::from(priority.rank()))?;
        }
        EventKind::Reconciled { events } => {
            let ids = tx.put_object(&map, "events", ObjType::List)?;
            for (i, id) in events.iter().enumerate() {
                tx.insert(&ids, i, id.as_str())?;
            }
        }
        EventKind::Approved { by, role } => {
            text("by", by)?;
            text("role", role.as_str())?;
        }
        EventKind::ApprovalRefused { by, role, reason } => {
            text("by", by)?;
            text("role", role.as_str())?;
            text("reason", reason)?;
        }
        EventKind::Created
        | EventKind::WorkStarted
        | EventKind::Resumed
        | EventKind::ApprovalRequested
        | EventKind::Unreadable { .. }
        | EventKind::Other(_) => {}
    }
    Ok(())
}

/// Reads every event of the `events` list `list`, as of `heads` if given, in list order.
pub(super) fn read_all(doc: &Automerge, list: &ObjId, heads: Option<&[ChangeHash]>) -> Vec<Event> {
    let reader = Reader { doc, heads };
    reader
        .items(list)
        .into_iter()
        .filter(|(value, _)| matches!(value, Value::Object(ObjType::Map)))
        .filter_map(|(_, obj)| reader.event(&obj))
        .collect()
}

/// Reads the event in the map `obj` as it is now.
pub(super) fn read_one(doc: &Automerge, obj: &ObjId) -> Option<Event> {
    Reader { doc, heads: None }.event(obj)
}

/// Reads fields of event maps, now or as of some heads.
struct Reader<'a> {
    doc: &'a Automerge,
    heads: Option<&'a [ChangeHash]>,
}

impl Reader<'_> {
    fn items(&self, list: &ObjId) -> Vec<(Value<'_>, ObjId)> {
        let pair = |item: automerge::iter::ListRangeItem<'_>| {
            let id = item.id();
            (item.value.into_value(), id)
        };
        match self.heads {
            Some(heads) => self.doc.list_range_at(list, .., heads).map(pair).collect(),
            None => self.doc.list_range(list, ..).map(pair).collect(),
        }
    }

    fn get(&self, obj: &ObjId, key: &str) -> Option<Value<'_>> {
        let found = match self.heads {
            Some(heads) => self.doc.get_at(obj, key, heads),
            None => self.doc.get(obj, key),
        };
        found.ok().flatten().map(|(value, _)| value)
    }

    fn scalar(&self, obj: &ObjId, key: &str) -> Option<ScalarValue> {
        match self.get(obj, key)? {
            Value::Scalar(s) => Some(s.into_owned()),
            Value::Object(_) => None,
        }
    }

    fn text(&self, obj: &ObjId, key: &'static str) -> Result<String, &'static str> {
        self.scalar(obj, key)
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or(key)
    }

    fn int(&self, obj: &ObjId, key: &'static str) -> Result<i64, &'static str> {
        self.scalar(obj, key).and_then(|v| as_i64(&v)).ok_or(key)
    }

    fn event(&self, obj: &ObjId) -> Option<Event> {
        let type_name = self.text(obj, "type").ok()?;
        Some(Event {
            id: self.text(obj, "id").ok()?,
            at_ms: self.int(obj, "at").ok()?,
            device: self.text(obj, "device").ok()?,
            kind: self
                .kind(obj, &type_name)
                .unwrap_or_else(|field| EventKind::Unreadable {
                    kind: type_name.clone(),
                    field,
                }),
        })
    }

    /// The kind named `type_name`, or the first field it needs that cannot be read.
    fn kind(&self, obj: &ObjId, type_name: &str) -> Result<EventKind, &'static str> {
        let text = |key| self.text(obj, key);
        let level = |key| self.int(obj, key);
        let role = || text("role")?.parse::<Role>().map_err(|_| "role");
        Ok(match type_name {
            "created" => EventKind::Created,
            "assigned" => EventKind::Assigned {
                group: text("group")?,
                assignee: text("assignee").ok(),
            },
            "workStarted" => EventKind::WorkStarted,
            "held" => EventKind::Held {
                reason: HoldReason::parse(&text("reason")?).ok_or("reason")?,
            },
            "resumed" => EventKind::Resumed,
            "resolved" => EventKind::Resolved {
                code: text("code")?,
                notes: text("notes")?,
            },
            "closed" => EventKind::Closed {
                closure: match text("closure")?.as_str() {
                    "confirmed" => Closure::Confirmed { by: text("by")? },
                    "auto" => Closure::AutoClosed {
                        after_ms: self.int(obj, "after")?,
                    },
                    _ => return Err("closure"),
                },
            },
            "reopened" => EventKind::Reopened {
                reason: text("reason")?,
            },
            "cancelled" => EventKind::Cancelled {
                reason: text("reason")?,
            },
            "majorDeclared" => EventKind::MajorDeclared {
                reason: text("reason")?,
            },
            "majorReviewed" => EventKind::MajorReviewed {
                notes: text("notes")?,
            },
            "priorityChanged" => EventKind::PriorityChanged {
                impact: Impact::parse(level("impact")?).map_err(|_| "impact")?,
                urgency: Urgency::parse(level("urgency")?).map_err(|_| "urgency")?,
                priority: Priority::from_rank(level("priority")?).ok_or("priority")?,
            },
            "note" => EventKind::WorkNote {
                text: text("text")?,
            },
            "reconciled" => EventKind::Reconciled {
                events: self.id_list(obj).ok_or("events")?,
            },
            "approvalRequested" => EventKind::ApprovalRequested,
            "approved" => EventKind::Approved {
                by: text("by")?,
                role: role()?,
            },
            "approvalRefused" => EventKind::ApprovalRefused {
                by: text("by")?,
                role: role()?,
                reason: text("reason")?,
            },
            other => EventKind::Other(other.to_owned()),
        })
    }

    fn id_list(&self, obj: &ObjId) -> Option<Vec<String>> {
        let found = match self.heads {
            Some(heads) => self.doc.get_at(obj, "events", heads),
            None => self.doc.get(obj, "events"),
        };
        let list = match found.ok().flatten()? {
            (Value::Object(ObjType::List), id) => id,
            _ => return None,
        };
        let values = self.items(&list);
        Some(
            values
                .into_iter()
                .filter_map(|(v, _)| v.as_str().map(str::to_owned))
                .collect(),
        )
    }
}
