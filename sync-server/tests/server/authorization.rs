//! Per-message authorization over real connections: what each role may write, what
//! people of another organisation or site get (the same as for a document that does
//! not exist), where a new document is registered, and the receipts and references
//! the server keeps.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ReadDoc, ROOT};
use fieldbook_core::doc::incident;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{self, RecordKind, Role};
use fieldbook_core::model::action::Command;
use fieldbook_core::model::incident::{TicketKind, Title};
use fieldbook_core::model::priority::{Impact, Urgency};
use fieldbook_sync_server::store::{ChangeReceipt, Database, DocAccess, NewUser};

use crate::credentials::{self, ORGANISATION, SITE};
use crate::server_process::{Options, ServerProcess};
use crate::test_client::{TestClient, Wait, WAIT};
use crate::test_db::TestDb;
use crate::{new_incident, random_id, stamp};

backend_tests!(
    tokio::test;
    every_role_reads_every_kind_at_its_site_and_writes_only_the_kinds_its_role_may,
    outsiders_get_the_same_answers_as_for_documents_that_do_not_exist,
    a_new_document_goes_to_the_site_it_names_or_the_default_site_and_no_other,
    changes_are_receipted_and_incidents_and_requests_numbered_per_organisation,
    only_a_manager_or_admin_stores_an_approval_and_only_in_their_own_role,
    a_verification_is_stored_only_from_an_impartial_verifier_in_their_own_name,
);

/// A second site of the test organisation.
pub(crate) const SOUTH: &str = "south";
/// Another organisation, and its site.
pub(crate) const GLOBEX: &str = "globex";
pub(crate) const WEST: &str = "west";

fn now_ms() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(elapsed.as_millis()).expect("ms fit")
}

/// Adds `south` to acme, and the organisation globex with its site `west`, through
/// the server's own directory.
pub(crate) async fn add_places(db: &Database) {
    db.store
        .add_site(ORGANISATION, SOUTH, "South depot", random_id())
        .await
        .expect("add south");
    db.directory
        .add_organisation(GLOBEX, "Globex Corporation")
        .await
        .expect("add globex");
    db.store
        .add_site(GLOBEX, WEST, "West yard", random_id())
        .await
        .expect("add west");
}

/// Adds a user of `organisation` who works at `sites` (the first is their default),
/// and returns an API token for them.
pub(crate) async fn add_person(
    db: &Database,
    organisation: &str,
    login: &str,
    role: Role,
    sites: &[&str],
) -> String {
    db.directory
        .add_user(&NewUser {
            id: format!("u-{login}"),
            organisation: organisation.to_owned(),
            login: login.to_owned(),
            name: login.to_owned(),
            role,
            password_hash: credentials::password_hash(),
            sites: sites.iter().map(|s| (*s).to_owned()).collect(),
            default_site: sites[0].to_owned(),
        })
        .await
        .expect("add the user");
    credentials::new_token(db, login).await
}

/// The smallest record of `kind`: `{kind, schema: 1, site}` (no site if `None`).
fn record(kind: &str, site: Option<&str>) -> Automerge {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "kind", kind).expect("kind");
    tx.put(ROOT, "schema", 1i64).expect("schema");
    if let Some(site) = site {
        tx.put(ROOT, "site", site).expect("site");
    }
    tx.commit();
    doc
}

/// What a device fills in for a new incident at `site`.
fn sample_new(site: &str, title: &str) -> incident::NewIncident {
    incident::NewIncident {
        kind: TicketKind::Incident,
        needs_approval: false,
        site: site.to_owned(),
        title: Title::parse(title).expect("title"),
        description: "Seen on the morning round.".to_owned(),
        impact: Impact::parse(2).expect("impact"),
        urgency: Urgency::parse(2).expect("urgency"),
    }
}

/// A new incident at `site`.
fn incident_at(site: &str, title: &str) -> Automerge {
    let mut doc = Automerge::new();
    incident::create(&mut doc, &sample_new(site, title), stamp()).expect("create incident");
    doc
}

/// Writes `key` = `value` at the document's root.
fn put(doc: &mut Automerge, key: &str, value: &str) {
    let mut tx = doc.transaction();
    tx.put(ROOT, key, value).expect("put");
    tx.commit();
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

fn hashes(doc: &Automerge) -> Vec<ChangeHash> {
    doc.get_changes(&[]).iter().map(|c| c.hash()).collect()
}

/// Waits until the server sent `client` an `error` (or closed); fails on timeout.
pub(crate) async fn error_from(client: &mut TestClient) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    let ended = client.wait_for(deadline, |c| !c.errors.is_empty()).await;
    assert_ne!(ended, Wait::TimedOut, "no error from the server in time");
    assert_eq!(client.errors.len(), 1, "one error: {:?}", client.errors);
    client.errors[0].clone()
}

