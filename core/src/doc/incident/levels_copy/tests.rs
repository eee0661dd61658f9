//! An incident's copy of its service levels: read as devices read it, and
//! whether a change touched it.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ReadDoc, ROOT};

use super::{levels_copy, levels_copy_changed};
use crate::doc::incident::{self, Edit, NewIncident};
use crate::doc::{ReadError, Stamp};
use crate::model::incident::{TicketKind, Title};
use crate::model::priority::{Impact, Urgency};
use crate::model::service_levels::{LevelsForm, ServiceLevels};

fn device(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

/// Version 2: P3 resolves in ten hours, on weekdays 08:00–18:00.
fn office() -> ServiceLevels {
    let mut form = LevelsForm::of(&ServiceLevels::standard());
    form.resolution[2] = "600".into();
    form.week = std::array::from_fn(|i| (i < 5).then(|| ("08:00".into(), "18:00".into())));
    form.parse(2, &ServiceLevels::standard()).expect("valid")
}

fn new_incident() -> NewIncident {
    NewIncident {
        kind: TicketKind::Incident,
        needs_approval: false,
        site: "north".into(),
        title: Title::parse("Badge reader offline").expect("title"),
        description: String::new(),
        impact: Impact::parse(3).expect("impact"),
        urgency: Urgency::parse(3).expect("urgency"),
    }
}

/// An incident logged under `levels` on device 1.
fn logged_under(levels: &ServiceLevels) -> Automerge {
    let mut doc = device(1);
    incident::create_under(&mut doc, &new_incident(), levels, Stamp::at(1_000)).expect("create");
    doc
}

/// Writes `value` at `key` of the copy's `list`, index `index`.
fn rewrite(doc: &mut Automerge, list: &str, index: usize, value: i64) {
    let (_, copy) = doc.get(ROOT, "serviceLevels").unwrap().expect("a copy");
    let (_, list) = doc.get(&copy, list).unwrap().expect("the list");
    let mut tx = doc.transaction();
    tx.put(&list, index, value).expect("put");
    tx.commit();
}

#[test]
fn the_copy_reads_as_the_version_the_incident_was_logged_under() {
    assert_eq!(levels_copy(&logged_under(&office())), Some(office()));
    assert_eq!(
        levels_copy(&logged_under(&ServiceLevels::standard())),
        Some(ServiceLevels::standard())
    );

    // A document from before copies were kept has none, and so has one whose
    // copy does not read: both count on the standard.
    let mut old = logged_under(&office());
    let mut tx = old.transaction();
    tx.delete(ROOT, "serviceLevels").expect("delete");
    tx.commit();
    assert_eq!(levels_copy(&old), None);
    assert_eq!(
        incident::read(&old).expect("read").levels(),
        ServiceLevels::standard()
    );
    let mut garbled = logged_under(&office());
    rewrite(&mut garbled, "resolution", 0, 0);
    assert_eq!(
        levels_copy(&garbled),
        None,
        "a target of 0 minutes does not read"
    );
}

#[test]
fn a_new_incident_brings_its_copy_and_work_on_it_leaves_the_copy_alone() {
    let mut doc = logged_under(&office());
    assert!(
        levels_copy_changed(&doc, &[]).expect("read"),
        "new: the copy arrives with it"
    );
    let created = doc.get_heads();

    incident::edit(
        &mut doc,
        &Edit::Title(Title::parse("Badge reader at gate 2 offline").expect("title")),
        Stamp::at(2_000),
    )
    .expect("edit");
    incident::edit(
        &mut doc,
        &Edit::Impact(Impact::parse(1).expect("impact")),
        Stamp::at(3_000),
    )
    .expect("a new priority, under the copy's matrix");
    assert!(!levels_copy_changed(&doc, &created).expect("read"));

    // Another device's work merged in changes nothing either.
    let mut other = device(2);
    other.merge(&mut doc.clone()).expect("merge");
    incident::edit(
        &mut other,
        &Edit::Description("Gate 2 only".into()),
        Stamp::at(4_000),
    )
    .expect("edit");
    doc.merge(&mut other).expect("merge");
    assert!(!levels_copy_changed(&doc, &created).expect("read"));
    assert_eq!(levels_copy(&doc), Some(office()));
}

#[test]
fn rewriting_a_target_removing_or_adding_the_copy_are_changes() {
    let mut lax = logged_under(&office());
    let created = lax.get_heads();
    rewrite(&mut lax, "resolution", 0, 5_256_000);
    assert!(levels_copy_changed(&lax, &created).expect("read"));

    let mut emptied = logged_under(&office());
    let (_, copy) = emptied.get(ROOT, "serviceLevels").unwrap().expect("a copy");
    let mut tx = emptied.transaction();
    tx.put_object(&copy, "week", ObjType::List)
        .expect("no working hours");
    tx.commit();
    assert!(levels_copy_changed(&emptied, &created).expect("read"));

    let mut removed = logged_under(&office());
    let mut tx = removed.transaction();
    tx.delete(ROOT, "serviceLevels").expect("delete");
    tx.commit();
    assert!(levels_copy_changed(&removed, &created).expect("read"));

    // An incident stored without a copy does not get one later.
    let mut old = removed.clone();
    let without = old.get_heads();
    let mut tx = old.transaction();
    tx.put_object(ROOT, "serviceLevels", ObjType::Map)
        .expect("put");
    tx.commit();
    assert!(levels_copy_changed(&old, &without).expect("read"));
}

#[test]
fn writing_the_same_value_again_is_no_change_and_unknown_heads_are_an_error() {
    let mut doc = logged_under(&office());
    let created = doc.get_heads();
    let p3 = i64::from(office().policy.targets[2].resolution_minutes.get());
    rewrite(&mut doc, "resolution", 2, p3);
    assert!(!levels_copy_changed(&doc, &created).expect("read"));

    let elsewhere = logged_under(&ServiceLevels::standard());
    let mut foreign = device(3);
    incident::create(&mut foreign, &new_incident(), Stamp::at(9_000)).expect("create");
    assert!(matches!(
        levels_copy_changed(&elsewhere, &foreign.get_heads()),
        Err(ReadError::UnknownHeads)
    ));
}
