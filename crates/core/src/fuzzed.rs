//! Property tests over everything that parses what strangers send: the
//! multipart guard, the resume sniffer, the shared validation, the redirect
//! and search cleaning, file names. (`fuzz/` holds a cargo-fuzz target for
//! the same entry points; see the README.)

#[cfg(test)]
mod tests {
    use crate::{multipart::MultipartGuard, sniff::identify};
    use intake_domain::{LeadForm, filter::clean_query};
    use proptest::prelude::*;
    use std::io::Cursor;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn the_sniffer_never_panics_and_text_is_never_binary(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let kind = identify(Cursor::new(&bytes), bytes.len() as u64);
            if kind == Some(crate::sniff::ResumeKind::Text) {
                prop_assert!(std::str::from_utf8(&bytes).is_ok());
                prop_assert!(!bytes.contains(&0));
            }
        }

        #[test]
        fn the_sniffer_survives_mangled_archives(cut in 0usize..400, flip in any::<u8>(), at in 0usize..400) {
            // A real DOCX-shaped archive, truncated and with one byte changed.
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            w.start_file("[Content_Types].xml", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut w, b"<Types>wordprocessingml.document.main+xml</Types>").unwrap();
            let mut bytes = w.finish().unwrap().into_inner();
            if at < bytes.len() { bytes[at] ^= flip; }
            bytes.truncate(bytes.len().saturating_sub(cut));
            let _ = identify(Cursor::new(&bytes), bytes.len() as u64);
        }

        #[test]
        fn a_well_formed_form_passes_the_guard_however_it_is_split(
            values in proptest::collection::vec("[a-zA-Z0-9 éü@.\r\n-]{0,300}", 1..6),
            split in 1usize..97,
        ) {
            let mut body = Vec::new();
            for (i, v) in values.iter().enumerate() {
                body.extend_from_slice(format!("--B0UND\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\n{v}\r\n").as_bytes());
            }
            body.extend_from_slice(b"--B0UND--\r\n");
            let mut g = MultipartGuard::new("B0UND");
            for chunk in body.chunks(split) {
                prop_assert!(g.feed(chunk).is_ok());
            }
        }

        #[test]
        fn the_guard_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..20)) {
            let mut g = MultipartGuard::new("XYZ");
            for c in chunks {
                if g.feed(&c).is_err() { break; }
            }
        }

        #[test]
        fn validation_never_panics(first in any::<String>(), last in any::<String>(), email in any::<String>()) {
            let form = LeadForm { first_name: first, last_name: last, email };
            if let Ok(valid) = form.validate() {
                prop_assert!(!valid.first_name.to_string().chars().any(char::is_control));
            }
        }

        #[test]
        fn searches_are_clean(q in any::<String>()) {
            let c = clean_query(&q);
            prop_assert!(c.chars().count() <= 100);
            prop_assert!(!c.chars().any(char::is_control));
        }
    }
}
