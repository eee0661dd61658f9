//! Template documents: round trips, the publication log, and the rule that a
//! published version never changes.

use automerge::{ActorId, Automerge};

use super::*;
use crate::model::access::Role;
use crate::model::checklist::tests::small_spec;
use crate::model::checklist::{iso20000_internal_audit, ItemSpec};

const T0: i64 = 1_704_096_000_000;

fn admin() -> Person {
    Person {
        user_id: "u-admin".into(),
        name: "Ada".into(),
        role: Role::Admin,
    }
}

fn device(n: u8) -> Automerge {
    Automerge::new().with_actor(ActorId::from([n; 16]))
}

fn draft_doc() -> Automerge {
    let mut doc = device(1);
    let draft = Template::parse(small_spec()).unwrap();
    create(&mut doc, &draft, &admin(), Stamp::at(T0)).unwrap();
    doc
}

#[test]
fn the_shipped_template_survives_a_document_and_save_load() {
    let template = iso20000_internal_audit();
    let mut doc = device(1);
    create(&mut doc, &template, &admin(), Stamp::at(T0)).unwrap();
    let loaded = Automerge::load(&doc.save()).unwrap();
    let record = read(&loaded).unwrap();
    assert_eq!(record.template, template);
    assert_eq!(record.template.status(), TemplateStatus::Published);
    assert_eq!(record.events.len(), 2);
    assert_eq!(record.events[1].by, Some(admin()));
    assert_eq!(
        crate::doc::kind_of(&loaded).as_deref(),
        Some("checklist-template")
    );
}

#[test]
fn a_draft_is_edited_then_published_and_then_refuses_edits() {
    let mut doc = draft_doc();
    let mut spec = read(&doc).unwrap().template.to_spec();
    spec.title = "Site inspection (monthly)".into();
    edit(&mut doc, spec.clone(), &admin(), Stamp::at(T0 + 1)).unwrap();
    assert_eq!(
        read(&doc).unwrap().template.title(),
        "Site inspection (monthly)"
    );
    publish(&mut doc, &admin(), Stamp::at(T0 + 2)).unwrap();
    let refused = edit(&mut doc, spec, &admin(), Stamp::at(T0 + 3)).expect_err("fixed");
    assert!(matches!(
        refused,
        TemplateChangeError::Version(VersionError::Fixed { .. })
    ));
    assert!(matches!(
        publish(&mut doc, &admin(), Stamp::at(T0 + 4)),
        Err(TemplateChangeError::Publication(_))
    ));
    retire(&mut doc, &admin(), Stamp::at(T0 + 5)).unwrap();
    let record = read(&doc).unwrap();
    assert_eq!(record.template.status(), TemplateStatus::Retired);
    let kinds: Vec<&str> = record.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "edited", "published", "retired"]);
}

#[test]
fn editing_a_published_version_makes_the_next_version_in_its_own_document() {
    let mut v1 = draft_doc();
    publish(&mut v1, &admin(), Stamp::at(T0 + 1)).unwrap();
    let mut v2 = device(1);
    let draft = create_next_version(&v1, &mut v2, &admin(), Stamp::at(T0 + 2)).unwrap();
    assert_eq!(
        (draft.version(), draft.status()),
        (2, TemplateStatus::Draft)
    );
    let mut spec = draft.to_spec();
    spec.sections[0].items.pop();
    edit(&mut v2, spec, &admin(), Stamp::at(T0 + 3)).unwrap();
    assert_eq!(read(&v2).unwrap().template.items().count(), 2);
    assert_eq!(
        read(&v1).unwrap().template.items().count(),
        3,
        "v1 unchanged"
    );
    let mut v3 = device(1);
    assert!(matches!(
        create_next_version(&v2, &mut v3, &admin(), Stamp::at(T0 + 4)),
        Err(TemplateChangeError::Version(VersionError::StillDraft(2)))
    ));
}

#[test]
fn an_offline_edit_concurrent_with_publication_needs_review() {
    let mut a = draft_doc();
    let mut b = a.fork().with_actor(ActorId::from([2; 16]));
    publish(&mut a, &admin(), Stamp::at(T0 + 10)).unwrap();
    let mut spec = read(&b).unwrap().template.to_spec();
    spec.purpose = "Changed offline".into();
    edit(&mut b, spec, &admin(), Stamp::at(T0 + 20)).unwrap();
    a.merge(&mut b).unwrap();
    let record = read(&a).unwrap();
    assert_eq!(record.template.status(), TemplateStatus::Published);
    assert_eq!(record.needs_review.len(), 1);
    assert_eq!(record.needs_review[0].kind, TemplateEventKind::Edited);
}

