//! Entries out of a ZIP archive (DOCX, ODT), read against one budget of
//! inflated bytes: an entry's declared size is not trusted, what comes out is counted.

use crate::{ExtractError, MAX_INFLATED};
use std::io::{Cursor, Read};

/// Entries an archive may list (a DOCX has a few dozen).
const MAX_ENTRIES: usize = 5_000;

pub(crate) struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
}

impl<'a> Archive<'a> {
    pub fn open(bytes: &'a [u8]) -> Result<Self, ExtractError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(ExtractError::damaged)?;
        if zip.len() > MAX_ENTRIES {
            return Err(ExtractError::Damaged("the archive lists too many entries".into()));
        }
        Ok(Self { zip, budget: MAX_INFLATED })
    }

    /// The entry `name`, inflated; `None` if the archive has none.
    pub fn entry(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(zip::result::ZipError::UnsupportedArchive(zip::result::ZipError::PASSWORD_REQUIRED)) => {
                return Err(ExtractError::Encrypted);
            }
            Err(e) => return Err(ExtractError::damaged(e)),
        };
        if file.encrypted() {
            return Err(ExtractError::Encrypted);
        }
        if file.size() > self.budget {
            return Err(ExtractError::TooLarge);
        }
        let mut out = Vec::with_capacity(file.size().min(1024 * 1024) as usize);
        file.take(self.budget + 1).read_to_end(&mut out).map_err(ExtractError::damaged)?;
        if out.len() as u64 > self.budget {
            return Err(ExtractError::TooLarge);
        }
        self.budget -= out.len() as u64;
        Ok(Some(out))
    }
}
