//! A site's service levels are written by administrators only: the server
//! stores an admin's publication and refuses a technician's or a manager's,
//! whose change never reaches storage or anyone else.
//!
//! And an incident's copy of the version it was logged under is not a device's
//! word: the server stores a new incident or service request only under
//! Fieldbook's standard, a version published for its site, or from an admin;
//! once stored, the copy never changes.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, ROOT};
use fieldbook_core::doc::{incident, service_levels};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{Person, Role};
use fieldbook_core::model::incident::{TicketKind, Title};
use fieldbook_core::model::priority::{Impact, Urgency};
use fieldbook_core::model::service_levels::{LevelsForm, ServiceLevels};
use fieldbook_sync_server::store::Database;

use crate::authorization::{add_person, add_places, closed, error_from, receipted, SOUTH};
use crate::credentials::{ORGANISATION, SITE};
use crate::server_process::{Options, ServerProcess};
use crate::test_client::{TestClient, Wait, WAIT};
use crate::test_db::TestDb;
use crate::{random_id, stamp};

backend_tests!(
    tokio::test;
    only_an_admin_publishes_service_levels,
    a_new_incident_is_stored_only_under_the_standard_or_a_version_published_for_its_site,
    an_admins_incident_is_stored_under_a_version_the_server_does_not_hold_yet,
    the_copy_an_incident_was_stored_with_never_changes,
    a_record_of_no_kind_never_becomes_an_incident,
);

fn person(login: &str, role: Role) -> Person {
    Person {
        user_id: format!("u-{login}"),
        name: login.to_owned(),
        role,
    }
}

/// Version `version` with a P3 resolution target of `minutes`.
fn levels(version: u32, minutes: u32) -> ServiceLevels {
    let mut form = LevelsForm::of(&ServiceLevels::standard());
    form.resolution[2] = minutes.to_string();
    form.parse(version).expect("valid")
}

fn p3_targets(doc: &Automerge) -> Vec<u32> {
    service_levels::read(doc)
        .expect("read")
        .versions
        .iter()
        .map(|p| p.levels.policy.targets[2].resolution_minutes.get())
        .collect()
}

async fn only_an_admin_publishes_service_levels(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    let admin_token = add_person(&database, ORGANISATION, "ada", Role::Admin, &[SITE]).await;
    let id = random_id();

    // 1. The admin publishes version 2 of north's service levels.
    let mut admin = TestClient::connect_as(addr, "admin-desk", &admin_token).await;
    let mut doc = Automerge::new();
    service_levels::create(
        &mut doc,
        SITE,
        &levels(2, 600),
        &person("ada", Role::Admin),
        stamp(),
    )
    .expect("create");
    admin.create(id, doc).await;
    admin.until("the server to store it", |c| c.acked(id)).await;
    assert!(admin.errors.is_empty(), "{:?}", admin.errors);
    drop(admin);

    // 2. A technician and a manager each publish a version 3: refused, and closed.
    for role in [Role::Technician, Role::Manager] {
        let login = format!("{role}-north");
        let token = add_person(&database, ORGANISATION, &login, role, &[SITE]).await;
        let mut client = TestClient::connect_as(addr, &login, &token).await;
        client.request(id).await;
        client
            .until("the service levels", |c| !c.heads(id).is_empty())
            .await;
        client
            .change(id, |d| {
                service_levels::publish(d, &levels(3, 300), &[], &person(&login, role), stamp())
            })
            .await
            .expect("the device writes it");
        let deadline = tokio::time::Instant::now() + WAIT;
        let ended = client.wait_for(deadline, |c| !c.errors.is_empty()).await;
        assert_ne!(ended, Wait::TimedOut, "{role}: no refusal in time");
        let says = format!("as a {role} you may read sla-policy records but not change them");
        assert!(
            client.errors[0].contains(&says),
            "{role}: {:?}",
            client.errors
        );
        let ended = client.wait_for(deadline, |c| c.closed).await;
        assert_eq!(
            ended,
            Wait::Done,
            "{role}: the server closes the connection"
        );
    }

    // 3. What the server holds is the admin's version only.
    let mut check = TestClient::connect_as(addr, "admin-check", &admin_token).await;
    check.request(id).await;
    check
        .until("the stored service levels", |c| !c.heads(id).is_empty())
        .await;
    assert_eq!(p3_targets(check.doc(id)), [600]);

    // 4. The admin's own version 3 is stored.
    check
        .change(id, |d| {
            service_levels::publish(
                d,
                &levels(3, 900),
                &[],
                &person("ada", Role::Admin),
                stamp(),
            )
        })
        .await
        .expect("publish");
    check.until("the server to store it", |c| c.acked(id)).await;
    assert!(check.errors.is_empty(), "{:?}", check.errors);
    drop(check);
    let mut fresh = TestClient::connect_as(addr, "admin-fresh", &admin_token).await;
    fresh.request(id).await;
    fresh
        .until("both admin versions", |c| {
            !c.heads(id).is_empty() && p3_targets(c.doc(id)).len() == 2
        })
        .await;
    assert_eq!(p3_targets(fresh.doc(id)), [600, 900]);
    database.store.close().await;
}