/// Waits until the server closed `client`'s connection.
pub(crate) async fn closed(client: &mut TestClient) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let ended = client.wait_for(deadline, |c| c.closed).await;
    assert_eq!(ended, Wait::Done, "the server closes the connection");
}

/// A fresh client of `token` asks for `id` and waits for exactly `heads`.
async fn fetch(
    addr: std::net::SocketAddr,
    token: &str,
    id: DocumentId,
    heads: &[ChangeHash],
) -> Automerge {
    let mut client = TestClient::connect_as(addr, "checker", token).await;
    client.request(id).await;
    let want = sorted(heads.to_vec());
    client
        .until("the stored document", |c| sorted(c.heads(id)) == want)
        .await;
    assert!(client.errors.is_empty(), "{:?}", client.errors);
    client.doc(id).clone()
}

/// The change hashes the store has receipts for, as text.
pub(crate) async fn receipted(db: &Database, id: DocumentId) -> Vec<String> {
    db.store
        .receipts(id)
        .await
        .expect("receipts")
        .into_iter()
        .map(|r| r.change_hash)
        .collect()
}

fn article(role: Role) -> &'static str {
    if role == Role::Admin || role == Role::Auditor {
        "an"
    } else {
        "a"
    }
}

async fn every_role_reads_every_kind_at_its_site_and_writes_only_the_kinds_its_role_may(
    db: TestDb,
) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    let boss = add_person(&database, ORGANISATION, "boss", Role::Admin, &[SITE]).await;
    let mut tokens = HashMap::new();
    for role in Role::ALL {
        let login = format!("{role}-north");
        tokens.insert(
            role,
            add_person(&database, ORGANISATION, &login, role, &[SITE]).await,
        );
    }

    // The admin creates one record of every kind at north, through the server.
    let mut admin = TestClient::connect_as(addr, "admin-desk", &boss).await;
    let mut docs = Vec::new();
    for kind in RecordKind::ALL {
        let id = random_id();
        admin.create(id, record(kind.as_str(), Some(SITE))).await;
        docs.push((kind, id));
    }
    // A new incident also gets its reference, as the server's own change.
    admin
        .until("the server to acknowledge every record", |c| {
            docs.iter().all(|(kind, id)| {
                c.acked(*id)
                    && (*kind != RecordKind::Incident
                        || c.doc(*id).get(ROOT, "reference").ok().flatten().is_some())
            })
        })
        .await;
    assert!(admin.errors.is_empty(), "{:?}", admin.errors);
    let mut expected: HashMap<DocumentId, Vec<ChangeHash>> = HashMap::new();
    for (kind, id) in &docs {
        assert_eq!(
            database
                .directory
                .document_access(*id)
                .await
                .expect("query"),
            Some(DocAccess {
                organisation: ORGANISATION.to_owned(),
                site: SITE.to_owned(),
                kind: Some(kind.as_str().to_owned()),
            }),
            "{kind}"
        );
        expected.insert(*id, admin.heads(*id));
    }
    drop(admin);

    let mut writes = 0;
    let mut refusals = 0;
    for role in Role::ALL {
        let token = &tokens[&role];

        // (a) `request`: every kind comes back, as stored.
        let mut reader = TestClient::connect_as(addr, &format!("{role}-reader"), token).await;
        for (_, id) in &docs {
            reader.request(*id).await;
        }
        reader
            .until("every record", |c| {
                docs.iter()
                    .all(|(_, id)| sorted(c.heads(*id)) == sorted(expected[id].clone()))
            })
            .await;
        assert!(
            reader.unavailable.is_empty(),
            "{role}: {:?}",
            reader.unavailable
        );
        assert!(reader.errors.is_empty(), "{role}: {:?}", reader.errors);
        drop(reader);

        let mut attempted = Vec::new();
        for (kind, id) in &docs {
            let what = format!("{role} × {kind}");
            let mut client = TestClient::connect_as(addr, &format!("{role}-writer"), token).await;

            // (c) A sync without changes: the normal reply, the whole document.
            client.create(*id, Automerge::new()).await;
            client
                .until(&format!("{what}: the reply to a sync"), |c| {
                    sorted(c.heads(*id)) == sorted(expected[id].clone())
                })
                .await;
            assert!(client.errors.is_empty(), "{what}: {:?}", client.errors);

            // (b) A sync carrying a change.
            client
                .change(*id, |d| put(d, &format!("note-{role}"), "checked"))
                .await;
            let change = client.heads(*id);
            assert_eq!(change.len(), 1);
            let change = change[0];
            if access::may_write(role, *kind) {
                client
                    .until(&format!("{what}: the server to acknowledge"), |c| {
                        c.acked(*id)
                    })
                    .await;
                assert!(client.errors.is_empty(), "{what}: {:?}", client.errors);
                expected.insert(*id, vec![change]);
                writes += 1;
            } else {
                let error = error_from(&mut client).await;
                let says = format!(
                    "as {} {role} you may read {kind} records but not change them",
                    article(role)
                );
                assert!(error.contains(&says), "{what}: {error:?}");
                assert!(error.contains(&id.to_string()), "{what}: {error:?}");
                closed(&mut client).await;
                refusals += 1;
            }
            attempted.push((*kind, *id, change));
        }

        // A fresh admin client sees exactly the changes that were allowed.
        let mut check = TestClient::connect_as(addr, "admin-check", &boss).await;
        for (_, id) in &docs {
            check.request(*id).await;
        }
        check
            .until("every record as stored", |c| {
                docs.iter()
                    .all(|(_, id)| sorted(c.heads(*id)) == sorted(expected[id].clone()))
            })
            .await;
        for (kind, id, change) in attempted {
            let allowed = access::may_write(role, kind);
            let seen = check.doc(id).get_change_by_hash(&change).is_some();
            assert_eq!(seen, allowed, "{role} × {kind}: the change is visible");
            let stored = receipted(&database, id).await.contains(&change.to_string());
            assert_eq!(stored, allowed, "{role} × {kind}: the change is stored");
        }
    }
    // The table has both answers, so both branches ran.
    assert!(
        writes > 0 && refusals > 0,
        "{writes} writes, {refusals} refusals"
    );
    database.store.close().await;
}

