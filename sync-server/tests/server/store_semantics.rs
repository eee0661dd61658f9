//! The `Store` contract, the same on both databases: chunks come back in the order
//! they were written, compaction replaces chunks in one transaction, and a write that
//! fails changes nothing.

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use fieldbook_core::model::access::Role;
use fieldbook_sync_server::store::{Database, DocAccess, NewUser, PostgresStore, Store};

use crate::random_id;
use crate::test_db::{Backend, TestDb};

backend_tests!(
    tokio::test;
    chunks_load_in_write_order_and_compaction_replaces_them,
    a_compaction_that_fails_deletes_nothing,
    sites_round_trip_and_a_duplicate_is_an_error,
    site_people_are_those_who_work_at_the_site_in_its_organisation,
    documents_of_a_kind_are_those_registered_at_the_site_in_its_organisation,
);

/// Three changes to one document, each saved as its own chunk.
fn three_chunks() -> (Automerge, Vec<Vec<u8>>) {
    let mut doc = Automerge::new();
    let mut chunks = Vec::new();
    for n in 0..3_i64 {
        let heads = doc.get_heads();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, format!("k{n}"), n))
            .expect("change");
        chunks.push(doc.save_after(&heads));
    }
    (doc, chunks)
}

async fn chunks_load_in_write_order_and_compaction_replaces_them(db: TestDb) {
    let store = db.open_store().await;
    let (id, other) = (random_id(), random_id());
    assert_eq!(store.load(id).await.expect("load"), None);

    let (doc, chunks) = three_chunks();
    let mut ids = Vec::new();
    for chunk in &chunks {
        ids.push(store.append(id, chunk, &receipt()).await.expect("append"));
    }
    store
        .append(other, &chunks[0], &receipt())
        .await
        .expect("append");
    let loaded = store.load(id).await.expect("load").expect("stored");
    assert_eq!(
        loaded.iter().map(|c| c.bytes.clone()).collect::<Vec<_>>(),
        chunks
    );
    assert_eq!(loaded.iter().map(|c| c.id).collect::<Vec<_>>(), ids);

    // Compact the first two; the third stays after the snapshot.
    let mut first_two = Automerge::new();
    first_two
        .load_incremental(&[chunks[0].clone(), chunks[1].clone()].concat())
        .expect("load");
    let snapshot = first_two.save();
    let snapshot_id = store
        .compact(id, &snapshot, &ids[..2])
        .await
        .expect("compact");
    let loaded = store.load(id).await.expect("load").expect("stored");
    assert_eq!(
        loaded.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![ids[2], snapshot_id]
    );
    let all: Vec<u8> = loaded.iter().flat_map(|c| c.bytes.clone()).collect();
    let reloaded = Automerge::load(&all).expect("the chunks load");
    assert_eq!(reloaded.get_heads(), doc.get_heads());

    // The other document was not touched.
    assert_eq!(
        store
            .load(other)
            .await
            .expect("load")
            .expect("stored")
            .len(),
        1
    );
    store.close().await;
}

async fn a_compaction_that_fails_deletes_nothing(db: TestDb) {
    let store = db.open_store().await;
    let id = random_id();
    let (doc, chunks) = three_chunks();
    let mut ids = Vec::new();
    for chunk in &chunks {
        ids.push(store.append(id, chunk, &receipt()).await.expect("append"));
    }

    // Deleting a chunk fails, after the snapshot was inserted in the same transaction.
    db.execute(match db.backend() {
        Backend::Sqlite => {
            "CREATE TRIGGER refuse_delete BEFORE DELETE ON chunks \
             BEGIN SELECT RAISE(ABORT, 'deletes refused'); END;"
        }
        Backend::Postgres => {
            "CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'deletes refused'; END $$; \
             CREATE TRIGGER refuse_delete BEFORE DELETE ON chunks \
             FOR EACH ROW EXECUTE FUNCTION refuse_delete();"
        }
    })
    .await;
    let error = store
        .compact(id, &doc.save(), &ids)
        .await
        .expect_err("the compaction fails");
    assert!(error.to_string().contains("deletes refused"), "{error}");

    let loaded = store.load(id).await.expect("load").expect("stored");
    assert_eq!(
        loaded.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids,
        "no snapshot, nothing deleted"
    );
    store.close().await;
}

async fn sites_round_trip_and_a_duplicate_is_an_error(db: TestDb) {
    let opened = db.open_database().await;
    opened
        .directory
        .add_organisation("acme", "Acme")
        .await
        .expect("add the organisation");
    let store = opened.store;
    assert!(store.sites().await.expect("sites").is_empty());
    let (north, south) = (random_id(), random_id());
    store
        .add_site("acme", "south", "South depot", south)
        .await
        .expect("add");
    store
        .add_site("acme", "north", "North depot", north)
        .await
        .expect("add");
    assert!(store
        .add_site("acme", "north", "Again", random_id())
        .await
        .is_err());
    let sites = store.sites().await.expect("sites");
    assert_eq!(
        sites
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str(), s.catalog))
            .collect::<Vec<_>>(),
        vec![
            ("north", "North depot", north),
            ("south", "South depot", south)
        ]
    );
    store.ping().await.expect("ping");
    store.close().await;
}

