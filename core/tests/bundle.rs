//! An audit exported as one file and read back: a round trip keeps every
//! change and picture, and every way a file can be wrong is said in words.

use automerge::{ActorId, Automerge, ReadDoc};
use fieldbook_core::bundle::{
    self, encode_as_version, file_name, Blob, Bundle, BundleError, Contents, Document, Manifest,
    FORMAT_VERSION, MAGIC, MAX_BUNDLE_BYTES,
};
use fieldbook_core::doc::{audit, finding, history, transfer, Stamp};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::{Person, RecordKind, Role};
use fieldbook_core::model::audit::NewAudit;
use fieldbook_core::model::evidence::Evidence;
use fieldbook_core::model::finding::{Classification, NewFinding, Statement};
use fieldbook_core::model::workflow::UserRef;

fn lead() -> Person {
    Person {
        user_id: "u-ada".into(),
        name: "Ada Auditor".into(),
        role: Role::Auditor,
    }
}

fn id(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}

/// A JPEG-looking picture; the bytes only need to hash.
fn photo(n: u8) -> Blob {
    Blob::new(vec![0xff, 0xd8, 0xff, n, n, n], "image/jpeg")
}

fn audit_doc() -> Automerge {
    let mut doc = Automerge::new().with_actor(ActorId::from([1; 16]));
    let plan = NewAudit {
        title: "Service desk, north".into(),
        programme: None,
        planned_for: None,
        scope: "Incidents".into(),
        criteria: "ISO/IEC 20000-1:2018".into(),
        clauses: vec![],
        sites: vec!["north".into()],
        lead: UserRef::from(&lead()),
        auditors: vec![],
        auditees: vec![],
    };
    audit::create(&mut doc, &plan, &lead(), Stamp::at(1_000)).expect("an audit");
    doc
}

fn finding_doc(photo: &Blob) -> Automerge {
    let mut doc = Automerge::new().with_actor(ActorId::from([2; 16]));
    let new = NewFinding {
        site: "north".into(),
        audit: Some(id(1).to_string()),
        audit_lead: Some(UserRef::from(&lead())),
        classification: Classification::MinorNonconformity,
        statement: Statement::prefilled("Interested parties are not listed"),
        clauses: vec!["4.2".parse().expect("a clause")],
        process: String::new(),
        evidence: vec![Evidence::Photo {
            blob: photo.hash.clone(),
            caption: "The register".into(),
        }],
        owner: None,
        response_due: None,
        source: None,
    };
    finding::create(&mut doc, &new, &lead(), Stamp::at(2_000)).expect("a finding");
    doc
}

fn sample() -> Bundle {
    let picture = photo(1);
    let mut audit = audit_doc();
    // A second change, so the round trip is seen to keep history.
    audit::edit(
        &mut audit,
        &audit::Edit::Scope("Incidents and requests".into()),
        Stamp::at(3_000),
    )
    .expect("an edit");
    Bundle {
        manifest: Manifest {
            exported_at_ms: 1_764_000_000_000,
            exported_by: "Ada Auditor".into(),
            audit: id(1),
            title: "Service desk, north".into(),
        },
        documents: vec![
            Document {
                id: id(1),
                kind: RecordKind::Audit,
                save: audit.save(),
            },
            Document {
                id: id(2),
                kind: RecordKind::Finding,
                save: finding_doc(&picture).save(),
            },
        ],
        blobs: vec![picture],
    }
}

#[test]
fn a_bundle_round_trips_with_every_change_and_picture() {
    let original = sample();
    let bytes = original.encode();
    assert!(bytes.starts_with(MAGIC));
    let read = Bundle::decode(&bytes).unwrap();
    assert_eq!(read, original);
    let audit = read.documents[0].load().unwrap();
    assert_eq!(history::changes(&audit).len(), 2, "both changes survive");
    assert_eq!(audit::read(&audit).unwrap().scope, "Incidents and requests");
    assert_eq!(
        read.contents(),
        Contents {
            audits: 1,
            findings: 1,
            photos: 1,
            ..Contents::default()
        }
    );
}

#[test]
fn contents_read_as_a_person_would_say_them() {
    let contents = Contents {
        audits: 1,
        runs: 2,
        findings: 3,
        actions: 1,
        photos: 5,
    };
    assert_eq!(
        contents.to_string(),
        "1 audit, 2 runs, 3 findings, 1 corrective action, 5 photos"
    );
}