async fn outsiders_get_the_same_answers_as_for_documents_that_do_not_exist(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    // Admins, so that only where they work keeps them out.
    let globex = add_person(&database, GLOBEX, "gus", Role::Admin, &[WEST]).await;
    let southerner = add_person(&database, ORGANISATION, "sol", Role::Admin, &[SOUTH]).await;

    // tech puts an incident and a finding at north.
    let mut tech = TestClient::connect(addr, "tech-phone").await;
    let incident_id = random_id();
    let finding_id = random_id();
    tech.create(incident_id, new_incident("Dock door 4 jammed"))
        .await;
    tech.create(finding_id, record("finding", Some(SITE))).await;
    tech.until("both acknowledged, the incident numbered", |c| {
        c.acked(incident_id)
            && c.acked(finding_id)
            && incident::read(c.doc(incident_id)).is_ok_and(|i| i.reference.is_some())
    })
    .await;
    let north_docs = [incident_id, finding_id];
    let mut before = HashMap::new();
    for id in north_docs {
        before.insert(
            id,
            (
                tech.heads(id),
                database.store.receipts(id).await.expect("receipts"),
                database.directory.document_access(id).await.expect("query"),
            ),
        );
    }
    let copy = tech.doc(incident_id).save();
    drop(tech);

    for (who, token) in [("globex", &globex), ("south", &southerner)] {
        // `request`: doc-unavailable, as for an id no one ever used.
        let mut asker = TestClient::connect_as(addr, &format!("{who}-asker"), token).await;
        let unknown = random_id();
        for id in [incident_id, finding_id, unknown] {
            asker.request(id).await;
        }
        asker
            .until("an answer for all three", |c| {
                [incident_id, finding_id, unknown]
                    .iter()
                    .all(|id| c.unavailable.contains(id) || c.received.iter().any(|(d, _)| d == id))
            })
            .await;
        for id in [incident_id, finding_id, unknown] {
            assert!(
                asker.unavailable.contains(&id),
                "{who}: {id} was not unavailable"
            );
        }
        assert!(asker.received.is_empty(), "{who}: {:?}", asker.received);
        assert!(
            asker.errors.is_empty() && !asker.closed,
            "{who}: {:?}",
            asker.errors
        );
        for id in north_docs {
            assert!(asker.heads(id).is_empty(), "{who}: nothing of it arrived");
        }

        // A sync without changes: the very same reply as for an unknown id.
        let mut syncer = TestClient::connect_as(addr, &format!("{who}-syncer"), token).await;
        let unknown = random_id();
        for id in [incident_id, finding_id, unknown] {
            syncer.create(id, Automerge::new()).await;
        }
        syncer
            .until("an answer for all three", |c| {
                [incident_id, finding_id, unknown]
                    .iter()
                    .all(|id| c.unavailable.contains(id) || c.received.iter().any(|(d, _)| d == id))
            })
            .await;
        let reply = |id: DocumentId| -> Vec<Vec<u8>> {
            syncer
                .received
                .iter()
                .filter(|(d, _)| *d == id)
                .map(|(_, data)| data.clone())
                .collect()
        };
        assert!(
            !reply(unknown).is_empty(),
            "{who}: an unknown id gets a sync reply"
        );
        for id in north_docs {
            assert_eq!(
                (syncer.unavailable.contains(&id), reply(id)),
                (syncer.unavailable.contains(&unknown), reply(unknown)),
                "{who}: the answer gives it away"
            );
            assert!(syncer.heads(id).is_empty(), "{who}: nothing of it arrived");
        }
        assert!(
            syncer.errors.is_empty() && !syncer.closed,
            "{who}: {:?}",
            syncer.errors
        );

        // A sync carrying changes: doc-unavailable, and nothing stored. One sends a
        // record of its own under the id, one a changed copy of the real incident
        // (someone who once had it).
        let mut writer = TestClient::connect_as(addr, &format!("{who}-writer"), token).await;
        let own_site = if who == "globex" { WEST } else { SOUTH };
        writer
            .create(finding_id, record("finding", Some(own_site)))
            .await;
        let mut changed = Automerge::load(&copy).expect("load the copy");
        put(&mut changed, "note", "edited by an outsider");
        writer.create(incident_id, changed).await;
        writer
            .until("doc-unavailable for both", |c| {
                north_docs.iter().all(|id| c.unavailable.contains(id))
            })
            .await;
        assert!(
            writer.errors.is_empty() && !writer.closed,
            "{who}: {:?}",
            writer.errors
        );

        // 50 random ids: all unavailable, like the real ones.
        let randoms: Vec<DocumentId> = (0..50).map(|_| random_id()).collect();
        for id in &randoms {
            writer.request(*id).await;
        }
        writer
            .until("doc-unavailable for 50 random ids", |c| {
                randoms.iter().all(|id| c.unavailable.contains(id))
            })
            .await;
        assert!(
            writer.received.iter().all(|(d, _)| !randoms.contains(d)),
            "{who}: a sync message for a random id"
        );
    }

    // Nothing of theirs was stored, and where the documents belong is unchanged.
    for id in north_docs {
        let (heads, receipts, access) = &before[&id];
        assert_eq!(
            &database.store.receipts(id).await.expect("receipts"),
            receipts,
            "no receipt for an outsider's change"
        );
        assert_eq!(
            &database.directory.document_access(id).await.expect("query"),
            access
        );
        let token = credentials::token_for(addr).expect("tech's token");
        let stored = fetch(addr, &token, id, heads).await;
        assert!(
            stored.get_changes(&[]).iter().all(|c| before[&id]
                .1
                .iter()
                .any(|r| r.change_hash == c.hash().to_string())),
            "tech's fresh copy has only receipted changes"
        );
    }
    database.store.close().await;
}

