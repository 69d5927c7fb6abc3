//! The text being read out of a file: bounded as it grows, tidied at the end.

use crate::MAX_TEXT_CHARS;

#[derive(Default)]
pub(crate) struct Out {
    text: String,
    chars: usize,
}

impl Out {
    /// Whether the text reached [`MAX_TEXT_CHARS`]: readers stop there.
    pub fn full(&self) -> bool {
        self.chars >= MAX_TEXT_CHARS
    }

    pub fn push(&mut self, c: char) {
        if self.full() {
            return;
        }
        // Control characters other than line breaks and tabs carry no text.
        let c = match c {
            '\n' | '\t' => c,
            '\r' => '\n',
            c if c.is_control() => return,
            c => c,
        };
        self.text.push(c);
        self.chars += 1;
    }

    pub fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            if self.full() {
                return;
            }
            self.push(c);
        }
    }

    pub fn newline(&mut self) {
        self.push('\n');
    }

    /// One space between words, no space at a line's ends, at most one blank
    /// line in a row, none at the start or the end.
    pub fn finish(self) -> String {
        let mut tidy = String::with_capacity(self.text.len());
        let mut blank_run = 0;
        for line in self.text.split('\n') {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.is_empty() {
                blank_run += 1;
                continue;
            }
            if !tidy.is_empty() {
                tidy.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
            }
            blank_run = 0;
            tidy.push_str(&words.join(" "));
        }
        tidy
    }
}
