//! `--demo` on an empty database.

use fieldbook_core::doc::{catalog, checklist_template, incident};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::checklist::{iso20000_internal_audit, TemplateStatus};

use crate::http;
use crate::server_process::{Options, ServerProcess};
use crate::test_client::TestClient;
use crate::test_db::TestDb;

backend_tests!(tokio::test; demo_data_is_a_site_whose_catalog_lists_three_incidents_and_the_iso_template);

async fn demo_data_is_a_site_whose_catalog_lists_three_incidents_and_the_iso_template(db: TestDb) {
    let options = Options {
        demo: true,
        ..Options::new(&db)
    };
    let server = ServerProcess::start(&options).await;

    // 1. /api/me lists the demo site.
    let catalog_id = demo_catalog(&server).await;

    // 2. Its catalog lists three incidents and one checklist template.
    let mut client = TestClient::connect(server.addr, "phone").await;
    client.request(catalog_id).await;
    client
        .until("the catalog with four entries", |c| {
            catalog::entries(c.doc(catalog_id)).is_ok_and(|e| e.len() == 4)
        })
        .await;
    let entries = catalog::entries(client.doc(catalog_id)).expect("entries");
    assert_eq!(catalog::site(client.doc(catalog_id)).as_deref(), Ok("demo"));
    let (templates, incidents): (Vec<_>, Vec<_>) =
        entries.iter().partition(|e| e.kind == "checklist-template");
    assert_eq!(templates.len(), 1, "one template: {entries:?}");
    assert_eq!(incidents.len(), 3, "three incidents: {entries:?}");

    // 3. The template is the shipped ISO/IEC 20000-1 internal audit, published,
    //    so a run can start from it on a device with no network.
    let template_id = templates[0].id;
    client.request(template_id).await;
    client
        .until("a checklist template", |c| {
            checklist_template::read(c.doc(template_id)).is_ok()
        })
        .await;
    let record = checklist_template::read(client.doc(template_id)).expect("template");
    assert_eq!(record.template.status(), TemplateStatus::Published);
    assert_eq!(record.template, iso20000_internal_audit());
    assert!(record.needs_review.is_empty());

    // 4. Each incident loads and reads as an incident.
    for entry in &incidents {
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

    // 5. Starting again with --demo adds nothing.
    let server = ServerProcess::start(&options).await;
    assert_eq!(demo_catalog(&server).await, catalog_id);
}

/// The catalog of the one site `/api/me` lists, which must be the demo site.
async fn demo_catalog(server: &ServerProcess) -> DocumentId {
    let response = http::get(server.addr, "/api/me").await;
    assert_eq!(response.status, 200);
    let me: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(me["user"]["role"], "technician");
    // Everyone of the demo site, whom work can be given to.
    let people: Vec<(&str, &str)> = me["people"]
        .as_array()
        .expect("a list of people")
        .iter()
        .map(|p| {
            (
                p["login"].as_str().unwrap_or(""),
                p["role"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for expected in [
        ("tech", "technician"),
        ("tech2", "technician"),
        ("auditor", "auditor"),
        ("auditor2", "auditor"),
        ("manager", "manager"),
        ("admin", "admin"),
    ] {
        assert!(people.contains(&expected), "{expected:?} in {people:?}");
    }
    assert_eq!(people.len(), 6, "{people:?}");
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
