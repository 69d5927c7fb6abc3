//! Text out of a resume, for search. Each accepted format (identified by its
//! content first, see `intake_core::sniff`) is read by a small walker over its
//! structure, and every walker is bounded: the text kept, the bytes inflated
//! from an archive, the nesting followed. A parser can still have a bug that
//! loops or eats memory, so the server never runs these in its own process:
//! [`sandbox`] runs them in a child under OS limits.

pub mod doc;
pub mod odf;
pub mod ooxml;
pub mod pdf;
pub mod rtf;
pub mod sandbox;

mod archive;
mod out;
mod xml;

use std::fmt;

/// A format text is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Doc,
    Odt,
    Rtf,
    Text,
}

impl Format {
    pub const ALL: [Self; 6] = [Self::Pdf, Self::Docx, Self::Doc, Self::Odt, Self::Rtf, Self::Text];

    /// As on the child's command line (the file extension).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Doc => "doc",
            Self::Odt => "odt",
            Self::Rtf => "rtf",
            Self::Text => "txt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why no text came out of a file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Not readable as its format (truncated, inconsistent, not what it claims).
    #[error("the file cannot be read: {0}")]
    Damaged(String),
    #[error("the file is encrypted")]
    Encrypted,
    /// A format (or a version of one) this reader does not handle.
    #[error("this kind of file is not read yet")]
    Unsupported,
    /// An archive that inflates past [`MAX_INFLATED`].
    #[error("the file expands beyond the limit")]
    TooLarge,
}

impl ExtractError {
    pub(crate) fn damaged(e: impl fmt::Display) -> Self {
        Self::Damaged(e.to_string())
    }

    /// The child's exit status for this error (and back).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Damaged(_) => 3,
            Self::Encrypted => 4,
            Self::Unsupported => 5,
            Self::TooLarge => 6,
        }
    }
}

/// Characters of text kept from one file, at most (a long resume has 20,000).
pub const MAX_TEXT_CHARS: usize = 200_000;
/// Bytes inflated out of an archive or read out of a compound file, at most,
/// all parts together: a zip bomb stops here, whatever its entries declare.
pub const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// The text of a file of `format`, tidied: one space between words, at most
/// one blank line between paragraphs, cut at [`MAX_TEXT_CHARS`].
pub fn extract(bytes: &[u8], format: Format) -> Result<String, ExtractError> {
    match format {
        Format::Text => Ok(text(bytes)),
        Format::Docx => ooxml::text(bytes),
        Format::Odt => odf::text(bytes),
        Format::Rtf => rtf::text(bytes),
        Format::Doc => doc::text(bytes),
        Format::Pdf => pdf::text(bytes),
    }
}

/// Plain text: UTF-8 (the sniffer accepts nothing else), a byte-order mark dropped.
fn text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = out::Out::default();
    out.push_str(&String::from_utf8_lossy(bytes).replace("\r\n", "\n"));
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_tidied_and_cut() {
        let t = extract(b"\xEF\xBB\xBFAda   Lovelace\r\n\r\n\r\n\tAnalyst \n", Format::Text).unwrap();
        assert_eq!(t, "Ada Lovelace\n\nAnalyst");
        let long = "word ".repeat(MAX_TEXT_CHARS);
        assert!(extract(long.as_bytes(), Format::Text).unwrap().chars().count() <= MAX_TEXT_CHARS);
    }

    #[test]
    fn formats_round_trip_through_their_names() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
        }
        assert_eq!(Format::parse("exe"), None);
    }
}