/// A new incident (or service request) at north logged under `levels`.
fn ticket_under(kind: TicketKind, levels: &ServiceLevels) -> Automerge {
    let new = incident::NewIncident {
        kind,
        needs_approval: false,
        site: SITE.to_owned(),
        title: Title::parse("Badge reader at gate 2 offline").expect("title"),
        description: "No green light since the night shift.".to_owned(),
        impact: Impact::parse(3).expect("impact"),
        urgency: Urgency::parse(3).expect("urgency"),
    };
    let mut doc = Automerge::new();
    incident::create_under(&mut doc, &new, levels, stamp()).expect("create");
    doc
}

/// An admin of north and south publishes `levels` in a new service-levels
/// document of `site`, stored before this returns.
async fn publish(addr: std::net::SocketAddr, token: &str, site: &str, levels: &ServiceLevels) {
    let mut admin = TestClient::connect_as(addr, "admin-desk", token).await;
    let mut doc = Automerge::new();
    service_levels::create(&mut doc, site, levels, &person("ada", Role::Admin), stamp())
        .expect("create");
    let id = random_id();
    admin.create(id, doc).await;
    admin.until("the publication stored", |c| c.acked(id)).await;
    assert!(admin.errors.is_empty(), "{:?}", admin.errors);
}

/// `client` sends `doc` as a new document; the server stores it and writes its
/// reference.
async fn stored(client: &mut TestClient, id: DocumentId, doc: Automerge, what: &str) {
    client.create(id, doc).await;
    client
        .until(what, |c| {
            c.acked(id) && incident::read(c.doc(id)).is_ok_and(|r| r.reference.is_some())
        })
        .await;
    assert!(client.errors.is_empty(), "{what}: {:?}", client.errors);
}

/// A new connection of `token` sends `doc` as new document `id`: refused with
/// an error containing `says`, closed, and nothing of it stored.
async fn refused(
    addr: std::net::SocketAddr,
    token: &str,
    database: &Database,
    doc: Automerge,
    says: &str,
) {
    let id = random_id();
    let mut client = TestClient::connect_as(addr, "tablet", token).await;
    client.create(id, doc).await;
    let error = error_from(&mut client).await;
    assert!(error.contains(says), "{error}");
    assert!(
        error.ends_with(&format!("your changes to document {id} were not stored")),
        "{error}"
    );
    closed(&mut client).await;
    assert_eq!(database.store.load(id).await.expect("load"), None);
    assert!(receipted(database, id).await.is_empty());
}

