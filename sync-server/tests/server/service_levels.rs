//! A site's service levels are written by administrators only: the server
//! stores an admin's publication and refuses a technician's or a manager's,
//! whose change never reaches storage or anyone else.

use automerge::Automerge;
use fieldbook_core::doc::service_levels;
use fieldbook_core::model::access::{Person, Role};
use fieldbook_core::model::service_levels::{LevelsForm, ServiceLevels};

use crate::authorization::add_person;
use crate::credentials::{ORGANISATION, SITE};
use crate::server_process::{Options, ServerProcess};
use crate::test_client::{TestClient, Wait, WAIT};
use crate::test_db::TestDb;
use crate::{random_id, stamp};

backend_tests!(
    tokio::test;
    only_an_admin_publishes_service_levels,
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
