//! DOC (Word 97 to 2003): an OLE compound file whose `WordDocument` stream
//! holds the characters and whose table stream (`0Table` or `1Table`) holds
//! the piece table saying where each run of the main text lies, as 8-bit
//! Windows-1252 or as UTF-16 ([MS-DOC] 2.4.1, "Retrieving Text"). Every
//! offset read from the file is checked against what is there.

use crate::{ExtractError, MAX_INFLATED, MAX_TEXT_CHARS, out::Out};
use std::io::{Cursor, Read};

pub fn text(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(ExtractError::damaged)?;
    let mut budget = MAX_INFLATED;
    let word = stream(&mut file, "/WordDocument", &mut budget)?;
    let fib = Fib::read(&word)?;
    let table = stream(&mut file, if fib.table_one { "/1Table" } else { "/0Table" }, &mut budget)?;
    let clx = slice(&table, fib.fc_clx, fib.lcb_clx, "the piece table")?;
    let mut out = Out::default();
    let mut fields = Fields::default();
    for piece in pieces(clx)? {
        if piece.cp_start >= fib.ccp_text || out.full() {
            break;
        }
        let count = piece.cp_end.min(fib.ccp_text).saturating_sub(piece.cp_start).min(MAX_TEXT_CHARS as u32 * 4);
        let chars: Vec<char> = if piece.compressed {
            let at = (piece.fc & 0x3FFF_FFFF) / 2;
            let raw = slice(&word, at, count, "a piece of text")?;
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(raw).0.chars().collect()
        } else {
            let raw = slice(&word, piece.fc, count.saturating_mul(2), "a piece of text")?;
            char::decode_utf16(raw.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])))
                .map(|c| c.unwrap_or('\u{FFFD}'))
                .collect()
        };
        for c in chars {
            if let Some(c) = fields.keep(c) {
                out.push(c);
            }
        }
    }
    Ok(out.finish())
}

/// What the File Information Block says about where the text is.
struct Fib {
    table_one: bool,
    /// Characters of the main text (headers, footnotes and the rest follow it).
    ccp_text: u32,
    fc_clx: u32,
    lcb_clx: u32,
}

impl Fib {
    fn read(word: &[u8]) -> Result<Self, ExtractError> {
        if u16_at(word, 0)? != 0xA5EC {
            return Err(ExtractError::Damaged("it is not a Word document".into()));
        }
        if u16_at(word, 2)? < 0x00C1 {
            // Word 6 and 95 keep their text another way.
            return Err(ExtractError::Unsupported);
        }
        let flags = u16_at(word, 0x0A)?;
        if flags & 0x0100 != 0 {
            return Err(ExtractError::Encrypted);
        }
        // FibBase (32 bytes), then three arrays, each after its length.
        let csw = usize::from(u16_at(word, 32)?);
        let cslw_at = 34 + 2 * csw;
        let cslw = usize::from(u16_at(word, cslw_at)?);
        let lw = cslw_at + 2;
        let blob_len_at = lw + 4 * cslw;
        let pairs = usize::from(u16_at(word, blob_len_at)?);
        let blob = blob_len_at + 2;
        // ccpText is the fourth long of FibRgLw97; Clx the 34th pair of FibRgFcLcb97.
        if cslw < 4 || pairs < 34 {
            return Err(ExtractError::Damaged("its file information block is short".into()));
        }
        Ok(Self {
            table_one: flags & 0x0200 != 0,
            ccp_text: u32_at(word, lw + 3 * 4)?,
            fc_clx: u32_at(word, blob + 33 * 8)?,
            lcb_clx: u32_at(word, blob + 33 * 8 + 4)?,
        })
    }
}

struct Piece {
    cp_start: u32,
    cp_end: u32,
    fc: u32,
    compressed: bool,
}

/// The piece table (`Pcdt`) inside the `Clx`, after any property runs (`Prc`).
fn pieces(clx: &[u8]) -> Result<Vec<Piece>, ExtractError> {
    let mut i = 0;
    while clx.get(i) == Some(&0x01) {
        let size = i16::from_le_bytes([byte(clx, i + 1)?, byte(clx, i + 2)?]);
        i += 3 + usize::try_from(size).map_err(|_| ExtractError::Damaged("a negative property size".into()))?;
    }
    if clx.get(i) != Some(&0x02) {
        return Err(ExtractError::Damaged("no piece table".into()));
    }
    let lcb = u32_at(clx, i + 1)? as usize;
    let plc = clx.get(i + 5..i + 5 + lcb).ok_or_else(|| ExtractError::Damaged("the piece table is cut".into()))?;
    if lcb < 4 || !(lcb - 4).is_multiple_of(12) {
        return Err(ExtractError::Damaged("the piece table has a wrong size".into()));
    }
    let n = (lcb - 4) / 12;
    let cps = |k: usize| u32_at(plc, 4 * k);
    let pcds = 4 * (n + 1);
    (0..n)
        .map(|k| {
            let fc = u32_at(plc, pcds + 8 * k + 2)?;
            Ok(Piece { cp_start: cps(k)?, cp_end: cps(k + 1)?, fc, compressed: fc & 0x4000_0000 != 0 })
        })
        .collect()
}

/// Field codes: from a field's start (0x13) to its separator (0x14) is its
/// instruction (`HYPERLINK "…"`), left out; from there to its end (0x15) is
/// what it shows, kept. Fields nest.
#[derive(Default)]
struct Fields {
    /// For each open field: whether its result has begun.
    open: Vec<bool>,
}

impl Fields {
    fn keep(&mut self, c: char) -> Option<char> {
        match c {
            '\u{13}' => {
                if self.open.len() < 64 {
                    self.open.push(false);
                }
                return None;
            }
            '\u{14}' => {
                if let Some(last) = self.open.last_mut() {
                    *last = true;
                }
                return None;
            }
            '\u{15}' => {
                self.open.pop();
                return None;
            }
            _ => {}
        }
        if self.open.iter().any(|in_result| !in_result) {
            return None;
        }
        Some(match c {
            '\r' | '\u{0B}' | '\u{0C}' => '\n',
            '\u{07}' => '\t',
            '\u{1E}' => '-',
            c => c,
        })
    }
}

fn stream(file: &mut cfb::CompoundFile<Cursor<&[u8]>>, path: &str, budget: &mut u64) -> Result<Vec<u8>, ExtractError> {
    let s = file.open_stream(path).map_err(|e| ExtractError::Damaged(format!("{path}: {e}")))?;
    if s.len() > *budget {
        return Err(ExtractError::TooLarge);
    }
    let mut out = Vec::with_capacity(s.len() as usize);
    s.take(*budget + 1).read_to_end(&mut out).map_err(ExtractError::damaged)?;
    *budget = budget.saturating_sub(out.len() as u64);
    Ok(out)
}

fn slice<'a>(data: &'a [u8], at: u32, len: u32, what: &str) -> Result<&'a [u8], ExtractError> {
    let (at, len) = (at as usize, len as usize);
    data.get(at..at.saturating_add(len)).ok_or_else(|| ExtractError::Damaged(format!("{what} lies outside its stream")))
}

fn byte(data: &[u8], at: usize) -> Result<u8, ExtractError> {
    data.get(at).copied().ok_or_else(|| ExtractError::Damaged("it is cut short".into()))
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, ExtractError> {
    Ok(u16::from_le_bytes([byte(data, at)?, byte(data, at + 1)?]))
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, ExtractError> {
    Ok(u32::from_le_bytes([byte(data, at)?, byte(data, at + 1)?, byte(data, at + 2)?, byte(data, at + 3)?]))
}
