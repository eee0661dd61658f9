//! Untrusted bytes through the wire decoder: see `fieldbook_fuzz::wire_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_fuzz::wire_decode(data));
