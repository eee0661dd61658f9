//! Asking again for a record the server said it does not have yet.
//!
//! A catalog can reach this device before a record it lists reaches the
//! server: the creating device's catalog change takes one round trip, a new
//! document two (heads first, then the changes the server asks for). The
//! server answers a request in between with doc-unavailable. So when a
//! document this device holds no changes of is listed in one of its catalogs,
//! it is asked for again after a short wait, a few times with growing waits.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fieldbook_core::doc::{catalog, kind_of};
use fieldbook_core::ids::DocumentId;

use super::{Repo, Server};

/// Waits before each new request, in milliseconds; then the device gives up
/// until the next connection (which asks for every listed record again).
const WAITS_MS: [u32; 5] = [500, 1_000, 2_000, 4_000, 8_000];

thread_local! {
    static ATTEMPTS: RefCell<HashMap<DocumentId, usize>> = RefCell::new(HashMap::new());
}

impl Repo {
    /// After doc-unavailable for `id`: ask again later if a catalog lists it
    /// and this device has nothing of it.
    pub(super) fn retry_unavailable(self: &Rc<Self>, id: DocumentId) {
        let wanted = {
            let inner = self.inner.borrow();
            let empty = inner
                .docs
                .get(&id)
                .is_some_and(|l| l.sync.doc().get_heads().is_empty());
            empty
                && inner.docs.values().any(|l| {
                    kind_of(l.sync.doc()).as_deref() == Some("catalog")
                        && catalog::entries(l.sync.doc())
                            .is_ok_and(|entries| entries.iter().any(|e| e.id == id))
                })
        };
        if !wanted {
            return;
        }
        let attempt = ATTEMPTS.with(|a| {
            let mut a = a.borrow_mut();
            let n = a.entry(id).or_insert(0);
            *n += 1;
            *n
        });
        let Some(wait) = WAITS_MS.get(attempt - 1).copied() else {
            ATTEMPTS.with(|a| a.borrow_mut().remove(&id));
            return;
        };
        let weak = Rc::downgrade(self);
        gloo::timers::callback::Timeout::new(wait, move || {
            let Some(repo) = weak.upgrade() else { return };
            leptos::task::spawn_local(async move {
                let _op = repo.ops.lock().await;
                {
                    let mut inner = repo.inner.borrow_mut();
                    let Some(loaded) = inner.docs.get_mut(&id) else {
                        return;
                    };
                    if !loaded.sync.doc().get_heads().is_empty() {
                        ATTEMPTS.with(|a| a.borrow_mut().remove(&id));
                        return;
                    }
                    // A fresh sync state, so the request is sent again.
                    loaded.sync.disconnect(&Server);
                    loaded.sync.connect(Server);
                }
                repo.send_pending(&[id]);
            });
        })
        .forget();
    }
}
