//! `cargo +nightly fuzz run extract`: the resume text readers on arbitrary
//! bytes, the first byte choosing the format. A reader may refuse a file; it
//! must not panic (PDF's reader excepted: its panics are caught), loop or
//! return more than its bound.
#![no_main]

use intake_extract::{Format, MAX_TEXT_CHARS, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else { return };
    let format = Format::ALL[usize::from(which) % Format::ALL.len()];
    if let Ok(text) = extract(bytes, format) {
        assert!(text.chars().count() <= MAX_TEXT_CHARS);
    }
});
