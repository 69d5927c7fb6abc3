//! ODT (OpenDocument text): the text of `content.xml`. Character data is
//! text inside paragraphs and headings (`text:p`, `text:h`; spans and links
//! inside them), with `text:s` for runs of spaces, `text:tab` and
//! `text:line-break`; tracked changes and annotations stay out.

use crate::{
    ExtractError,
    archive::Archive,
    out::Out,
    xml::{Role, attribute, walk},
};

pub fn text(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut archive = Archive::open(bytes)?;
    let content = archive.entry("content.xml")?.ok_or_else(|| ExtractError::Damaged("no content.xml".into()))?;
    let mut out = Out::default();
    walk(&content, &mut out, role)?;
    Ok(out.finish())
}

fn role(name: &[u8], e: &quick_xml::events::BytesStart) -> Role {
    match name {
        b"p" | b"h" => Role::Paragraph,
        b"line-break" => Role::Break,
        b"tab" => Role::Tab,
        b"s" => Role::Spaces(attribute(e, b"c").and_then(|c| c.parse().ok()).unwrap_or(1)),
        b"tracked-changes" | b"annotation" | b"note-citation" => Role::Skip,
        _ => Role::Other,
    }
}
