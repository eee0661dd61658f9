//! `GET /api/documents/{id}/receipts` over real sockets: every stored change with
//! who sent it and when it arrived, for whoever may read the document, and the
//! answer an unknown document gets for everyone else.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use fieldbook_core::doc::incident;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Role;
use fieldbook_core::model::priority::Urgency;

use crate::authorization::{add_person, add_places, GLOBEX, SOUTH, WEST};
use crate::credentials::SITE;
use crate::http::{self, Response};
use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;
use crate::{new_incident, random_id, stamp};

backend_tests!(
    tokio::test;
    a_reader_gets_every_change_with_who_sent_it_and_when_it_arrived,
    outsiders_unknown_ids_and_anonymous_requests_learn_nothing,
);

fn now_ms() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(elapsed.as_millis()).expect("ms fit")
}

fn path(id: impl std::fmt::Display) -> String {
    format!("/api/documents/{id}/receipts")
}

async fn receipts_as(
    addr: SocketAddr,
    token: Option<&str>,
    id: impl std::fmt::Display,
) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("Authorization", a)])
        .unwrap_or_default();
    http::request(addr, "GET", &path(id), &headers, None).await
}

/// An incident created by the test technician, acknowledged and numbered.
async fn stored_incident(tech: &mut TestClient, title: &str) -> DocumentId {
    let id = random_id();
    tech.create(id, new_incident(title)).await;
    tech.until("the incident stored and numbered", |c| {
        c.acked(id) && incident::read(c.doc(id)).is_ok_and(|i| i.reference.is_some())
    })
    .await;
    id
}

async fn a_reader_gets_every_change_with_who_sent_it_and_when_it_arrived(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    let auditor = add_person(&database, "acme", "ada", Role::Auditor, &[SITE]).await;

    let started = now_ms();
    let mut tech = TestClient::connect(addr, "tech-tablet").await;
    let id = stored_incident(&mut tech, "Conveyor 3 stops every hour").await;
    tech.change(id, |d| {
        incident::edit(
            d,
            &incident::Edit::Urgency(Urgency::parse(1).expect("urgency")),
            stamp(),
        )
    })
    .await
    .expect("edit");
    tech.until("the edit acknowledged", |c| c.acked(id)).await;
    let finished = now_ms();

    // The technician who wrote it, and an auditor of the site (who only reads incidents).
    for token in [crate::credentials::token_for(addr), Some(auditor)] {
        let answer = receipts_as(addr, token.as_deref(), id).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let json = answer.json();
        assert_eq!(json["document"], id.to_string());
        let receipts = json["receipts"].as_array().expect("a list");
        let doc = tech.doc(id);
        let all = doc.get_changes(&[]);
        assert_eq!(receipts.len(), all.len(), "one receipt per change");
        let mut by_server = 0;
        let mut previous = i64::MIN;
        for receipt in receipts {
            let hash = receipt["change"].as_str().expect("a hash");
            let change = all
                .iter()
                .find(|c| c.hash().to_string() == hash)
                .unwrap_or_else(|| panic!("{hash} is not a change of the document"));
            let at = receipt["receivedAt"].as_i64().expect("a time");
            assert!((started..=finished).contains(&at), "{at} outside the test");
            assert!(at >= previous, "in the order they arrived");
            previous = at;
            let from_tech = change.actor_id() == doc.get_actor();
            let (user, name) = if from_tech {
                ("u-tech", "tech")
            } else {
                by_server += 1;
                ("server", "Fieldbook server")
            };
            assert_eq!(receipt["userId"], user, "{hash}");
            assert_eq!(receipt["userName"], name, "{hash}");
        }
        assert_eq!(by_server, 1, "the reference is the server's change");
    }
    database.store.close().await;
}

async fn outsiders_unknown_ids_and_anonymous_requests_learn_nothing(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    let south = add_person(&database, "acme", "sol", Role::Technician, &[SOUTH]).await;
    let globex = add_person(&database, GLOBEX, "gus", Role::Manager, &[WEST]).await;
    let mut tech = TestClient::connect(addr, "tech-tablet").await;
    let id = stored_incident(&mut tech, "Dock door 4 will not close").await;

    let unknown = receipts_as(addr, Some(&south), random_id()).await;
    assert_eq!(
        (unknown.status, unknown.error()),
        (404, "not found".to_owned())
    );
    for outsider in [&south, &globex] {
        let theirs = receipts_as(addr, Some(outsider), id).await;
        assert_eq!(
            (theirs.status, &theirs.body),
            (unknown.status, &unknown.body),
            "another site's or organisation's document answers as an unknown one"
        );
        assert_eq!(
            theirs.headers.get("content-type"),
            unknown.headers.get("content-type")
        );
    }
    let malformed = receipts_as(addr, Some(&south), "not-a-document").await;
    assert_eq!((malformed.status, &malformed.body), (404, &unknown.body));

    let anonymous = receipts_as(addr, None, id).await;
    assert_eq!(
        (anonymous.status, anonymous.error()),
        (401, "sign in first".to_owned())
    );
    let forged = receipts_as(addr, Some("not-a-token"), id).await;
    assert_eq!(forged.status, 401);
    assert!(!forged.body.contains("receivedAt"), "no receipt leaks");
    database.store.close().await;
}
