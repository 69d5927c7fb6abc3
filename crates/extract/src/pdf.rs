//! PDF, with `pdf-extract` (on `lopdf`): it places text by its glyphs'
//! positions, so words and lines come out as a reader sees them, and it maps
//! fonts' codes to Unicode. It is not hardened: it panics on some malformed
//! files, follows nested objects without a depth bound and inflates streams
//! without a size bound. A panic is caught here; the rest (a stack
//! overflow, memory, time) is why it only ever runs in the confined child.

use crate::{ExtractError, out::Out};

pub fn text(bytes: &[u8]) -> Result<String, ExtractError> {
    let read = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
        .map_err(|_| ExtractError::Damaged("the PDF reader failed on it".into()))?;
    let raw = read.map_err(|e| {
        let why = e.to_string();
        if why.to_lowercase().contains("decrypt") || why.to_lowercase().contains("encrypt") {
            ExtractError::Encrypted
        } else {
            ExtractError::Damaged(why)
        }
    })?;
    let mut out = Out::default();
    out.push_str(&raw);
    Ok(out.finish())
}