/// Sites north and south of acme, and west of globex.
async fn add_places(opened: &Database) {
    for (org, site) in [("acme", "north"), ("acme", "south"), ("globex", "west")] {
        if !opened
            .directory
            .organisation_exists(org)
            .await
            .expect("query")
        {
            opened
                .directory
                .add_organisation(org, org)
                .await
                .expect("org");
        }
        opened
            .store
            .add_site(org, site, site, random_id())
            .await
            .expect("site");
    }
}

async fn site_people_are_those_who_work_at_the_site_in_its_organisation(db: TestDb) {
    let opened = db.open_database().await;
    add_places(&opened).await;
    async fn user(db: &Database, org: &str, login: &str, role: Role, sites: &[&str]) {
        db.directory
            .add_user(&NewUser {
                id: format!("u-{login}"),
                organisation: org.to_owned(),
                login: login.to_owned(),
                name: format!("Name {login}"),
                role,
                password_hash: "not a real hash".to_owned(),
                sites: sites.iter().map(|s| (*s).to_owned()).collect(),
                default_site: sites[0].to_owned(),
            })
            .await
            .expect("user");
    }
    user(&opened, "acme", "ana", Role::Auditor, &["north"]).await;
    user(&opened, "acme", "ben", Role::Manager, &["south", "north"]).await;
    user(&opened, "acme", "cy", Role::Technician, &["south"]).await;
    user(&opened, "globex", "dee", Role::Technician, &["west"]).await;
    let people = |org: &'static str, site: &'static str| {
        let directory = opened.directory.clone();
        async move {
            directory
                .site_people(org, site)
                .await
                .expect("people")
                .into_iter()
                .map(|c| (c.login, c.name, c.role))
                .collect::<Vec<_>>()
        }
    };
    let named = |login: &str, role| (login.to_owned(), format!("Name {login}"), role);
    // By name, each once; never someone of another site or organisation.
    assert_eq!(
        people("acme", "north").await,
        vec![named("ana", Role::Auditor), named("ben", Role::Manager)]
    );
    assert_eq!(
        people("acme", "south").await,
        vec![named("ben", Role::Manager), named("cy", Role::Technician)]
    );
    assert_eq!(
        people("globex", "west").await,
        vec![named("dee", Role::Technician)]
    );
    assert!(
        people("globex", "north").await.is_empty(),
        "a site name of another organisation lists nobody"
    );
    opened.store.close().await;
}

async fn documents_of_a_kind_are_those_registered_at_the_site_in_its_organisation(db: TestDb) {
    let opened = db.open_database().await;
    add_places(&opened).await;
    let mut north_policies = Vec::new();
    for (org, site, kind) in [
        ("acme", "north", Some("sla-policy")),
        ("acme", "north", Some("sla-policy")),
        ("acme", "north", Some("incident")),
        ("acme", "north", None),
        ("acme", "south", Some("sla-policy")),
        ("globex", "west", Some("sla-policy")),
    ] {
        let id = random_id();
        let access = DocAccess {
            organisation: org.to_owned(),
            site: site.to_owned(),
            kind: kind.map(str::to_owned),
        };
        opened
            .directory
            .register_document(id, &access, "u-ada", 1)
            .await
            .expect("register");
        if (org, site, kind) == ("acme", "north", Some("sla-policy")) {
            north_policies.push(id);
        }
    }
    north_policies.sort_by_key(|id| id.to_string());
    let of_kind = |org: &'static str, site: &'static str, kind: &'static str| {
        let directory = opened.directory.clone();
        async move {
            directory
                .documents_of_kind(org, site, kind)
                .await
                .expect("query")
        }
    };
    assert_eq!(of_kind("acme", "north", "sla-policy").await, north_policies);
    assert_eq!(of_kind("acme", "south", "sla-policy").await.len(), 1);
    assert!(
        of_kind("globex", "north", "sla-policy").await.is_empty(),
        "a site name of another organisation holds none"
    );
    assert!(of_kind("acme", "south", "incident").await.is_empty());
    opened.store.close().await;
}

/// PostgreSQL only: SQLite's `synchronous=FULL` is set when `SqliteStore::open` opens
/// the file, and is not a database setting.
#[tokio::test]
async fn postgres_commits_synchronously_whatever_the_database_default() {
    let Some(db) = TestDb::postgres(module_path!(), "synchronous_commit").await else {
        return;
    };
    let name = db.postgres_database().expect("a PostgreSQL database");
    db.execute(&format!(
        "ALTER DATABASE \"{name}\" SET synchronous_commit = off"
    ))
    .await;
    let store = PostgresStore::open(db.url()).await.expect("open");
    // Every connection of the pool, not just the first.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = store.pool().acquire().await.expect("a connection");
        let setting: String = sqlx::query_scalar("SHOW synchronous_commit")
            .fetch_one(&mut *conn)
            .await
            .expect("SHOW");
        assert_eq!(setting, "on");
        held.push(conn);
    }
    drop(held);
    store.close().await;
}

/// A receipt for chunks the tests write directly, as if from one user.
fn receipt() -> fieldbook_sync_server::store::Receipt {
    fieldbook_sync_server::store::Receipt {
        user_id: "u-test".to_owned(),
        received_ms: 1_790_000_000_000,
        hashes: Vec::new(),
    }
}