#[test]
fn other_documents_are_not_templates() {
    let mut doc = device(1);
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        use automerge::transaction::Transactable;
        tx.put(ROOT, "kind", "incident")?;
        tx.put(ROOT, "schema", 1)
    })
    .unwrap();
    assert!(matches!(read(&doc), Err(ReadError::WrongKind { .. })));
    assert_eq!(read(&device(1)), Err(ReadError::Empty));
}

#[test]
fn an_unfinished_draft_is_kept_and_publishing_it_is_refused_until_it_is_a_template() {
    use crate::model::checklist::editing::{ItemChange, Place, SpecEdit};
    let mut doc = draft_doc();
    let mut spec = read(&doc).unwrap().content();
    SpecEdit::AddItem { section: 1 }.apply(&mut spec).unwrap();
    let problem = save_draft(&mut doc, spec.clone(), &admin(), Stamp::at(T0 + 1))
        .unwrap()
        .expect("no prompt yet");
    assert_eq!(
        problem.place,
        Place::Item {
            section: 1,
            item: 1
        }
    );
    let loaded = Automerge::load(&doc.save()).unwrap();
    let record = read(&loaded).unwrap();
    assert_eq!(record.content(), spec, "the unfinished draft is kept");
    assert_eq!(
        record.template.items().count(),
        3,
        "the valid content is unchanged"
    );
    let refused = publish(&mut doc, &admin(), Stamp::at(T0 + 2)).expect_err("unfinished");
    assert_eq!(refused.to_string(), "item `v1-1` needs a prompt");
    assert_eq!(read(&doc).unwrap().template.status(), TemplateStatus::Draft);

    SpecEdit::Item {
        section: 1,
        item: 1,
        change: ItemChange::Prompt("Is the restore log signed?".into()),
    }
    .apply(&mut spec)
    .unwrap();
    assert_eq!(
        save_draft(&mut doc, spec, &admin(), Stamp::at(T0 + 3)).unwrap(),
        None
    );
    let record = read(&doc).unwrap();
    assert_eq!(
        record.working, None,
        "a finished draft drops its working copy"
    );
    assert_eq!(record.template.items().count(), 4);
    publish(&mut doc, &admin(), Stamp::at(T0 + 4)).unwrap();

    let published = read(&doc).unwrap();
    let refused =
        save_draft(&mut doc, published.content(), &admin(), Stamp::at(T0 + 5)).expect_err("fixed");
    assert!(matches!(
        refused,
        TemplateChangeError::Version(VersionError::Fixed { .. })
    ));
    assert_eq!(read(&doc).unwrap(), published, "nothing written");
}

#[test]
fn a_run_keeps_the_version_it_started_from_after_the_next_is_published() {
    use crate::doc::checklist_run::{self, NewRun};
    use crate::model::checklist_run::RunContext;
    let mut v1 = draft_doc();
    publish(&mut v1, &admin(), Stamp::at(T0 + 1)).unwrap();
    let mut run = device(1);
    let new = NewRun {
        context: RunContext {
            site: "site-1".into(),
            incident: None,
            audit: None,
        },
        assignees: vec![admin()],
        template: read(&v1).unwrap().template,
    };
    checklist_run::create(&mut run, &new, &admin(), Stamp::at(T0 + 2)).unwrap();
    let mut v2 = device(1);
    create_next_version(&v1, &mut v2, &admin(), Stamp::at(T0 + 3)).unwrap();
    let mut spec = read(&v2).unwrap().content();
    spec.sections[0]
        .items
        .push(ItemSpec::yes_no("v2-1", "Are the racks labelled?"));
    save_draft(&mut v2, spec, &admin(), Stamp::at(T0 + 4)).unwrap();
    publish(&mut v2, &admin(), Stamp::at(T0 + 5)).unwrap();
    let old = checklist_run::read(&run).unwrap();
    assert_eq!(old.template.version(), 1);
    assert_eq!(old.template.items().count(), 3);
    assert_eq!(read(&v1).unwrap().template.items().count(), 3);
    assert_eq!(read(&v2).unwrap().template.items().count(), 4);
}
