//! DOCX (Word 2007 and later): the text of `word/document.xml`, then of the
//! footnotes. Only `w:t` holds text (`a:t` in a drawing's text box, `m:t` in
//! an equation), so deleted text (`w:delText`) and field codes (`w:instrText`)
//! stay out; the alternative renderings of a text box (`mc:Fallback`) and
//! properties are skipped so nothing is read twice.

use crate::{
    ExtractError,
    archive::Archive,
    out::Out,
    xml::{Role, walk},
};

pub fn text(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut archive = Archive::open(bytes)?;
    let body =
        archive.entry("word/document.xml")?.ok_or_else(|| ExtractError::Damaged("no word/document.xml".into()))?;
    let mut out = Out::default();
    walk(&body, &mut out, role)?;
    if let Some(notes) = archive.entry("word/footnotes.xml")? {
        out.newline();
        walk(&notes, &mut out, role)?;
    }
    Ok(out.finish())
}

fn role(name: &[u8], _: &quick_xml::events::BytesStart) -> Role {
    match name {
        b"t" => Role::Text,
        b"p" | b"br" | b"cr" => Role::Break,
        b"tab" => Role::Tab,
        b"pPr" | b"rPr" | b"sectPr" | b"Fallback" | b"delText" | b"instrText" => Role::Skip,
        _ => Role::Other,
    }
}
