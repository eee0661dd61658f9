//! The audit programme document.
//!
//! ```text
//! { kind: "audit-programme", schema: 1, title, periodStart, periodEnd,
//!   clauses: [string], processes: [string], sites: [string], createdAt,
//!   planned: [ { id, title, plannedFor, clauses, processes, sites, audit? } ] }
//! ```
//! `planned` is append-only: two planners offline both keep their audits. A
//! planned audit gets its `audit` (document id) once the audit record exists.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ReadDoc, Value, ROOT};

use crate::doc::fields::{put_strings, transact, ChangeError, Reader};
use crate::doc::{check_header, ReadError, Stamp, SCHEMA_VERSION};
use crate::model::access::RecordKind;
use crate::model::audit::{AuditProgramme, NewProgramme, Period, PlannedAudit, Scope};

const KIND: RecordKind = RecordKind::AuditProgramme;

/// Writes a new programme into an empty document.
pub fn create(doc: &mut Automerge, new: &NewProgramme, stamp: Stamp) -> Result<(), ChangeError> {
    transact(doc, stamp, "start audit programme", |tx| {
        tx.put(ROOT, "kind", KIND.as_str())?;
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "title", new.title.as_str())?;
        tx.put(ROOT, "periodStart", new.period.start().to_string())?;
        tx.put(ROOT, "periodEnd", new.period.end().to_string())?;
        put_scope(tx, &ROOT, &new.scope)?;
        tx.put(ROOT, "createdAt", stamp.at_ms)?;
        tx.put_object(ROOT, "planned", ObjType::List)?;
        Ok(())
    })
}

/// Reads the programme as it is now.
pub fn read(doc: &Automerge) -> Result<AuditProgramme, ReadError> {
    check_header(doc, KIND.as_str())?;
    let r = Reader { doc };
    let start = r.date(&ROOT, "periodStart").map_err(ReadError::BadField)?;
    let end = r.date(&ROOT, "periodEnd").map_err(ReadError::BadField)?;
    let planned = planned_list(doc)?;
    Ok(AuditProgramme {
        title: r.text(&ROOT, "title").map_err(ReadError::BadField)?,
        period: Period::new(start, end).map_err(|_| ReadError::BadField("periodEnd"))?,
        scope: scope(&r, &ROOT),
        planned: doc
            .list_range(&planned, ..)
            .filter(|item| matches!(item.value.clone().into_value(), Value::Object(ObjType::Map)))
            .filter_map(|item| {
                let map = item.id();
                Some(PlannedAudit {
                    id: r.text(&map, "id").ok()?,
                    title: r.text(&map, "title").ok()?,
                    planned_for: r.date(&map, "plannedFor").ok()?,
                    scope: scope(&r, &map),
                    audit: r.text(&map, "audit").ok(),
                })
            })
            .collect(),
        created_at_ms: r.int(&ROOT, "createdAt").map_err(ReadError::BadField)?,
    })
}

/// Adds a planned audit at the end of the list.
pub fn plan(doc: &mut Automerge, audit: &PlannedAudit, stamp: Stamp) -> Result<(), ChangeError> {
    check_header(doc, KIND.as_str())?;
    let list = planned_list(doc)?;
    let index = doc.length(&list);
    transact(doc, stamp, "plan audit", |tx| {
        let map = tx.insert_object(&list, index, ObjType::Map)?;
        tx.put(&map, "id", audit.id.as_str())?;
        tx.put(&map, "title", audit.title.as_str())?;
        tx.put(&map, "plannedFor", audit.planned_for.to_string())?;
        put_scope(tx, &map, &audit.scope)?;
        if let Some(document) = &audit.audit {
            tx.put(&map, "audit", document.as_str())?;
        }
        Ok(())
    })
}

/// Records the audit document that carries out the planned audit `planned`.
pub fn link_audit(
    doc: &mut Automerge,
    planned: &str,
    audit: &str,
    stamp: Stamp,
) -> Result<(), ChangeError> {
    check_header(doc, KIND.as_str())?;
    let list = planned_list(doc)?;
    let r = Reader { doc };
    let map = doc
        .list_range(&list, ..)
        .map(|item| item.id())
        .find(|map| r.text(map, "id").ok().as_deref() == Some(planned))
        .ok_or(ReadError::BadField("planned"))?;
    transact(doc, stamp, "link planned audit", |tx| {
        tx.put(&map, "audit", audit)
    })
}

fn planned_list(doc: &Automerge) -> Result<ObjId, ReadError> {
    Reader { doc }
        .object(&ROOT, "planned", ObjType::List)
        .ok_or(ReadError::BadField("planned"))
}

fn put_scope(
    tx: &mut impl Transactable,
    obj: &ObjId,
    scope: &Scope,
) -> Result<(), automerge::AutomergeError> {
    let clauses: Vec<String> = scope.clauses.iter().map(ToString::to_string).collect();
    put_strings(tx, obj, "clauses", &clauses)?;
    put_strings(tx, obj, "processes", &scope.processes)?;
    put_strings(tx, obj, "sites", &scope.sites)
}

fn scope(r: &Reader<'_>, obj: &ObjId) -> Scope {
    let strings = |key| r.strings(obj, key).unwrap_or_default();
    Scope {
        clauses: strings("clauses")
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect(),
        processes: strings("processes"),
        sites: strings("sites"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ActorId;

    fn day(text: &str) -> crate::model::date::Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_programme_plans_audits_from_two_devices_and_links_them() {
        let mut a = Automerge::new().with_actor(ActorId::from([1; 16]));
        let scope = Scope {
            clauses: vec!["8.7".parse().unwrap()],
            processes: vec!["Continuity".into()],
            sites: vec!["north".into()],
        };
        let new = NewProgramme {
            title: "2025 internal audits".into(),
            period: Period::new(day("2025-01-01"), day("2025-12-31")).unwrap(),
            scope: scope.clone(),
        };
        create(&mut a, &new, Stamp::at(0)).unwrap();
        let mut b = a.fork().with_actor(ActorId::from([2; 16]));
        let planned = |id: &str, on: &str| PlannedAudit {
            id: id.into(),
            title: format!("Audit {id}"),
            planned_for: day(on),
            scope: scope.clone(),
            audit: None,
        };
        plan(&mut a, &planned("p1", "2025-03-01"), Stamp::at(1)).unwrap();
        plan(&mut b, &planned("p2", "2026-02-01"), Stamp::at(2)).unwrap();
        a.merge(&mut b).unwrap();
        link_audit(&mut a, "p1", "audit-doc", Stamp::at(3)).unwrap();
        let programme = read(&Automerge::load(&a.save()).unwrap()).unwrap();
        assert_eq!(programme.scope, scope);
        assert_eq!(programme.planned.len(), 2);
        let outside: Vec<_> = programme.outside_period().map(|p| p.id.as_str()).collect();
        assert_eq!(outside, ["p2"]);
        let waiting: Vec<_> = programme.not_started().map(|p| p.id.as_str()).collect();
        assert_eq!(waiting, ["p2"]);
    }
}
