//! The record a page shows: the document named by the route's `:id`, read
//! from the device, read again whenever the device's documents change, with
//! the person looking at it (whose next actions core works out).

use automerge::Automerge;
use fieldbook_core::doc::ReadError;
use fieldbook_core::ids::DocumentId;
use fieldbook_core::model::access::Person;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::repo;
use crate::repo::Signals;

/// What a record page reads.
pub struct RoutedRecord<T: Send + Sync + 'static> {
    /// The document the route names, if its id reads.
    pub id: Signal<Option<DocumentId>>,
    /// The record as last read, kept while a new read is under way.
    pub latest: RwSignal<Option<(T, Person)>>,
    /// Why the last read failed, in words for the person.
    pub failure: RwSignal<Option<String>>,
}

/// Reads the route's record with `read`; `bad_link` is said when the id does not read.
pub fn routed_record<T>(
    read: fn(&Automerge) -> Result<T, ReadError>,
    bad_link: &'static str,
) -> RoutedRecord<T>
where
    T: Clone + Send + Sync + 'static,
{
    let signals = expect_context::<Signals>();
    let params = use_params_map();
    let id = Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<DocumentId>().ok())
    });
    let loaded = LocalResource::new(move || {
        signals.revision.track();
        let id = id.get();
        async move {
            let (Some(id), Some(repo)) = (id, repo()) else {
                return Err(bad_link.to_owned());
            };
            let record = repo
                .read_record(id, read)
                .await
                .map_err(|e| e.to_string())?;
            let person = repo.person().map_err(|e| e.to_string())?;
            Ok((record, person))
        }
    });
    let latest = RwSignal::new(None::<(T, Person)>);
    let failure = RwSignal::new(None::<String>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(record)) => {
            failure.set(None);
            latest.set(Some(record));
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    RoutedRecord {
        id,
        latest,
        failure,
    }
}