async fn a_new_incident_is_stored_only_under_the_standard_or_a_version_published_for_its_site(
    db: TestDb,
) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    let ada = add_person(&database, ORGANISATION, "ada", Role::Admin, &[SITE, SOUTH]).await;
    let tess = add_person(
        &database,
        ORGANISATION,
        "tess",
        Role::Technician,
        &[SITE, SOUTH],
    )
    .await;

    // 1. North publishes version 2 (P3 resolved in 600 minutes), south its own
    //    version 3.
    publish(addr, &ada, SITE, &levels(2, 600)).await;
    publish(addr, &ada, SOUTH, &levels(3, 300)).await;

    // 2. A technician's incident and service request under north's version 2:
    //    stored.
    let mut tablet = TestClient::connect_as(addr, "tess-tablet", &tess).await;
    for kind in [TicketKind::Incident, TicketKind::ServiceRequest] {
        let id = random_id();
        stored(
            &mut tablet,
            id,
            ticket_under(kind, &levels(2, 600)),
            "under version 2",
        )
        .await;
        assert_eq!(incident::levels_copy(tablet.doc(id)), Some(levels(2, 600)));
    }

    // 3. A device offline since before north's first publication logs under
    //    Fieldbook's standard: stored. So is an older incident with no copy.
    let standard = ticket_under(TicketKind::Incident, &ServiceLevels::standard());
    stored(&mut tablet, random_id(), standard, "under the standard").await;
    let mut old = ticket_under(TicketKind::Incident, &levels(2, 600));
    let mut tx = old.transaction();
    tx.delete(ROOT, "serviceLevels")
        .expect("as before copies were kept");
    tx.commit();
    stored(&mut tablet, random_id(), old, "with no copy").await;
    drop(tablet);

    // 4. Version 2 with a lax P3 target, and the same for a service request:
    //    refused, nothing stored.
    let says = "is logged under service levels (version 2) that are neither Fieldbook's standard nor a version an administrator published for site north";
    for (kind, word) in [
        (TicketKind::Incident, "incident"),
        (TicketKind::ServiceRequest, "service request"),
    ] {
        let forged = ticket_under(kind, &levels(2, 5_256_000));
        refused(
            addr,
            &tess,
            &database,
            forged,
            &format!("this {word} {says}"),
        )
        .await;
    }

    // 5. A copy that does not read (a P1 target of 0 minutes) is no version at
    //    all: refused too.
    let mut garbled = ticket_under(TicketKind::Incident, &levels(2, 600));
    let (_, copy) = garbled
        .get(ROOT, "serviceLevels")
        .expect("reads")
        .expect("a copy");
    let (_, first) = garbled
        .get(&copy, "firstResponse")
        .expect("reads")
        .expect("targets");
    let mut tx = garbled.transaction();
    tx.put(&first, 0, 0_i64).expect("no target");
    tx.commit();
    assert_eq!(incident::levels_copy(&garbled), None);
    refused(
        addr,
        &tess,
        &database,
        garbled,
        "this incident's copy of its service levels does not read as a version, so it is neither Fieldbook's standard nor a version an administrator published for site north",
    )
    .await;

    // 6. A version published for south only does not count at north.
    let south_levels = ticket_under(TicketKind::Incident, &levels(3, 300));
    refused(
        addr,
        &tess,
        &database,
        south_levels,
        "(version 3) that are neither Fieldbook's standard nor a version an administrator published for site north",
    )
    .await;
    database.store.close().await;
}

async fn an_admins_incident_is_stored_under_a_version_the_server_does_not_hold_yet(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    let ada = add_person(&database, ORGANISATION, "ada", Role::Admin, &[SITE]).await;
    let tess = add_person(&database, ORGANISATION, "tess", Role::Technician, &[SITE]).await;

    // 1. The admin's device published version 2 offline and logged an incident
    //    under it; the incident reaches the server first: stored.
    let mut laptop = TestClient::connect_as(addr, "ada-laptop", &ada).await;
    let id = random_id();
    let incident = ticket_under(TicketKind::Incident, &levels(2, 900));
    stored(&mut laptop, id, incident, "the admin's incident").await;
    assert_eq!(incident::levels_copy(laptop.doc(id)), Some(levels(2, 900)));

    // 2. A technician under the same version, before its publication arrives:
    //    refused.
    refused(
        addr,
        &tess,
        &database,
        ticket_under(TicketKind::Incident, &levels(2, 900)),
        "(version 2) that are neither Fieldbook's standard nor a version an administrator published for site north",
    )
    .await;

    // 3. Once the publication is on the server, the technician's is stored.
    publish(addr, &ada, SITE, &levels(2, 900)).await;
    let mut tablet = TestClient::connect_as(addr, "tess-tablet", &tess).await;
    let incident = ticket_under(TicketKind::Incident, &levels(2, 900));
    stored(&mut tablet, random_id(), incident, "after the publication").await;
    database.store.close().await;
}