async fn a_new_document_goes_to_the_site_it_names_or_the_default_site_and_no_other(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    // Works at both acme sites; south, though after north in id order, is the default.
    let both = add_person(
        &database,
        ORGANISATION,
        "pat",
        Role::Technician,
        &[SOUTH, SITE],
    )
    .await;

    // Names no site: registered to the uploader's default site.
    let mut pat = TestClient::connect_as(addr, "pat-tablet", &both).await;
    let unsited = random_id();
    pat.create(unsited, record("finding", None)).await;
    // Names north: registered there.
    let northern = random_id();
    pat.create(northern, record("finding", Some(SITE))).await;
    pat.until("both acknowledged", |c| {
        c.acked(unsited) && c.acked(northern)
    })
    .await;
    assert!(pat.errors.is_empty(), "{:?}", pat.errors);
    let at = |site: &str| DocAccess {
        organisation: ORGANISATION.to_owned(),
        site: site.to_owned(),
        kind: Some("finding".to_owned()),
    };
    assert_eq!(
        database
            .directory
            .document_access(unsited)
            .await
            .expect("query"),
        Some(at(SOUTH))
    );
    assert_eq!(
        database
            .directory
            .document_access(northern)
            .await
            .expect("query"),
        Some(at(SITE))
    );
    // tech, who works only at north, sees the northern one and not the other.
    let mut tech = TestClient::connect(addr, "tech-phone").await;
    tech.request(northern).await;
    tech.request(unsited).await;
    let heads = pat.heads(northern);
    tech.until("the northern one, and unavailable for the other", |c| {
        c.heads(northern) == heads && c.unavailable.contains(&unsited)
    })
    .await;
    drop(pat);

    // tech names a site where they do not work (of their organisation, or another):
    // refused with an error, nothing stored, nothing registered.
    for site in [SOUTH, WEST] {
        let id = random_id();
        let mut client = TestClient::connect(addr, &format!("tech-{site}")).await;
        client.create(id, record("incident", Some(site))).await;
        let error = error_from(&mut client).await;
        assert!(
            error.contains(&format!("belongs to site {site}, where you do not work")),
            "{error:?}"
        );
        assert!(error.contains("nothing in it was stored"), "{error:?}");
        closed(&mut client).await;
        assert_eq!(
            database.directory.document_access(id).await.expect("query"),
            None,
            "{site}"
        );
        assert!(
            database.store.load(id).await.expect("load").is_none(),
            "{site}"
        );
        assert!(receipted(&database, id).await.is_empty(), "{site}");
        // And the server has nothing of it to give. (It may answer with an empty
        // document rather than doc-unavailable: the refused sync left an empty,
        // unregistered entry in memory, as any sync without changes does.)
        let mut other = TestClient::connect(addr, &format!("tech-{site}-again")).await;
        other.request(id).await;
        other
            .until("an answer", |c| {
                c.unavailable.contains(&id) || c.received.iter().any(|(d, _)| *d == id)
            })
            .await;
        assert!(other.heads(id).is_empty(), "{site}: nothing of it");
    }
    database.store.close().await;
}

