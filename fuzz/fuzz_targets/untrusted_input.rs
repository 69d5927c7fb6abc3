//! Feeds arbitrary bytes to every parser of untrusted input: the resume
//! sniffer, the multipart guard, the shared form validation, search cleaning.
#![no_main]

use intake_domain::{LeadForm, filter::clean_query};
use intake_core::{multipart::MultipartGuard, sniff::identify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = identify(std::io::Cursor::new(data), data.len() as u64);
    let mut guard = MultipartGuard::new("XYZ");
    for chunk in data.chunks(7) {
        if guard.feed(chunk).is_err() {
            break;
        }
    }
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let form = LeadForm {
        first_name: parts.next().unwrap_or_default().to_owned(),
        last_name: parts.next().unwrap_or_default().to_owned(),
        email: parts.next().unwrap_or_default().to_owned(),
    };
    let _ = form.validate();
    assert!(clean_query(&text).chars().count() <= 100);
});