#[test]
fn something_else_is_not_a_bundle() {
    for bytes in [&b""[..], b"%PDF-1.7", b"FIELDBOOK-BUNDL", b"{\"audit\": 1}"] {
        assert_eq!(Bundle::decode(bytes), Err(BundleError::NotABundle));
    }
    assert!(BundleError::NotABundle
        .to_string()
        .contains("not a Fieldbook audit export"));
}

#[test]
fn a_newer_format_asks_for_an_update() {
    let bytes = encode_as_version(&sample(), FORMAT_VERSION + 1);
    let error = Bundle::decode(&bytes).unwrap_err();
    assert_eq!(
        error,
        BundleError::NewerFormat {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );
    assert!(error.to_string().contains("Update Fieldbook"));
}

#[test]
fn a_cut_short_file_is_damaged() {
    let bytes = sample().encode();
    for cut in [
        MAGIC.len(),
        MAGIC.len() + 1,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        let error = Bundle::decode(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(error, BundleError::Damaged(_)),
            "cut at {cut}: {error:?}"
        );
        assert!(error
            .to_string()
            .starts_with("the file is damaged or incomplete"));
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Bundle::decode(&longer),
        Err(BundleError::Damaged(_))
    ));
}

#[test]
fn a_picture_whose_bytes_do_not_match_its_name_is_refused() {
    let mut bundle = sample();
    let hash = bundle.blobs[0].hash.clone();
    bundle.blobs[0].bytes.push(0);
    let error = Bundle::decode(&bundle.encode()).unwrap_err();
    assert_eq!(error, BundleError::BlobMismatch { hash: hash.clone() });
    assert!(error.to_string().contains(&hash.as_str()[..12]));
    assert!(error.to_string().contains("does not match"));
}

#[test]
fn a_picture_of_another_type_is_refused() {
    let mut bundle = sample();
    bundle.blobs[0].content_type = "text/html".into();
    let error = Bundle::decode(&bundle.encode()).unwrap_err();
    assert!(error.to_string().contains("text/html"), "{error}");
}

#[test]
fn a_document_that_does_not_load_is_named() {
    let mut bundle = sample();
    let save = &mut bundle.documents[1].save;
    let middle = save.len() / 2;
    save[middle] ^= 0xff;
    save.truncate(save.len() - 3);
    let error = Bundle::decode(&bundle.encode()).unwrap_err();
    assert!(
        matches!(&error, BundleError::DocumentDoesNotLoad { id: found, .. } if *found == id(2).to_string()),
        "{error:?}"
    );
    assert!(error.to_string().contains("does not load"));
}

#[test]
fn records_an_audit_export_does_not_hold_are_refused() {
    let mut bundle = sample();
    let mut catalog = Automerge::new();
    fieldbook_core::doc::catalog::create(&mut catalog, "north", Stamp::at(0)).unwrap();
    bundle.documents.push(Document {
        id: id(3),
        kind: RecordKind::Finding, // the file's word is not taken
        save: catalog.save(),
    });
    let error = Bundle::decode(&bundle.encode()).unwrap_err();
    assert_eq!(
        error,
        BundleError::UnexpectedKind {
            id: id(3).to_string(),
            found: "a catalog record".into()
        }
    );
}

#[test]
fn the_audit_the_manifest_names_must_be_in_it() {
    let mut bundle = sample();
    bundle.documents.remove(0);
    assert_eq!(
        Bundle::decode(&bundle.encode()),
        Err(BundleError::MissingAudit(id(1).to_string()))
    );
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let mut bytes = MAGIC.to_vec();
    bytes.resize(MAX_BUNDLE_BYTES + 1, 0);
    let error = Bundle::decode(&bytes).unwrap_err();
    assert!(matches!(error, BundleError::TooLarge { max_mb: 256, .. }));
    assert!(error.to_string().contains("at most 256 MB"));
}

