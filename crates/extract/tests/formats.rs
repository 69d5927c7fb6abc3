//! Each format read from a real file: `tests/fixtures/resume.*`, one resume
//! written by LibreOffice 7.4 in every format it is accepted in
//! (`soffice --headless --convert-to docx|odt|rtf|doc resume.html`, then the
//! DOCX to PDF), and the same text typed as plain text. Each must give the
//! same words, in order.

use intake_extract::{Format, MAX_TEXT_CHARS, extract};
use proptest::prelude::*;

fn fixture(ext: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/resume.{ext}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const SAID: &[&str] = &[
    "María José García-López",
    "Registered nurse · Madrid, España · maria.garcia@example.com",
    "2019–2023: Intensive care nurse at Hospital Universitario La Paz, Madrid.",
    "2016–2019: Paediatric ward, Hôpital Necker, Paris.",
    "Spanish",
    "fluent (IELTS 8.0)",
];

#[test]
fn every_format_gives_the_resume_s_words_in_order() {
    for format in Format::ALL {
        let text = extract(&fixture(format.as_str()), format).unwrap_or_else(|e| panic!("{format}: {e}"));
        let mut at = 0;
        for said in SAID {
            let found = text[at..].find(said).unwrap_or_else(|| panic!("{format}: {said:?} after {at} in {text:?}"));
            at += found + said.len();
        }
        assert!(!text.contains("<") && !text.contains("\\par"), "{format}: no markup left: {text:?}");
    }
}

#[test]
fn a_file_of_another_format_is_refused_not_misread() {
    for format in [Format::Docx, Format::Odt, Format::Doc, Format::Rtf, Format::Pdf] {
        for other in [Format::Docx, Format::Odt, Format::Doc, Format::Rtf, Format::Pdf] {
            if other != format {
                assert!(extract(&fixture(other.as_str()), format).is_err(), "{other} read as {format}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A real file cut short and with a byte changed: refused or read, never a panic, never over the bound.
    #[test]
    fn mangled_files_never_panic(which in 0usize..5, cut in 0usize..6000, at in 0usize..12000, flip in 1u8..=255) {
        let format = [Format::Docx, Format::Odt, Format::Doc, Format::Rtf, Format::Text][which];
        let mut bytes = fixture(format.as_str());
        if at < bytes.len() { bytes[at] ^= flip; }
        bytes.truncate(bytes.len().saturating_sub(cut));
        if let Ok(text) = extract(&bytes, format) {
            prop_assert!(text.chars().count() <= MAX_TEXT_CHARS);
        }
    }

    #[test]
    fn random_bytes_never_panic(which in 0usize..5, bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let format = [Format::Docx, Format::Odt, Format::Doc, Format::Rtf, Format::Text][which];
        let _ = extract(&bytes, format);
    }
}
