//! The versions of each template on a device, grouped by key: which one new
//! runs start from (the newest published), and what "Edit" opens (the open
//! draft, or a new draft of the next version).
//!
//! Each version is its own document, so a device holds several per key. Two
//! people offline may each start the same next version; both drafts are kept
//! and shown, and whichever is published later with the higher version is the
//! one runs start from (a tie on version goes to the lower document id, so
//! every device picks the same).

use super::{Template, TemplateStatus};

/// One template key and its versions on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct Lineage<Id> {
    pub key: String,
    /// The title of the newest version.
    pub title: String,
    /// The newest published version: where new runs start.
    pub current: Option<Id>,
    /// Every version, newest first.
    pub versions: Vec<Version<Id>>,
}

/// One version of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Version<Id> {
    pub id: Id,
    pub version: u32,
    pub status: TemplateStatus,
    pub title: String,
}

/// What "Edit" on a template does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget<Id> {
    /// A draft newer than every published version exists: open it.
    Draft(Id),
    /// Make the draft of the next version from this (published or retired) one.
    NextVersionOf(Id),
}

/// The templates grouped by key, ordered by title.
pub fn lineages<'a, Id: Clone + Ord + 'a>(
    templates: impl IntoIterator<Item = (Id, &'a Template)>,
) -> Vec<Lineage<Id>> {
    let mut all: Vec<(Id, &Template)> = templates.into_iter().collect();
    all.sort_by(|(a, x), (b, y)| {
        (x.key(), std::cmp::Reverse(x.version()), a).cmp(&(
            y.key(),
            std::cmp::Reverse(y.version()),
            b,
        ))
    });
    let mut found: Vec<Lineage<Id>> = Vec::new();
    for (id, template) in all {
        let version = Version {
            id: id.clone(),
            version: template.version(),
            status: template.status(),
            title: template.title().to_owned(),
        };
        match found.last_mut().filter(|l| l.key == template.key()) {
            Some(lineage) => lineage.versions.push(version),
            None => found.push(Lineage {
                key: template.key().to_owned(),
                title: template.title().to_owned(),
                current: None,
                versions: vec![version],
            }),
        }
    }
    for lineage in &mut found {
        lineage.current = lineage
            .versions
            .iter()
            .find(|v| v.status == TemplateStatus::Published)
            .map(|v| v.id.clone());
    }
    found.sort_by(|a, b| (a.title.to_lowercase(), &a.key).cmp(&(b.title.to_lowercase(), &b.key)));
    found
}

impl<Id: Clone> Lineage<Id> {
    /// What "Edit" does: open the draft newer than every fixed version, or
    /// start the next version from the newest fixed one.
    pub fn edit_target(&self) -> Option<EditTarget<Id>> {
        let newest_fixed = self
            .versions
            .iter()
            .find(|v| v.status != TemplateStatus::Draft);
        let open_draft = self.versions.iter().find(|v| {
            v.status == TemplateStatus::Draft
                && newest_fixed.is_none_or(|fixed| v.version > fixed.version)
        });
        match (open_draft, newest_fixed) {
            (Some(draft), _) => Some(EditTarget::Draft(draft.id.clone())),
            (None, Some(fixed)) => Some(EditTarget::NextVersionOf(fixed.id.clone())),
            (None, None) => None,
        }
    }

    /// Whether the version `id` is this template's.
    pub fn holds(&self, id: &Id) -> bool
    where
        Id: PartialEq,
    {
        self.versions.iter().any(|v| &v.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::checklist::tests::small_spec;

    fn version(n: u32, status: TemplateStatus) -> Template {
        let mut spec = small_spec();
        spec.version = n;
        Template::parse(spec).unwrap().with_status(status)
    }

    #[test]
    fn runs_start_from_the_newest_published_and_edit_opens_the_open_draft() {
        use TemplateStatus::*;
        let v1 = version(1, Retired);
        let v2 = version(2, Published);
        let v3 = version(3, Draft);
        let mut other = small_spec();
        other.key = "another".into();
        other.title = "A first template".into();
        let other = Template::parse(other).unwrap().with_status(Published);
        let found = lineages([("d1", &v1), ("d3", &v3), ("o1", &other), ("d2", &v2)]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].key, "another");
        let site = &found[1];
        assert_eq!(site.current, Some("d2"));
        let order: Vec<u32> = site.versions.iter().map(|v| v.version).collect();
        assert_eq!(order, vec![3, 2, 1]);
        assert_eq!(site.edit_target(), Some(EditTarget::Draft("d3")));
        assert!(site.holds(&"d1") && !site.holds(&"o1"));

        let without_draft = lineages([("d1", &v1), ("d2", &v2)]);
        assert_eq!(
            without_draft[0].edit_target(),
            Some(EditTarget::NextVersionOf("d2"))
        );
    }

    #[test]
    fn a_stale_draft_is_not_reopened_and_a_tie_goes_to_the_lower_id() {
        use TemplateStatus::*;
        let stale = version(2, Draft);
        let published_b = version(2, Published);
        let published_a = version(2, Published);
        let found = lineages([("b", &published_b), ("s", &stale), ("a", &published_a)]);
        assert_eq!(found[0].current, Some("a"));
        assert_eq!(found[0].edit_target(), Some(EditTarget::NextVersionOf("a")));
        let only_draft = version(1, Draft);
        assert_eq!(
            lineages([("n", &only_draft)])[0].edit_target(),
            Some(EditTarget::Draft("n"))
        );
        assert_eq!(lineages([("n", &only_draft)])[0].current, None);
    }
}