#[test]
fn the_pictures_a_record_names_are_found_and_change_hashes_are_not() {
    let picture = photo(7);
    let doc = finding_doc(&picture);
    assert_eq!(transfer::blobs_named(&doc), vec![picture.hash.clone()]);
    assert!(transfer::blobs_named(&audit_doc()).is_empty());
    // A signature keeps the heads it covers (change hashes): those are not pictures.
    let signature = photo(8);
    let mut signed = Automerge::new();
    {
        use automerge::transaction::Transactable;
        let mut tx = signed.transaction();
        let list = tx
            .put_object(automerge::ROOT, "signatures", automerge::ObjType::List)
            .unwrap();
        let map = tx.insert_object(&list, 0, automerge::ObjType::Map).unwrap();
        tx.put(&map, "blob", signature.hash.as_str()).unwrap();
        let heads = tx
            .put_object(&map, "heads", automerge::ObjType::List)
            .unwrap();
        tx.insert(&heads, 0, photo(9).hash.as_str()).unwrap();
        tx.commit();
    }
    assert_eq!(transfer::blobs_named(&signed), vec![signature.hash]);
    assert_eq!(
        bundle::blobs_named_by([&doc, &finding_doc(&picture)]),
        vec![picture.hash]
    );
}

#[test]
fn a_record_moves_to_the_importing_site_on_top_of_its_history() {
    let mut doc = finding_doc(&photo(1));
    let before = history::changes(&doc).len();
    assert!(transfer::move_to_site(&mut doc, "harbour", Stamp::at(9_000)).unwrap());
    assert_eq!(finding::read(&doc).unwrap().site, "harbour");
    assert_eq!(history::changes(&doc).len(), before + 1);
    assert!(!transfer::move_to_site(&mut doc, "harbour", Stamp::at(9_001)).unwrap());
    let mut audit = audit_doc();
    assert!(transfer::move_to_site(&mut audit, "harbour", Stamp::at(9_000)).unwrap());
    assert_eq!(
        audit::read(&audit).unwrap().sites,
        vec!["harbour".to_owned()]
    );
    assert_eq!(
        audit
            .get(automerge::ROOT, "kind")
            .unwrap()
            .unwrap()
            .0
            .to_string(),
        "\"audit\""
    );
}

#[test]
fn export_files_are_named_after_the_audit_and_day() {
    assert_eq!(
        file_name("Service desk, North depot!", "2026-11-22"),
        "audit-service-desk-north-depot-2026-11-22.fieldbook"
    );
    assert_eq!(file_name("  ", "2026-11-22"), "audit-2026-11-22.fieldbook");
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever bytes come after the header, decoding answers in words and never panics.
        #[test]
        fn any_bytes_after_the_header_decode_or_fail_in_words(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&tail);
            if let Err(e) = Bundle::decode(&bytes) {
                prop_assert!(!e.to_string().is_empty());
            }
        }

        /// A real export with bytes flipped or cut is refused or still reads as a bundle whose
        /// pictures match their names; it never panics.
        #[test]
        fn a_damaged_export_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..), 1..8), cut in any::<prop::sample::Index>()) {
            let mut bytes = sample().encode();
            for (at, mask) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= mask;
            }
            bytes.truncate(MAGIC.len() + cut.index(bytes.len() - MAGIC.len() + 1));
            if let Ok(bundle) = Bundle::decode(&bytes) {
                for blob in &bundle.blobs {
                    prop_assert_eq!(&bundle::sha256(&blob.bytes), &blob.hash);
                }
            }
        }
    }
}

#[test]
fn who_may_import_depends_on_the_records_and_a_verified_finding_needs_an_admin() {
    use fieldbook_core::model::finding::{Event, FindingEvent, VerificationResult};
    let mut file = sample();
    assert_eq!(file.may_import(Role::Auditor), Ok(()));
    assert_eq!(
        file.may_import(Role::Technician),
        Err("as technician you may not add audit records; ask an auditor or an admin to import this audit".into())
    );
    // The finding was verified on the Fieldbook it came from.
    let mut verified = finding_doc(&photo(1));
    let verifier = Person {
        user_id: "u-aziz".into(),
        name: "Aziz Auditor".into(),
        role: Role::Auditor,
    };
    let event = Event {
        id: "verified-1".into(),
        kind: FindingEvent::Verified {
            result: VerificationResult::Effective,
            evidence: vec![Evidence::Note {
                text: "Register checked".into(),
            }],
            notes: String::new(),
            action_owners: vec![],
        },
        at_ms: 4_000,
        device: "02".repeat(16),
        by: verifier,
    };
    finding::append_event(&mut verified, &event, Stamp::at(4_000)).expect("verified");
    file.documents[1].save = verified.save();
    assert_eq!(
        file.may_import(Role::Auditor),
        Err("this audit has 1 verified finding: only an admin can import it, since each verification stays in its verifier's name".into())
    );
    assert_eq!(file.may_import(Role::Admin), Ok(()));
}