async fn changes_are_receipted_and_incidents_and_requests_numbered_per_organisation(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    let globex = add_person(&database, GLOBEX, "gus", Role::Technician, &[WEST]).await;

    let started = now_ms();
    let mut tech = TestClient::connect(addr, "tech-phone").await;
    let mut incidents = Vec::new();
    for (n, title) in ["Freezer 2 alarm", "Forklift battery swollen"]
        .into_iter()
        .enumerate()
    {
        let id = random_id();
        let doc = new_incident(title);
        let sent = hashes(&doc);
        tech.create(id, doc).await;
        let reference = format!("INC-{:06}", n + 1);
        tech.until(&format!("{reference} on the device"), |c| {
            c.acked(id) && incident::read(c.doc(id)).is_ok_and(|i| i.reference.is_some())
        })
        .await;
        let read = incident::read(tech.doc(id)).expect("an incident");
        assert_eq!(read.reference.as_deref(), Some(reference.as_str()));
        incidents.push((id, sent));
    }
    // tech edits the first one: that change is tech's too.
    let first = incidents[0].0;
    let before_edit = hashes(tech.doc(first));
    tech.change(first, |d| {
        incident::edit(
            d,
            &incident::Edit::Urgency(Urgency::parse(1).expect("urgency")),
            stamp(),
        )
    })
    .await
    .expect("edit");
    tech.until("the edit acknowledged", |c| c.acked(first))
        .await;
    let edits: Vec<ChangeHash> = hashes(tech.doc(first))
        .into_iter()
        .filter(|h| !before_edit.contains(h))
        .collect();
    assert!(!edits.is_empty());
    incidents[0].1.extend(edits);
    let finished = now_ms();
    assert!(tech.errors.is_empty(), "{:?}", tech.errors);

    for (id, sent) in &incidents {
        let all = hashes(tech.doc(*id));
        let receipts: HashMap<String, ChangeReceipt> = database
            .store
            .receipts(*id)
            .await
            .expect("receipts")
            .into_iter()
            .map(|r| (r.change_hash.clone(), r))
            .collect();
        assert_eq!(receipts.len(), all.len(), "one receipt per change");
        let mut by_server = 0;
        for hash in &all {
            let receipt = receipts
                .get(&hash.to_string())
                .unwrap_or_else(|| panic!("no receipt for {hash}"));
            let expected = if sent.contains(hash) {
                "u-tech"
            } else {
                "server"
            };
            assert_eq!(receipt.user_id, expected, "{hash}");
            if expected == "server" {
                by_server += 1;
            }
            assert!(
                (started..=finished).contains(&receipt.received_ms),
                "{hash} received at {} outside {started}..={finished}",
                receipt.received_ms
            );
        }
        assert_eq!(by_server, 1, "exactly the reference is the server's");
        let access = database
            .directory
            .document_access(*id)
            .await
            .expect("query");
        assert_eq!(
            access.map(|a| (a.organisation, a.site)),
            Some((ORGANISATION.to_owned(), SITE.to_owned()))
        );
    }

    // Another organisation counts from 1.
    let mut gus = TestClient::connect_as(addr, "gus-phone", &globex).await;
    let id = random_id();
    gus.create(id, incident_at(WEST, "Yard lights out")).await;
    gus.until("globex's reference", |c| {
        c.acked(id) && incident::read(c.doc(id)).is_ok_and(|i| i.reference.is_some())
    })
    .await;
    let read = incident::read(gus.doc(id)).expect("an incident");
    assert_eq!(read.reference.as_deref(), Some("INC-000001"));
    let receipts = database.store.receipts(id).await.expect("receipts");
    assert!(receipts.iter().any(|r| r.user_id == "u-gus"));
    assert_eq!(receipts.iter().filter(|r| r.user_id == "server").count(), 1);
    // And acme's next one is 3.
    let next = random_id();
    tech.create(next, new_incident("Third acme incident")).await;
    tech.until("acme's third reference", |c| {
        incident::read(c.doc(next)).is_ok_and(|i| i.reference.is_some())
    })
    .await;
    assert_eq!(
        incident::read(tech.doc(next))
            .expect("incident")
            .reference
            .as_deref(),
        Some("INC-000003")
    );
    // Service requests count on their own: REQ-000001, and incidents go on at 4.
    let request = random_id();
    let mut doc = Automerge::new();
    let new = incident::NewIncident {
        kind: TicketKind::ServiceRequest,
        needs_approval: true,
        ..sample_new(SITE, "New laptop for Ana")
    };
    incident::create(&mut doc, &new, stamp()).expect("create request");
    tech.create(request, doc).await;
    let fourth = random_id();
    tech.create(fourth, new_incident("Fourth acme incident"))
        .await;
    tech.until("the request's and the fourth incident's references", |c| {
        [request, fourth]
            .iter()
            .all(|id| incident::read(c.doc(*id)).is_ok_and(|i| i.reference.is_some()))
    })
    .await;
    let reference = |id| incident::read(tech.doc(id)).expect("read").reference;
    assert_eq!(reference(request).as_deref(), Some("REQ-000001"));
    assert_eq!(reference(fourth).as_deref(), Some("INC-000004"));
    assert_eq!(
        incident::read(tech.doc(request)).expect("read").kind,
        TicketKind::ServiceRequest
    );
    database.store.close().await;
}

