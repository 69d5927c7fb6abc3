//! Recognises resume formats by their structure, never by name or
//! client-declared type, and never from a prefix alone: a PDF needs its
//! header and its trailer, a DOCX or ODT a ZIP whose manifest says so, a DOC
//! a compound file holding a `WordDocument` stream, text must be UTF-8 from
//! start to end and not markup a browser would render.

use std::io::{Read, Seek, SeekFrom};

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

    /// The file name extension that goes with the format.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Doc => "doc",
            Self::Odt => "odt",
            Self::Rtf => "rtf",
            Self::Text => "txt",
        }
    }
}

/// Archive entries looked at, at most (a DOCX has a few dozen).
const MAX_ZIP_ENTRIES: usize = 5_000;
/// Largest manifest read from an archive.
const MAX_MANIFEST: u64 = 256 * 1024;
/// How far from the end a PDF's `%%EOF` may be (writers append a little).
const PDF_TAIL: u64 = 1024;
const DOCX_MAIN: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const ODT: &[u8] = b"application/vnd.oasis.opendocument.text";

/// Identifies a whole file of `size` bytes; `None` for anything not accepted.
pub fn identify<R: Read + Seek>(mut file: R, size: u64) -> Option<ResumeKind> {
    let mut head = [0u8; 8];
    let n = read_up_to(&mut file, &mut head).ok()?;
    let head = &head[..n];
    if head.starts_with(b"%PDF-") {
        return is_pdf(&mut file, size).then_some(ResumeKind::Pdf);
    }
    if head.starts_with(b"{\\rtf") {
        return ends_rtf(&mut file, size).then_some(ResumeKind::Rtf);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return is_word_97(file).then_some(ResumeKind::Doc);
    }
    if head.starts_with(b"PK\x03\x04") {
        return zip_document(file);
    }
    is_plain_text(file).then_some(ResumeKind::Text)
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn tail<R: Read + Seek>(file: &mut R, size: u64, len: u64) -> Option<Vec<u8>> {
    let len = len.min(size);
    file.seek(SeekFrom::Start(size - len)).ok()?;
    let mut buf = vec![0u8; len as usize];
    file.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// A PDF starts with `%PDF-1.x` or `%PDF-2.x` and ends with `%%EOF`.
fn is_pdf<R: Read + Seek>(file: &mut R, size: u64) -> bool {
    let mut header = [0u8; 8];
    if file.seek(SeekFrom::Start(0)).is_err() || read_up_to(file, &mut header).ok() != Some(8) {
        return false;
    }
    let version_ok = matches!(&header[5..8], [b'1' | b'2', b'.', d] if d.is_ascii_digit());
    version_ok && tail(file, size, PDF_TAIL).is_some_and(|t| memchr::memmem::find(&t, b"%%EOF").is_some())
}

/// RTF is one group: it ends with `}` (then at most whitespace or NULs).
fn ends_rtf<R: Read + Seek>(file: &mut R, size: u64) -> bool {
    tail(file, size, 64)
        .is_some_and(|t| t.iter().rev().find(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t' | 0)) == Some(&b'}'))
}

/// A compound file is a Word 97–2003 document only if it holds a
/// `WordDocument` stream (Excel, Outlook and installers use the same container).
fn is_word_97<R: Read + Seek>(mut file: R) -> bool {
    let _ = file.seek(SeekFrom::Start(0));
    match cfb::CompoundFile::open(file) {
        Ok(cf) => cf.is_stream("/WordDocument"),
        Err(_) => false,
    }
}

/// A DOCX declares its main part in `[Content_Types].xml`; an ODT names its
/// type in its `mimetype` entry. Only those small entries are read.
fn zip_document<R: Read + Seek>(mut file: R) -> Option<ResumeKind> {
    let _ = file.seek(SeekFrom::Start(0));
    let mut zip = zip::ZipArchive::new(file).ok()?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return None;
    }
    if let Some(mimetype) = read_entry(&mut zip, "mimetype") {
        let has_content = zip.index_for_name("content.xml").is_some();
        return (mimetype.trim_ascii() == ODT && has_content).then_some(ResumeKind::Odt);
    }
    let types = read_entry(&mut zip, "[Content_Types].xml")?;
    let declares_word = memchr::memmem::find(&types, DOCX_MAIN.as_bytes()).is_some();
    let has_body = zip.index_for_name("word/document.xml").is_some();
    (declares_word && has_body).then_some(ResumeKind::Docx)
}

fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<Vec<u8>> {
    let entry = zip.by_name(name).ok()?;
    if entry.size() > MAX_MANIFEST {
        return None;
    }
    let mut out = Vec::new();
    // Bounded by what is read, whatever the entry claims its size is.
    entry.take(MAX_MANIFEST).read_to_end(&mut out).ok()?;
    Some(out)
}

/// Text: valid UTF-8 from start to end, no binary control characters, not
/// empty, and not markup (HTML, XML, SVG) that a browser could be led to render.
fn is_plain_text<R: Read + Seek>(mut file: R) -> bool {
    let _ = file.seek(SeekFrom::Start(0));
    let mut buf = vec![0u8; 64 * 1024];
    let mut carry = Vec::new();
    let mut first = true;
    let mut seen_text = false;
    // The end of the previous chunk, so a tag split between chunks is seen.
    let mut overlap: Vec<u8> = Vec::new();
    loop {
        let n = match read_up_to(&mut file, &mut buf) {
            Ok(n) => n,
            Err(_) => return false,
        };
        let mut chunk = std::mem::take(&mut carry);
        chunk.extend_from_slice(&buf[..n]);
        let valid = match std::str::from_utf8(&chunk) {
            Ok(t) => t.len(),
            // A character cut at the chunk's end continues in the next one.
            Err(e) if e.error_len().is_none() && n > 0 => e.valid_up_to(),
            Err(_) => return false,
        };
        let text = std::str::from_utf8(&chunk[..valid]).unwrap_or_default();
        let text = if first { text.strip_prefix('\u{FEFF}').unwrap_or(text) } else { text };
        if first && looks_like_markup(text) {
            return false;
        }
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C')) {
            return false;
        }
        overlap.extend_from_slice(text.as_bytes());
        if has_active_markup(&overlap) {
            return false;
        }
        overlap.drain(..overlap.len().saturating_sub(16));
        seen_text |= !text.trim().is_empty();
        first = false;
        carry = chunk[valid..].to_vec();
        if n == 0 {
            return carry.is_empty() && seen_text;
        }
    }
}

/// What a browser's sniffer takes for HTML or XML: a document starting with a tag.
fn looks_like_markup(text: &str) -> bool {
    text.trim_start().starts_with('<')
}

/// Tags that make a page run code or load content, anywhere in the text.
fn has_active_markup(bytes: &[u8]) -> bool {
    const TAGS: [&[u8]; 6] = [b"<script", b"<iframe", b"<svg", b"<html", b"<!doctype", b"<object"];
    memchr::memchr_iter(b'<', bytes)
        .any(|i| TAGS.iter().any(|t| bytes.get(i..i + t.len()).is_some_and(|w| w.eq_ignore_ascii_case(t))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    pub(crate) fn id(bytes: &[u8]) -> Option<ResumeKind> {
        identify(Cursor::new(bytes), bytes.len() as u64)
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn compound_with(stream: &str) -> Vec<u8> {
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        cf.create_stream(stream).unwrap().write_all(b"some content").unwrap();
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

    #[test]
    fn recognises_each_accepted_format() {
        assert_eq!(id(PDF), Some(ResumeKind::Pdf));
        assert_eq!(id(b"{\\rtf1\\ansi hello}\r\n\0"), Some(ResumeKind::Rtf));
        assert_eq!(id(&compound_with("/WordDocument")), Some(ResumeKind::Doc));
        let odt = zip_of(&[("mimetype", ODT), ("content.xml", b"<office:document-content/>")]);
        assert_eq!(id(&odt), Some(ResumeKind::Odt));
        let types = format!("<Types><Override PartName=\"/word/document.xml\" ContentType=\"{DOCX_MAIN}\"/></Types>");
        let docx = zip_of(&[("[Content_Types].xml", types.as_bytes()), ("word/document.xml", b"<w:document/>")]);
        assert_eq!(id(&docx), Some(ResumeKind::Docx));
        assert_eq!(id("Jane Doe\nLawyer — Zürich\n".as_bytes()), Some(ResumeKind::Text));
        let long = "Experience: litigation, 12 years. ".repeat(5_000);
        assert_eq!(id(long.as_bytes()), Some(ResumeKind::Text), "text across read chunks");
    }

    #[test]
    fn refuses_what_only_starts_like_an_accepted_format() {
        // Text followed by an executable.
        let mut mixed = "a".repeat(64 * 1024).into_bytes();
        mixed.extend_from_slice(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff");
        assert_eq!(id(&mixed), None);
        // `%PDF-` not at the start, or no trailer.
        assert_eq!(id(b"hello %PDF-1.4 ... %%EOF"), Some(ResumeKind::Text), "text that mentions a PDF header is text");
        assert_eq!(id(b"<html>%PDF-1.4\n%%EOF"), None);
        assert_eq!(id(b"%PDF-1.4\n1 0 obj<<>>endobj\n"), None, "no trailer");
        // Compound files that are not Word documents (an .msi, a .xls).
        assert_eq!(id(&compound_with("/Workbook")), None);
        // A ZIP that merely mentions word/.
        assert_eq!(id(&zip_of(&[("word/readme.txt", b"hi"), ("evil.exe", b"MZ")])), None);
        let ods = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"")]);
        assert_eq!(id(&ods), None);
        // Markup a browser would render, whatever the name.
        assert_eq!(id(b"<!DOCTYPE html><html><script>alert(1)</script></html>"), None);
        assert_eq!(id(b"  <svg onload=alert(1)>"), None);
        assert_eq!(id(b"<?xml version=\"1.0\"?><x/>"), None);
        assert_eq!(id(b"Dear firm,\nplease see <SCRIPT src=//evil.example></script>"), None);
        // Binary and empty.
        assert_eq!(id(b"\x89PNG\r\n\x1a\n\0\0\0"), None);
        assert_eq!(id(b"text with a \0 nul"), None);
        assert_eq!(id(b"   \n"), None);
        assert_eq!(id(b""), None);
        assert_eq!(id(&[0xff, 0xfe, 0x41, 0x00]), None);
        assert_eq!(id(b"{\\rtf1 never closed"), None);
        assert_eq!(id(b"PK\x03\x04 not really a zip"), None);
    }

    #[test]
    fn a_character_cut_at_the_end_is_not_text() {
        let mut bytes = "é".repeat(10).into_bytes();
        bytes.pop();
        assert_eq!(id(&bytes), None);
    }
}
