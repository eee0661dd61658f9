//! A picked file through the audit import's decoder: see `fieldbook_fuzz::bundle_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_fuzz::bundle_decode(data));