/// An approval of a service request is stored only from someone who approves, and
/// only stating their own role: a technician's device that writes "Mia Manager,
/// manager" is refused and closed, and nothing of that change is stored.
async fn only_a_manager_or_admin_stores_an_approval_and_only_in_their_own_role(db: TestDb) {
    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    add_places(&database).await;
    let tess = add_person(&database, ORGANISATION, "tess", Role::Technician, &[SITE]).await;
    let mia = add_person(&database, ORGANISATION, "mia", Role::Manager, &[SITE]).await;

    let id = random_id();
    let mut doc = Automerge::new();
    let new = incident::NewIncident {
        kind: TicketKind::ServiceRequest,
        needs_approval: true,
        ..sample_new(SITE, "New laptop for Ana")
    };
    incident::create(&mut doc, &new, stamp()).expect("create request");
    let mut tech = TestClient::connect_as(addr, "tess-tablet", &tess).await;
    tech.create(id, doc).await;
    tech.until("the request and its reference", |c| {
        c.acked(id) && incident::read(c.doc(id)).is_ok_and(|r| r.reference.is_some())
    })
    .await;
    let stored = receipted(&database, id).await;

    let approve = |role| Command::Approve {
        by: "Mia Manager".into(),
        role,
    };
    // The technician's device states a manager's role: every device's lifecycle
    // would take it, so the server must not.
    tech.change(id, |d| {
        incident::perform(d, approve(Role::Manager), stamp())
    })
    .await
    .expect("the device's own lifecycle takes the stated role");
    let error = error_from(&mut tech).await;
    assert!(
        error.contains("as a technician you may not approve or refuse service requests"),
        "{error}"
    );
    closed(&mut tech).await;
    assert_eq!(
        receipted(&database, id).await,
        stored,
        "nothing of it stored"
    );

    // A manager stating another role is refused too; stating their own, stored.
    let mut phone = TestClient::connect_as(addr, "mia-phone", &mia).await;
    phone.request(id).await;
    phone
        .until("the request", |c| incident::read(c.doc(id)).is_ok())
        .await;
    let mut other = phone.doc(id).clone();
    incident::perform(&mut other, approve(Role::Admin), stamp()).expect("stated as admin");
    let mut liar = TestClient::connect_as(addr, "mia-laptop", &mia).await;
    liar.create(id, other).await;
    let error = error_from(&mut liar).await;
    assert!(
        error.contains("as a manager you may not approve"),
        "{error}"
    );
    assert_eq!(receipted(&database, id).await, stored);

    phone
        .change(id, |d| {
            incident::perform(d, approve(Role::Manager), stamp())
        })
        .await
        .expect("approved");
    phone.until("the approval stored", |c| c.acked(id)).await;
    assert!(phone.errors.is_empty(), "{:?}", phone.errors);
    assert_eq!(receipted(&database, id).await.len(), stored.len() + 1);
    database.store.close().await;
}

