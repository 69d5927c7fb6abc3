//! RTF: a walk over its control words and groups, with an explicit stack (a
//! deep nest cannot overflow ours). Text is what lies outside destinations
//! that hold none (font and colour tables, style sheets, document info,
//! pictures, objects, field instructions, any `{\*…}` group); `\'hh` bytes
//! are decoded in the document's code page (`\ansicpg`), `\uN` is a Unicode
//! character followed by `\ucN` fallback characters to skip.

use crate::{ExtractError, out::Out};
use encoding_rs::Encoding;

/// Groups open at once, at most.
const MAX_DEPTH: usize = 1_000;

/// Destinations whose content is not the document's text.
const SKIPPED: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"listtable",
    b"listoverridetable",
    b"fldinst",
    b"themedata",
    b"datastore",
    b"xmlnstbl",
    b"rsidtbl",
    b"generator",
    b"latentstyles",
    b"header",
    b"footer",
    b"headerl",
    b"headerr",
    b"footerl",
    b"footerr",
];

#[derive(Clone, Copy)]
struct Group {
    skip: bool,
    /// Fallback characters after a `\uN`.
    uc: usize,
}

pub fn text(bytes: &[u8]) -> Result<String, ExtractError> {
    if !bytes.starts_with(b"{\\rtf") {
        return Err(ExtractError::Damaged("it does not start as RTF does".into()));
    }
    let mut out = Out::default();
    let mut stack = vec![Group { skip: false, uc: 1 }];
    let mut page: &'static Encoding = encoding_rs::WINDOWS_1252;
    // Bytes of the code page waiting to be decoded together (a character may take two).
    let mut pending: Vec<u8> = Vec::new();
    let mut to_skip = 0usize;
    let mut i = 0;
    while i < bytes.len() && !out.full() {
        let top = *stack.last().expect("the outermost group stays");
        let b = bytes[i];
        if b != b'\\' || bytes.get(i + 1) != Some(&b'\'') {
            flush(&mut pending, page, &mut out);
        }
        match b {
            b'{' => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ExtractError::Damaged("its groups nest too deep".into()));
                }
                stack.push(top);
                i += 1;
            }
            b'}' => {
                stack.pop();
                if stack.is_empty() {
                    break;
                }
                i += 1;
            }
            b'\r' | b'\n' => i += 1,
            b'\\' => {
                let Some(&c) = bytes.get(i + 1) else { break };
                if c.is_ascii_alphabetic() {
                    let (word, param, next) = control_word(bytes, i + 1);
                    i = next;
                    if word == b"bin" {
                        // Raw bytes follow: never text.
                        i = i.saturating_add(param.unwrap_or(0).max(0) as usize);
                        continue;
                    }
                    let group = stack.last_mut().expect("a group");
                    if SKIPPED.contains(&word) {
                        group.skip = true;
                        continue;
                    }
                    if word == b"uc" {
                        group.uc = param.unwrap_or(1).clamp(0, 10) as usize;
                        continue;
                    }
                    if word == b"ansicpg" {
                        page = code_page(param.unwrap_or(1252));
                        continue;
                    }
                    if group.skip {
                        continue;
                    }
                    let emit = |out: &mut Out, c: char, to_skip: &mut usize| {
                        if *to_skip > 0 {
                            *to_skip -= 1;
                        } else {
                            out.push(c);
                        }
                    };
                    match word {
                        b"par" | b"line" | b"row" | b"sect" | b"page" => out.newline(),
                        b"tab" | b"cell" => out.push('\t'),
                        b"emdash" => emit(&mut out, '—', &mut to_skip),
                        b"endash" => emit(&mut out, '–', &mut to_skip),
                        b"bullet" => emit(&mut out, '•', &mut to_skip),
                        b"lquote" => emit(&mut out, '‘', &mut to_skip),
                        b"rquote" => emit(&mut out, '’', &mut to_skip),
                        b"ldblquote" => emit(&mut out, '“', &mut to_skip),
                        b"rdblquote" => emit(&mut out, '”', &mut to_skip),
                        b"u" => {
                            let n = param.unwrap_or(0);
                            let code = if n < 0 { n + 65_536 } else { n } as u32;
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            to_skip = group.uc;
                        }
                        _ => {}
                    }
                    continue;
                }
                i += 2;
                match c {
                    b'\'' => {
                        let hex = bytes.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                        let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                            continue;
                        };
                        i += 2;
                        if to_skip > 0 {
                            to_skip -= 1;
                        } else if !top.skip {
                            pending.push(byte);
                        }
                    }
                    b'*' => stack.last_mut().expect("a group").skip = true,
                    b'~' if !top.skip => out.push('\u{a0}'),
                    b'_' if !top.skip => out.push('-'),
                    b'\\' | b'{' | b'}' if !top.skip => out.push(c as char),
                    b'\r' | b'\n' if !top.skip => out.newline(),
                    _ => {}
                }
            }
            _ => {
                i += 1;
                if to_skip > 0 {
                    to_skip -= 1;
                } else if !top.skip {
                    if b.is_ascii() {
                        out.push(b as char);
                    } else {
                        pending.push(b);
                    }
                }
            }
        }
    }
    flush(&mut pending, page, &mut out);
    Ok(out.finish())
}

/// A control word at `at` (its letters), its numeric parameter, and where
/// what follows begins (a space ending the word is part of it).
fn control_word(bytes: &[u8], at: usize) -> (&[u8], Option<i64>, usize) {
    let mut i = at;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() && i - at < 32 {
        i += 1;
    }
    let word = &bytes[at..i];
    let start = i;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    while i < bytes.len() && bytes[i].is_ascii_digit() && i - start < 10 {
        i += 1;
    }
    let param = std::str::from_utf8(&bytes[start..i]).ok().and_then(|p| p.parse().ok());
    if bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    (word, param, i)
}

fn flush(pending: &mut Vec<u8>, page: &'static Encoding, out: &mut Out) {
    if !pending.is_empty() {
        out.push_str(&page.decode_without_bom_handling(pending).0);
        pending.clear();
    }
}

/// An RTF code page number's encoding (Windows' own numbers), else Windows-1252.
fn code_page(n: i64) -> &'static Encoding {
    let label = match n {
        874 => "windows-874",
        932 => "shift_jis",
        936 => "gbk",
        949 => "euc-kr",
        950 => "big5",
        1250..=1258 => {
            return Encoding::for_label(format!("windows-{n}").as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252);
        }
        10000 => "macintosh",
        _ => "windows-1252",
    };
    Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_outside_tables_and_decodes_code_pages_and_unicode() {
        let rtf = br"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times;}}{\colortbl;\red0\green0\blue0;}
{\*\generator Writer}{\info{\author Someone}}\pard Jos\'e9 Garc\'eda\par
Nurse in Madrid\tab 2019\u8211?2023\par{\*\unknown hidden}\uc2 caf\u233\'65\'65 ok\par}";
        assert_eq!(text(rtf).unwrap(), "José García\nNurse in Madrid 2019–2023\ncafé ok");
    }

    #[test]
    fn refuses_what_is_not_rtf_and_survives_hostile_nesting() {
        assert!(text(b"hello").is_err());
        let deep = format!("{{\\rtf1 {}x", "{".repeat(100_000));
        assert!(matches!(text(deep.as_bytes()), Err(ExtractError::Damaged(_))));
        // An endless run of control words with huge parameters ends with the input.
        let noise = format!("{{\\rtf1 {}}}", "\\bin99999999999999999999 \\uc999999 \\u-99999999999 ".repeat(1000));
        assert!(text(noise.as_bytes()).is_ok());
    }
}
