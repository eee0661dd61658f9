//! The next-actions panel a finding and a corrective action share: core's next
//! actions as large buttons (the most likely first); one that needs input opens
//! its form inline; a saved action says so, a refused one shows core's words.
//! What the actions are, what each form holds and what pressing does is the
//! caller's; this keeps the state and the layout.

use std::future::Future;

use leptos::prelude::*;

use super::wording::sentence;
use crate::repo::ActionError;

/// What the panel shows besides the buttons: the open form, a refusal, what
/// was recorded, and whether an action is being saved.
pub struct Panel<A: Send + Sync + 'static> {
    pub open: RwSignal<Option<A>>,
    pub error: RwSignal<Option<String>>,
    pub done: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
}

impl<A: Send + Sync + 'static> Clone for Panel<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: Send + Sync + 'static> Copy for Panel<A> {}

impl<A: Send + Sync + 'static> Panel<A> {
    pub fn new() -> Panel<A> {
        Panel {
            open: RwSignal::new(None),
            error: RwSignal::new(None),
            done: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Forgets the last refusal and the last "recorded".
    pub fn clear(self) {
        self.error.set(None);
        self.done.set(None);
    }

    /// Saves an action (`work`), then closes its form and says "`label` —
    /// recorded on this device", or keeps the form open with the refusal.
    pub fn run(
        self,
        label: &'static str,
        work: impl Future<Output = Result<(), ActionError>> + 'static,
    ) {
        self.busy.set(true);
        self.clear();
        leptos::task::spawn_local(async move {
            match work.await {
                Ok(()) => {
                    self.open.set(None);
                    self.done
                        .set(Some(format!("{label} — recorded on this device")));
                }
                Err(e) => self.error.set(Some(sentence(&e.to_string()))),
            }
            self.busy.set(false);
        });
    }
}

/// The panel: the buttons of `actions` (each calls `press`), or the open
/// action's form (its `fields`, sent to `submit`), with what was refused or recorded.
/// The first action is the primary button unless it is `quiet` (cancelling is
/// never the highlighted thing to do).
pub fn next_actions_view<A>(
    panel: Panel<A>,
    actions: Memo<Vec<A>>,
    label: fn(A) -> &'static str,
    quiet: fn(A) -> bool,
    press: impl Fn(A) + Copy + Send + Sync + 'static,
    submit: impl Fn(leptos::ev::SubmitEvent) + Copy + Send + Sync + 'static,
    fields: impl Fn(A) -> AnyView + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    A: Copy + PartialEq + Send + Sync + 'static,
{
    let Panel {
        open,
        error,
        done,
        busy,
    } = panel;
    view! {
        <section class="next-actions" aria-label="Next actions">
            {move || match open.get() {
                None => view! {
                    <div class="action-buttons">
                        {move || actions.get().into_iter().enumerate().map(|(i, action)| view! {
                            <button type="button" class=if i == 0 && !quiet(action) { "button big primary" } else { "button big" }
                                disabled=move || busy.get()
                                on:click=move |_| press(action)>{label(action)}</button>
                        }).collect_view()}
                    </div>
                }.into_any(),
                Some(action) => view! {
                    <form class="action-form" aria-label=label(action) novalidate on:submit=submit>
                        <h2>{label(action)}</h2>
                        {fields(action)}
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="form-buttons">
                            <button type="button" class="button" on:click=move |_| { open.set(None); error.set(None); }>"Back"</button>
                            <button type="submit" class="button primary" disabled=move || busy.get()>{label(action)}</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            {move || open.with(Option::is_none).then(|| error.get()).flatten()
                .map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().map(|m| view! { <p class="saved" role="status">{m}</p> })}
        </section>
    }
}
