//! One walk over a document's XML for DOCX and ODT: each element's role
//! (text, a paragraph, a break, a subtree to skip) decides what reaches the
//! text. quick-xml streams it and never expands a DTD's entities, so there is
//! no entity bomb; the nesting followed is bounded.

use crate::{ExtractError, out::Out};
use quick_xml::{Reader, escape::resolve_predefined_entity, events::BytesStart, events::Event};

/// What an element means for the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Its character data is text (DOCX's `w:t`).
    Text,
    /// Its character data is text, and it ends a line (ODT's `text:p`).
    Paragraph,
    /// Ends a line when it ends (DOCX's `w:p`; an empty `w:br`).
    Break,
    Tab,
    /// This many spaces (ODT's `text:s`).
    Spaces(usize),
    /// Nothing inside it is text (properties, alternatives, deleted text).
    Skip,
    Other,
}

/// Elements open at once, at most (real documents nest a few dozen deep).
const MAX_DEPTH: usize = 1_000;

pub(crate) fn walk(xml: &[u8], out: &mut Out, role: impl Fn(&[u8], &BytesStart) -> Role) -> Result<(), ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let mut open: Vec<Role> = Vec::new();
    let (mut skipping, mut in_text) = (0usize, 0usize);
    while !out.full() {
        match reader.read_event().map_err(ExtractError::damaged)? {
            Event::Start(e) => {
                if open.len() >= MAX_DEPTH {
                    return Err(ExtractError::Damaged("its XML nests too deep".into()));
                }
                let r = if skipping > 0 { Role::Skip } else { role(e.local_name().as_ref(), &e) };
                match r {
                    Role::Skip => skipping += 1,
                    Role::Text | Role::Paragraph => in_text += 1,
                    _ => {}
                }
                open.push(r);
            }
            Event::End(_) => match open.pop() {
                Some(Role::Skip) => skipping -= 1,
                Some(Role::Text) => in_text -= 1,
                Some(Role::Paragraph) => {
                    in_text -= 1;
                    out.newline();
                }
                Some(Role::Break) => out.newline(),
                _ => {}
            },
            Event::Empty(e) if skipping == 0 => match role(e.local_name().as_ref(), &e) {
                Role::Break | Role::Paragraph => out.newline(),
                Role::Tab => out.push('\t'),
                Role::Spaces(n) => (0..n.min(100)).for_each(|_| out.push(' ')),
                _ => {}
            },
            Event::Text(t) if skipping == 0 && in_text > 0 => out.push_str(&t.decode().map_err(ExtractError::damaged)?),
            Event::CData(t) if skipping == 0 && in_text > 0 => {
                out.push_str(&t.decode().map_err(ExtractError::damaged)?)
            }
            Event::GeneralRef(r) if skipping == 0 && in_text > 0 => {
                if let Some(c) = r.resolve_char_ref().map_err(ExtractError::damaged)? {
                    out.push(c);
                } else if let Some(s) = resolve_predefined_entity(&r.decode().map_err(ExtractError::damaged)?) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// An attribute's value by its local name (`text:c` → `c`).
pub(crate) fn attribute(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}