async fn the_copy_an_incident_was_stored_with_never_changes(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    let ada = add_person(&database, ORGANISATION, "ada", Role::Admin, &[SITE]).await;
    let tess = add_person(&database, ORGANISATION, "tess", Role::Technician, &[SITE]).await;
    publish(addr, &ada, SITE, &levels(2, 600)).await;

    // 1. A technician's incident under version 2 is stored, and work on it too.
    let mut tablet = TestClient::connect_as(addr, "tess-tablet", &tess).await;
    let id = random_id();
    stored(
        &mut tablet,
        id,
        ticket_under(TicketKind::Incident, &levels(2, 600)),
        "the incident",
    )
    .await;
    tablet
        .change(id, |d| {
            incident::edit(
                d,
                &incident::Edit::Impact(Impact::parse(1).expect("impact")),
                stamp(),
            )
        })
        .await
        .expect("a new priority");
    tablet.until("the edit stored", |c| c.acked(id)).await;
    assert!(tablet.errors.is_empty(), "{:?}", tablet.errors);
    let kept = receipted(&database, id).await;

    // 2. The same device then rewrites the copy's P1 resolution to ten years:
    //    refused, closed, nothing of it stored.
    tablet
        .change(id, |d| {
            let (_, copy) = d
                .get(ROOT, "serviceLevels")
                .expect("reads")
                .expect("a copy");
            let (_, resolution) = d.get(&copy, "resolution").expect("reads").expect("targets");
            let mut tx = d.transaction();
            tx.put(&resolution, 0, 5_256_000_i64).expect("lax");
            tx.commit();
        })
        .await;
    let says = "the service levels this incident was logged under never change once the server has them, and this change alters them";
    let error = error_from(&mut tablet).await;
    assert!(error.contains(says), "{error}");
    assert!(
        error.ends_with(&format!("your changes to document {id} were not stored")),
        "{error}"
    );
    closed(&mut tablet).await;
    assert_eq!(receipted(&database, id).await, kept);

    // 3. Not even an admin changes it: a calendar with no working hours is
    //    refused too.
    let mut desk = TestClient::connect_as(addr, "ada-desk", &ada).await;
    desk.request(id).await;
    desk.until("the incident", |c| incident::read(c.doc(id)).is_ok())
        .await;
    assert_eq!(
        incident::levels_copy(desk.doc(id)),
        Some(levels(2, 600)),
        "the server holds the copy as it arrived"
    );
    desk.change(id, |d| {
        let (_, copy) = d
            .get(ROOT, "serviceLevels")
            .expect("reads")
            .expect("a copy");
        let mut tx = d.transaction();
        tx.put_object(&copy, "week", ObjType::List)
            .expect("no hours");
        tx.commit();
    })
    .await;
    let error = error_from(&mut desk).await;
    assert!(error.contains(says), "{error}");
    closed(&mut desk).await;
    assert_eq!(receipted(&database, id).await, kept);
    database.store.close().await;
}

/// The server reads a document's kind when it first arrives and checks every
/// later change as that kind: a document stored as no kind that then becomes an
/// incident (with a lax copy of its service levels) is refused.
async fn a_record_of_no_kind_never_becomes_an_incident(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    let ada = add_person(&database, ORGANISATION, "ada", Role::Admin, &[SITE]).await;
    publish(addr, &ada, SITE, &levels(2, 600)).await;
    let tess = add_person(&database, ORGANISATION, "tess", Role::Technician, &[SITE]).await;
    let mut tablet = TestClient::connect_as(addr, "tess-tablet", &tess).await;
    let id = random_id();
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "site", SITE).expect("site");
    tx.commit();
    tablet.create(id, doc).await;
    tablet
        .until("the document of no kind stored", |c| c.acked(id))
        .await;
    assert!(tablet.errors.is_empty(), "{:?}", tablet.errors);
    let kept = receipted(&database, id).await;

    let mut lax = ticket_under(TicketKind::Incident, &levels(2, 5_256_000));
    tablet
        .change(id, |d| d.merge(&mut lax).expect("merge"))
        .await;
    let error = error_from(&mut tablet).await;
    assert!(
        error.contains("a record's kind never changes, and this change makes a record of no kind a record of kind “incident”"),
        "{error}"
    );
    assert!(
        error.ends_with(&format!("your changes to document {id} were not stored")),
        "{error}"
    );
    closed(&mut tablet).await;
    assert_eq!(receipted(&database, id).await, kept);
    let chunks = database
        .store
        .load(id)
        .await
        .expect("load")
        .expect("stored");
    let bytes: Vec<u8> = chunks
        .iter()
        .flat_map(|c| c.bytes.iter().copied())
        .collect();
    let on_server = Automerge::load(&bytes).expect("loads");
    assert!(
        incident::read(&on_server).is_err(),
        "no incident on the server"
    );
    database.store.close().await;
}
