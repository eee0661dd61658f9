//! Records as the domain sees them. No Automerge here: see `doc` for the stored form.
//!
//! The incident workflow is layered, each layer a pure function of the one below:
//! [`event`] (the log and its evaluation order) → [`lifecycle`] (the transition
//! table and its guards) → [`derived`] (status and conflicts from a whole log) →
//! [`action`] (what a person can do next, and the event that records it) and
//! [`sla`] (the clocks, counted on a [`calendar`]).
//!
//! [`access`] says which role may change which kind of record; [`signature`]
//! when a customer signs and what changed after they did.

pub mod access;
pub mod action;
pub mod audit;
pub mod calendar;
pub mod checklist;
pub mod checklist_run;
pub mod corrective_action;
pub mod date;
pub mod derived;
pub mod event;
pub mod evidence;
pub mod finding;
pub mod incident;
pub mod lifecycle;
pub mod listing;
pub mod priority;
pub mod service_levels;
pub mod signature;
pub mod sla;
pub mod workflow;
