//! Records as the domain sees them. No Automerge here: see `doc` for the stored form.

pub mod incident;
pub mod priority;
