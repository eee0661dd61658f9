//! Untrusted bytes as a peer's Automerge sync message: see `fieldbook_fuzz::sync_receive`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_fuzz::sync_receive(data));
