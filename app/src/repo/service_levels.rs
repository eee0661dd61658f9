//! A site's service levels on the device: every version published in the
//! site's service-levels documents (`doc::service_levels`), the one that stands,
//! and publishing the next. New incidents are logged under the standing version.
//!
//! A site normally has one service-levels document; the first publication
//! creates it (listed in the site's catalog in the same saved batch). Should two
//! administrators each create one offline, both are read: the versions of all
//! of them count.

use std::rc::Rc;

use fieldbook_core::doc::service_levels::{self, Published};
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::RecordKind;
use fieldbook_core::model::incident::Contested;
use fieldbook_core::model::service_levels::{next_version, standing, ServiceLevels};
use leptos::prelude::*;

use super::{ActionError, Repo};

/// What the device holds of a site's service levels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SiteLevels {
    /// Every published version, of every service-levels document of the site.
    pub published: Vec<Published>,
    /// The site's service-levels documents the device holds.
    pub documents: Vec<DocumentId>,
}

impl SiteLevels {
    /// The version that stands, with any published concurrently under the same
    /// number; `None` if the site never published its own.
    pub fn contested(&self) -> Option<Contested<ServiceLevels>> {
        standing(self.published.iter().map(|p| p.levels.clone()))
    }

    /// The version new incidents are logged under: the standing one, or the
    /// standard if the site has none.
    pub fn standing(&self) -> ServiceLevels {
        self.contested()
            .map(|c| c.value)
            .unwrap_or_else(ServiceLevels::standard)
    }

    /// The number the next publication takes.
    pub fn next_version(&self) -> u32 {
        next_version(self.published.iter().map(|p| &p.levels))
    }
}

impl Repo {
    /// The service levels of `site` as this device holds them.
    pub async fn site_levels(&self, site: &str) -> SiteLevels {
        let _op = self.ops.lock().await;
        self.levels_locked(site).await
    }

    /// Publishes `levels` as the next version of `site`'s service levels. Core
    /// refuses a number that does not follow every version the device holds
    /// (another administrator's publication arrived meanwhile: reload and look).
    pub async fn publish_levels(
        self: &Rc<Self>,
        site: &str,
        levels: ServiceLevels,
    ) -> Result<(), ActionError> {
        let _op = self.ops.lock().await;
        let by = self.person()?;
        let held = self.levels_locked(site).await;
        let others: Vec<ServiceLevels> = held.published.iter().map(|p| p.levels.clone()).collect();
        match held.documents.first() {
            Some(&id) => {
                self.change_locked(id, |doc, stamp| {
                    service_levels::publish(doc, &levels, &others, &by, stamp)
                        .map_err(|e| ActionError::Invalid(e.to_string()))
                })
                .await
            }
            None => {
                let (site_id, catalog) = self.site_catalog(Some(site))?;
                self.create_listed(catalog, RecordKind::SlaPolicy, |doc, stamp| {
                    service_levels::create(doc, &site_id, &levels, &by, stamp)
                        .map_err(|e| ActionError::Invalid(e.to_string()))
                })
                .await
                .map(|_| ())
            }
        }
    }

    /// [`Repo::site_levels`] for a caller that holds the ops lock. Documents that
    /// do not load or read are passed over (the standard stands in for nothing).
    pub(super) async fn levels_locked(&self, site: &str) -> SiteLevels {
        let ids: Vec<DocumentId> = self.signals.summaries.with_untracked(|rows| {
            rows.iter()
                .filter(|s| s.kind == RecordKind::SlaPolicy.as_str() && s.site == site)
                .filter_map(|s| s.id.parse().ok())
                .collect()
        });
        let mut held = SiteLevels::default();
        for id in ids {
            if self.ensure_loaded(id).await.is_err() {
                continue;
            }
            let inner = self.inner.borrow();
            let Some(record) = inner
                .docs
                .get(&id)
                .and_then(|loaded| service_levels::read(loaded.sync.doc()).ok())
            else {
                continue;
            };
            held.documents.push(id);
            held.published.extend(record.versions);
        }
        held
    }
}