/// A person of the test organisation as events record them (`add_person` names
/// them by their login).
fn person(login: &str, role: Role) -> access::Person {
    access::Person {
        user_id: format!("u-{login}"),
        name: login.to_owned(),
        role,
    }
}

/// A verification of a finding is stored only from the verifier, in their own
/// name, who owns neither the finding nor one of its corrective actions, whose
/// owners the server reads from the action documents it holds: a device that
/// leaves the action's owner out of the event, or writes someone else's name,
/// is refused and closed, and nothing of that change is stored.
async fn a_verification_is_stored_only_from_an_impartial_verifier_in_their_own_name(db: TestDb) {
    use fieldbook_core::doc::{corrective_action, finding};
    use fieldbook_core::model::corrective_action::NewCorrectiveAction;
    use fieldbook_core::model::evidence::Evidence;
    use fieldbook_core::model::finding::{
        Classification, Command as FindingCommand, Event, FindingEvent, NewFinding, Statement,
        VerificationResult,
    };
    use fieldbook_core::model::priority::Priority;
    use fieldbook_core::model::workflow::UserRef;

    let server = ServerProcess::start(&Options::new(&db)).await;
    let addr = server.addr;
    let database = db.open_database().await;
    let ada_token = add_person(&database, ORGANISATION, "ada", Role::Auditor, &[SITE]).await;
    let aziz_token = add_person(&database, ORGANISATION, "aziz", Role::Auditor, &[SITE]).await;
    let tess_token = add_person(&database, ORGANISATION, "tess", Role::Technician, &[SITE]).await;
    let (ada, aziz, tess) = (
        person("ada", Role::Auditor),
        person("aziz", Role::Auditor),
        person("tess", Role::Technician),
    );

    // 1. Ada raises a finding and links a corrective action owned by Tess; the
    //    action's document is not on the server yet.
    let (finding_id, action_id) = (random_id(), random_id());
    let mut finding_doc = Automerge::new();
    let new = NewFinding {
        site: SITE.to_owned(),
        audit: None,
        audit_lead: None,
        classification: Classification::MinorNonconformity,
        statement: Statement::prefilled("Suppliers are not named as interested parties."),
        clauses: Vec::new(),
        process: String::new(),
        evidence: Vec::new(),
        owner: None,
        response_due: None,
        source: None,
    };
    finding::create(&mut finding_doc, &new, &ada, stamp()).expect("create finding");
    let link = FindingCommand::LinkAction {
        action: action_id.to_string(),
    };
    finding::perform(&mut finding_doc, link, &ada, &[], stamp()).expect("link the action");
    let mut lead = TestClient::connect_as(addr, "ada-tablet", &ada_token).await;
    lead.create(finding_id, finding_doc).await;
    lead.until("the finding stored", |c| c.acked(finding_id))
        .await;

    // A verification as a device would write it, checked against `owners`.
    // Its id is the device's choice: Tess's device reuses the id of the finding's
    // first event, which a check by id would take for an old one.
    let verification = |doc: &mut Automerge, by: &access::Person, owners: Vec<UserRef>| {
        let first = finding::read(doc).expect("read").events[0].id.clone();
        let event = Event {
            id: if by.user_id == "u-aziz" {
                format!("verified-{}", by.user_id)
            } else {
                first
            },
            kind: FindingEvent::Verified {
                result: VerificationResult::Effective,
                evidence: vec![Evidence::Note {
                    text: "Register checked.".to_owned(),
                }],
                notes: String::new(),
                action_owners: owners,
            },
            at_ms: stamp().at_ms,
            device: doc.get_actor().to_hex_string(),
            by: by.clone(),
        };
        finding::append_event(doc, &event, stamp()).expect("append the verification");
    };

    // 2. Aziz verifies while the action is not on the server: who owns it is not
    //    known, so it is refused.
    let mut early = holding_finding(addr, "aziz-early", &aziz_token, finding_id).await;
    let stored = receipted(&database, finding_id).await;
    early
        .change(finding_id, |d| verification(d, &aziz, Vec::new()))
        .await;
    let error = error_from(&mut early).await;
    assert!(error.contains("is not on the server"), "{error}");
    closed(&mut early).await;
    assert_eq!(receipted(&database, finding_id).await, stored);

    // 3. The action arrives: owned by Tess.
    let mut action_doc = Automerge::new();
    let action = NewCorrectiveAction {
        site: SITE.to_owned(),
        findings: vec![finding_id.to_string()],
        title: Title::parse("Keep a register of interested parties").expect("title"),
        description: String::new(),
        owner: UserRef::from(&tess),
        due: None,
        priority: Priority::P3,
        change_needed: false,
    };
    corrective_action::create(&mut action_doc, &action, &ada, stamp()).expect("create action");
    lead.create(action_id, action_doc).await;
    lead.until("the action stored", |c| c.acked(action_id))
        .await;

    // 4. Tess's device leaves her out of the action owners: every device's
    //    lifecycle would take it, so the server must not.
    let mut tablet = holding_finding(addr, "tess-tablet", &tess_token, finding_id).await;
    tablet
        .change(finding_id, |d| verification(d, &tess, Vec::new()))
        .await;
    let error = error_from(&mut tablet).await;
    assert!(
        error.contains("tess owns corrective action “Keep a register of interested parties” of this finding and so may not verify it"),
        "{error}"
    );
    closed(&mut tablet).await;
    assert_eq!(receipted(&database, finding_id).await, stored);

    // 4b. Tess's device turns an event already in the log into a verification
    //     instead: the log only grows, so that is refused too.
    let mut rewriter = holding_finding(addr, "tess-laptop", &tess_token, finding_id).await;
    rewriter
        .change(finding_id, |d| {
            let events = d.get(ROOT, "events").expect("get").expect("events").1;
            let first = d.get(&events, 0).expect("get").expect("first").1;
            let mut tx = d.transaction();
            tx.put(&first, "type", "verified").expect("rewrite");
            tx.commit();
        })
        .await;
    let error = error_from(&mut rewriter).await;
    assert!(
        error.contains("the change alters events already in the record's history"),
        "{error}"
    );
    closed(&mut rewriter).await;
    assert_eq!(receipted(&database, finding_id).await, stored);

    // 5. Tess's device writes Aziz's name on her verification: refused too.
    let mut forged = holding_finding(addr, "tess-phone", &tess_token, finding_id).await;
    forged
        .change(finding_id, |d| {
            verification(d, &aziz, vec![UserRef::from(&tess)])
        })
        .await;
    let error = error_from(&mut forged).await;
    assert!(
        error.contains("tess may record a verification only in their own name"),
        "{error}"
    );
    closed(&mut forged).await;
    assert_eq!(receipted(&database, finding_id).await, stored);

    // 6. Aziz, who owns neither, verifies: stored.
    let mut phone = holding_finding(addr, "aziz-phone", &aziz_token, finding_id).await;
    phone
        .change(finding_id, |d| {
            verification(d, &aziz, vec![UserRef::from(&tess)])
        })
        .await;
    phone
        .until("the verification stored", |c| c.acked(finding_id))
        .await;
    assert!(phone.errors.is_empty(), "{:?}", phone.errors);
    assert_eq!(
        receipted(&database, finding_id).await.len(),
        stored.len() + 1
    );

    // 7. A finding new to the server that arrives already verified is an
    //    imported audit's: refused from an auditor, stored from an admin.
    let alex_token = add_person(&database, ORGANISATION, "alex", Role::Admin, &[SITE]).await;
    let imported_id = random_id();
    let mut imported = Automerge::new();
    finding::create(&mut imported, &new, &ada, stamp()).expect("create");
    verification(&mut imported, &aziz, Vec::new());
    let mut importer = TestClient::connect_as(addr, "aziz-import", &aziz_token).await;
    importer.create(imported_id, imported.clone()).await;
    let error = error_from(&mut importer).await;
    assert!(
        error.contains(
            "a finding that arrives already verified (from an imported audit) is accepted only from an admin"
        ),
        "{error}"
    );
    assert!(receipted(&database, imported_id).await.is_empty());
    let mut admin = TestClient::connect_as(addr, "alex-import", &alex_token).await;
    admin.create(imported_id, imported).await;
    admin
        .until("the imported finding stored", |c| c.acked(imported_id))
        .await;
    assert!(admin.errors.is_empty(), "{:?}", admin.errors);
    database.store.close().await;
}

/// A device of `token` that has fetched the finding `id` from the server.
async fn holding_finding(
    addr: std::net::SocketAddr,
    name: &str,
    token: &str,
    id: DocumentId,
) -> TestClient {
    let mut client = TestClient::connect_as(addr, name, token).await;
    client.request(id).await;
    client
        .until("the finding", |c| {
            fieldbook_core::doc::finding::read(c.doc(id)).is_ok()
        })
        .await;
    client
}
