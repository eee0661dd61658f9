//! Two devices sync one incident through the server.

use fieldbook_core::doc::incident::{self, Edit};
use fieldbook_core::model::priority::Urgency;

use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;
use crate::{new_incident, random_id, stamp};

backend_tests!(tokio::test; an_edit_from_one_client_is_pushed_to_the_other);

async fn an_edit_from_one_client_is_pushed_to_the_other(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let id = random_id();

    // 1. Tablet A logs an incident and syncs it until the server holds it.
    let mut a = TestClient::connect(server.addr, "tablet-a").await;
    a.create(id, new_incident("Wi-Fi down in warehouse B"))
        .await;
    a.until("the server to acknowledge A's incident", |c| c.acked(id))
        .await;

    // 2. Tablet B asks for it and gets exactly A's heads.
    let mut b = TestClient::connect(server.addr, "tablet-b").await;
    b.request(id).await;
    let heads = a.heads(id);
    b.until("B to receive A's incident", |c| c.heads(id) == heads)
        .await;
    let seen = incident::read(b.doc(id)).expect("B reads an incident");
    assert_eq!(seen.title.value, "Wi-Fi down in warehouse B");

    // 3. B raises the urgency; the server pushes it to A, which sends nothing first.
    let urgent = Urgency::parse(1).expect("urgency");
    b.change(id, |d| incident::edit(d, &Edit::Urgency(urgent), stamp()))
        .await
        .expect("edit");
    b.until("the server to acknowledge B's edit", |c| c.acked(id))
        .await;
    let heads = b.heads(id);
    a.until("A to receive B's edit", |c| c.heads(id) == heads)
        .await;
    let seen = incident::read(a.doc(id)).expect("A reads the incident");
    assert_eq!(seen.urgency.value, urgent);
    assert!(a.errors.is_empty() && b.errors.is_empty());
}
