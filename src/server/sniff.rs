//! Recognises resume formats by their content, never by name or client-declared type.

/// A resume format we accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeKind {
    Pdf,
    Docx,
    Doc,
    Odt,
    Rtf,
    Text,
}

impl ResumeKind {
    /// The media type stored and served for this format.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Doc => "application/msword",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Rtf => "application/rtf",
            Self::Text => "text/plain; charset=utf-8",
        }
    }
}

/// How many leading bytes [`sniff`] wants to see.
pub const SNIFF_LEN: usize = 64 * 1024;

/// Identifies the format from the file's first bytes (`head`, up to [`SNIFF_LEN`]);
/// `truncated` says whether the file continues past `head`.
pub fn sniff(head: &[u8], truncated: bool) -> Option<ResumeKind> {
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const ZIP: &[u8] = b"PK\x03\x04";
    if head.len() >= 5 && head[..head.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Some(ResumeKind::Pdf);
    }
    if head.starts_with(b"{\\rtf") {
        return Some(ResumeKind::Rtf);
    }
    if head.starts_with(OLE2) {
        // Compound files are also used by old Excel and Outlook; the stream
        // names sit in the directory, often within the first sectors.
        return Some(ResumeKind::Doc);
    }
    if head.starts_with(ZIP) {
        // ODF requires an uncompressed `mimetype` entry first (name at offset 30).
        if head.get(30..38) == Some(b"mimetype") {
            let body = &head[38..head.len().min(38 + 64)];
            return contains(body, b"application/vnd.oasis.opendocument.text").then_some(ResumeKind::Odt);
        }
        // OOXML: local file headers carry entry names uncompressed.
        return contains(head, b"word/").then_some(ResumeKind::Docx);
    }
    is_plain_text(head, truncated).then_some(ResumeKind::Text)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 text without NULs or stray control characters.
fn is_plain_text(head: &[u8], truncated: bool) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut by the sniff window is fine.
        Err(e) if truncated && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !text.trim().is_empty() && !text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with_first_entry(name: &str, content: &[u8]) -> Vec<u8> {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend_from_slice(&[0u8; 22]);
        v.extend_from_slice(&(name.len() as u16).to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v.extend_from_slice(name.as_bytes());
        v.extend_from_slice(content);
        v
    }

    #[test]
    fn recognises_each_accepted_format() {
        assert_eq!(sniff(b"%PDF-1.7\n...", false), Some(ResumeKind::Pdf));
        assert_eq!(sniff(b"{\\rtf1\\ansi hello}", false), Some(ResumeKind::Rtf));
        assert_eq!(sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], false), Some(ResumeKind::Doc));
        let odt = zip_with_first_entry("mimetype", b"application/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt, false), Some(ResumeKind::Odt));
        let docx = zip_with_first_entry("[Content_Types].xml", b"....PK\x03\x04....word/document.xml");
        assert_eq!(sniff(&docx, false), Some(ResumeKind::Docx));
        assert_eq!(sniff("Jane Doe\nLawyer — Zürich\n".as_bytes(), false), Some(ResumeKind::Text));
    }

    #[test]
    fn rejects_other_content_whatever_its_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0", false), None);
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0", false), None);
        assert_eq!(sniff(&zip_with_first_entry("xl/workbook.xml", b"data"), false), None);
        let ods = zip_with_first_entry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(sniff(&ods, false), None);
        assert_eq!(sniff(b"text with a \0 nul", false), None);
        assert_eq!(sniff(b"   \n", false), None);
        assert_eq!(sniff(&[0xff, 0xfe, 0x41, 0x00], false), None);
    }

    #[test]
    fn tolerates_a_character_cut_by_the_window() {
        let mut head = "é".repeat(10).into_bytes();
        head.pop();
        assert_eq!(sniff(&head, true), Some(ResumeKind::Text));
        assert_eq!(sniff(&head, false), None);
    }
}
