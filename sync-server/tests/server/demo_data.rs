//! `--demo` on an empty database.

use fieldbook_core::doc::{catalog, incident};
use fieldbook_core::ids::DocumentId;

use crate::http;
use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;

backend_tests!(tokio::test; demo_data_is_a_site_whose_catalog_lists_three_readable_incidents);

async fn demo_data_is_a_site_whose_catalog_lists_three_readable_incidents(db: TestDb) {
    let options = Options {
        demo: true,
        ..Options::new(&db)
    };
    let server = ServerProcess::start(&options).await;

    // 1. /api/me lists the demo site.
    let catalog_id = demo_catalog(&server).await;

    // 2. Its catalog lists three incidents.
    let mut client = TestClient::connect(server.addr, "phone").await;
    client.request(catalog_id).await;
    client
        .until("the catalog with three entries", |c| {
            catalog::entries(c.doc(catalog_id)).is_ok_and(|e| e.len() == 3)
        })
        .await;
    let entries = catalog::entries(client.doc(catalog_id)).expect("entries");
    assert_eq!(catalog::site(client.doc(catalog_id)).as_deref(), Ok("demo"));

    // 3. Each one loads and reads as an incident.
    for entry in &entries {
        assert_eq!(entry.kind, "incident");
        client.request(entry.id).await;
        client
            .until("an incident", |c| incident::read(c.doc(entry.id)).is_ok())
            .await;
        let read = incident::read(client.doc(entry.id)).expect("incident");
        assert_eq!(read.site, "demo");
        assert!(!read.description.is_empty());
    }
    let status = server.terminate().await;
    assert!(status.success());

    // 4. Starting again with --demo adds nothing.
    let server = ServerProcess::start(&options).await;
    assert_eq!(demo_catalog(&server).await, catalog_id);
}

/// The catalog of the one site `/api/me` lists, which must be the demo site.
async fn demo_catalog(server: &ServerProcess) -> DocumentId {
    let response = http::get(server.addr, "/api/me").await;
    assert_eq!(response.status, 200);
    let me: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(me["user"]["role"], "technician");
    let sites = me["sites"].as_array().expect("a list of sites");
    assert_eq!(sites.len(), 1, "one site: {sites:?}");
    assert_eq!(sites[0]["id"], "demo");
    assert_eq!(sites[0]["name"], "Demo site");
    sites[0]["catalog"]
        .as_str()
        .expect("catalog id text")
        .parse()
        .expect("a document id")
}
