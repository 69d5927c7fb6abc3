//! A firm's own questions: matter types, each with its ordered questions, and
//! the answers a prospect gives. The same checks run in the browser, as the
//! prospect types, and on the server, before anything is stored.
//!
//! Answers are kept as the prospect gave them, normalised (a phone number in
//! E.164, a date in ISO 8601, a number without its spaces), as text: the
//! question's kind says how to read it, and float formatting would add to the
//! WASM.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Longest short-text answer, in characters.
pub const MAX_SHORT_TEXT: usize = 200;
/// Longest long-text answer, in characters.
pub const MAX_LONG_TEXT: usize = 5000;
/// Longest URL answer, in bytes.
pub const MAX_URL: usize = 2000;
/// Most questions per matter type, and choices per question.
pub const MAX_QUESTIONS: usize = 40;
/// Most document questions in one matter type: each is a file as large as a
/// resume may be, so the request's size limit grows with it.
pub const MAX_DOCUMENTS: usize = 2;
pub const MAX_CHOICES: usize = 50;
/// Longest label, help text or choice, in characters.
pub const MAX_LABEL: usize = 300;
pub const MAX_HELP: usize = 1000;

/// A language the public side speaks. English is the fallback for any text
/// a firm has not written in the prospect's language.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 tag (`<html lang>`, `?lang=`).
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }

    /// The language's name in itself, as a switcher shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Es => "Español",
        }
    }

    /// The language's name in English, as the attorneys' side shows it.
    pub fn english_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Es => "Spanish",
        }
    }

    /// A language tag ("es", "es-MX", "EN"), by its primary subtag.
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The most preferred language of an `Accept-Language` header that Intake
    /// speaks (quality 0 means "not this one").
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(u16, Self)> = None;
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else { continue };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map_or(Some(1000), quality);
            if let Some(q) = q.filter(|q| *q > 0)
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// A quality value ("0.8") in thousandths; `None` when malformed.
fn quality(s: &str) -> Option<u16> {
    let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac: u16 = format!("{frac:0<3}").parse().ok()?;
    match whole {
        "0" => Some(frac),
        "1" if frac == 0 => Some(1000),
        _ => None,
    }
}

/// Text in each language the firm wrote it in; English is always there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized(pub BTreeMap<Lang, String>);

impl Localized {
    pub fn en(text: &str) -> Self {
        Self(BTreeMap::from([(Lang::En, text.to_owned())]))
    }

    pub fn with(mut self, lang: Lang, text: &str) -> Self {
        self.0.insert(lang, text.to_owned());
        self
    }

    /// The text in `lang`, else in English.
    pub fn get(&self, lang: Lang) -> &str {
        self.0.get(&lang).or_else(|| self.0.get(&Lang::En)).map_or("", String::as_str)
    }
}

/// What a question asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    ShortText,
    LongText,
    SingleChoice,
    MultipleChoice,
    YesNo,
    Date,
    Phone,
    Url,
    Country,
    Number,
    /// An extra document (sniffed like the resume).
    Document,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 11] = [
        Self::ShortText,
        Self::LongText,
        Self::SingleChoice,
        Self::MultipleChoice,
        Self::YesNo,
        Self::Date,
        Self::Phone,
        Self::Url,
        Self::Country,
        Self::Number,
        Self::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShortText => "short_text",
            Self::LongText => "long_text",
            Self::SingleChoice => "single_choice",
            Self::MultipleChoice => "multiple_choice",
            Self::YesNo => "yes_no",
            Self::Date => "date",
            Self::Phone => "phone",
            Self::Url => "url",
            Self::Country => "country",
            Self::Number => "number",
            Self::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the form editor calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::ShortText => "Short text",
            Self::LongText => "Long text",
            Self::SingleChoice => "One choice",
            Self::MultipleChoice => "Several choices",
            Self::YesNo => "Yes or no",
            Self::Date => "Date",
            Self::Phone => "Phone number",
            Self::Url => "Web address",
            Self::Country => "Country",
            Self::Number => "Number",
            Self::Document => "Document",
        }
    }

    fn has_choices(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultipleChoice)
    }
}

/// One of a choice question's options; its key is what an answer stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: Localized,
}

/// A question as one version of the form asks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable across versions while the question is the same one.
    pub key: String,
    pub kind: QuestionKind,
    pub label: Localized,
    pub help: Localized,
    pub required: bool,
    pub choices: Vec<Choice>,
}

/// Why an answer was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum AnswerError {
    Required,
    TooLong {
        max: usize,
    },
    NotAChoice,
    NotYesOrNo,
    NotADate,
    NotAPhone,
    NotAUrl,
    NotACountry,
    NotANumber,
    /// A document question's file has no content.
    EmptyFile,
    /// A document question's file is not one of the accepted formats (checked by content).
    NotADocument,
    /// A document question's file is over the size limit (the resume's), in bytes.
    FileTooLarge {
        limit: u64,
    },
}

impl AnswerError {
    /// The English sentence shown at the field (other languages come from
    /// the translation files, keyed by [`AnswerError::key`]).
    pub fn message(&self) -> String {
        match self {
            Self::Required => "Answer this question.".into(),
            Self::TooLong { max } => format!("Use at most {max} characters."),
            Self::NotAChoice => "Choose one of the options.".into(),
            Self::NotYesOrNo => "Choose yes or no.".into(),
            Self::NotADate => "Enter a date like 2024-03-31.".into(),
            Self::NotAPhone => "Enter the number with its country code, like +1 202 555 0143.".into(),
            Self::NotAUrl => "Enter a web address starting with https:// or http://.".into(),
            Self::NotACountry => "Choose a country from the list.".into(),
            Self::NotANumber => "Enter a number, like 3 or 2.5.".into(),
            Self::EmptyFile => "The file is empty.".into(),
            Self::NotADocument => {
                format!("This file's format is not accepted. Upload a {} file.", crate::submission::ACCEPTED_FORMATS)
            }
            Self::FileTooLarge { limit } => {
                format!("The file is too large: the limit is {}.", crate::human_bytes(*limit))
            }
        }
    }

    /// The translation key of the message.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Required => "answer-required",
            Self::TooLong { .. } => "answer-too-long",
            Self::NotAChoice => "answer-not-a-choice",
            Self::NotYesOrNo => "answer-not-yes-or-no",
            Self::NotADate => "answer-not-a-date",
            Self::NotAPhone => "answer-not-a-phone",
            Self::NotAUrl => "answer-not-a-url",
            Self::NotACountry => "answer-not-a-country",
            Self::NotANumber => "answer-not-a-number",
            Self::EmptyFile => "answer-empty-file",
            Self::NotADocument => "answer-not-a-document",
            Self::FileTooLarge { .. } => "answer-file-too-large",
        }
    }
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl Question {
    /// Checks what the prospect entered (the form's values under this
    /// question's name: several for a multiple choice) and returns the answer
    /// to keep, normalised; `None` when an optional question is left blank.
    /// A document's file is checked where it is read; here only its presence.
    pub fn check(&self, values: &[String]) -> Result<Option<String>, AnswerError> {
        let values: Vec<&str> = values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
        let Some(first) = values.first().copied() else {
            return if self.required { Err(AnswerError::Required) } else { Ok(None) };
        };
        let choice = |v: &str| self.choices.iter().any(|c| c.key == v);
        let answer = match self.kind {
            QuestionKind::ShortText => single_line(first, MAX_SHORT_TEXT)?,
            QuestionKind::LongText => text(first, MAX_LONG_TEXT)?,
            QuestionKind::SingleChoice if choice(first) => first.to_owned(),
            QuestionKind::SingleChoice => return Err(AnswerError::NotAChoice),
            QuestionKind::MultipleChoice => {
                if !values.iter().all(|v| choice(v)) {
                    return Err(AnswerError::NotAChoice);
                }
                // In the form's order, each once.
                let picked: Vec<&str> =
                    self.choices.iter().map(|c| c.key.as_str()).filter(|k| values.contains(k)).collect();
                picked.join("\n")
            }
            QuestionKind::YesNo => match first {
                "yes" | "no" => first.to_owned(),
                _ => return Err(AnswerError::NotYesOrNo),
            },
            QuestionKind::Date => date(first).ok_or(AnswerError::NotADate)?,
            QuestionKind::Phone => phone(first).ok_or(AnswerError::NotAPhone)?,
            QuestionKind::Url => url(first).ok_or(AnswerError::NotAUrl)?,
            QuestionKind::Country => country(first).ok_or(AnswerError::NotACountry)?,
            QuestionKind::Number => number(first).ok_or(AnswerError::NotANumber)?,
            QuestionKind::Document => first.to_owned(),
        };
        Ok(Some(answer))
    }
}

/// Text without control characters (newlines kept), at most `max` characters.
fn text(v: &str, max: usize) -> Result<String, AnswerError> {
    // Line ends become `\n`; other control characters (a tab) a space.
    let v = v.replace("\r\n", "\n").replace('\r', "\n");
    let v: String = v.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect();
    if v.chars().count() > max {
        return Err(AnswerError::TooLong { max });
    }
    Ok(v)
}

/// One line: inner runs of white space (a tab, a line end) become one space.
fn single_line(v: &str, max: usize) -> Result<String, AnswerError> {
    let v = text(v, usize::MAX)?.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.chars().count() > max {
        return Err(AnswerError::TooLong { max });
    }
    Ok(v)
}

/// `YYYY-MM-DD`, a real calendar day between the years 1900 and 2199.
fn date(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let digits_ok = b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    if b.len() != 10 || !digits_ok {
        return None;
    }
    let n = |r: std::ops::Range<usize>| v.get(r)?.parse::<u32>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..2200).contains(&y) && (1..=days).contains(&d)).then(|| v.to_owned())
}

/// Country calling codes the ITU has assigned (E.164), in order.
const CALLING_CODES: &[u16] = &[
    1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60,
    61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, 211, 212, 213, 216, 218, 220, 221, 222, 223,
    224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246,
    247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290,
    291, 297, 298, 299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377, 378,
    379, 380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 590,
    591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 685,
    686, 687, 688, 689, 690, 691, 692, 800, 808, 850, 852, 853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888, 960,
    961, 962, 963, 964, 965, 966, 967, 968, 970, 971, 972, 973, 974, 975, 976, 977, 979, 992, 993, 994, 995, 996, 998,
];

/// A phone number in international form ("+44 20 7946 0958", "0044 …",
/// "+1 (202) 555-0143"), as E.164: `+`, an assigned country code, and 4 to
/// 14 more digits, 15 at most in all.
fn phone(v: &str) -> Option<String> {
    let rest = v.strip_prefix('+').or_else(|| v.strip_prefix("00"))?;
    if !rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')) {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.starts_with('0') {
        return None;
    }
    let code_len = (1..=3).find(|n| {
        digits.get(..*n).and_then(|c| c.parse::<u16>().ok()).is_some_and(|c| CALLING_CODES.binary_search(&c).is_ok())
    })?;
    ((code_len + 4)..=15).contains(&digits.len()).then(|| format!("+{digits}"))
}

/// An `http` or `https` address with a host and no spaces.
fn url(v: &str) -> Option<String> {
    // Characters a URL never holds unescaped, and that browsers read their own way (`\` as `/`).
    let stray = |c: char| {
        c.is_whitespace() || c.is_control() || matches!(c, '\\' | '"' | '<' | '>' | '^' | '`' | '{' | '|' | '}')
    };
    if v.len() > MAX_URL || v.chars().any(stray) {
        return None;
    }
    let (scheme, rest) = v.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let host = host.rsplit_once(':').map_or(host, |(h, port)| if port.parse::<u16>().is_ok() { h } else { "" });
    let label_ok = |l: &str| {
        !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    (host.contains('.') && host.split('.').all(label_ok)).then(|| v.to_owned())
}

/// A country, by its ISO 3166-1 alpha-2 code.
fn country(v: &str) -> Option<String> {
    let code = v.to_ascii_uppercase();
    crate::countries::name(&code).map(|_| code)
}

/// A decimal number ("3", "-2.5", "1 200", "1,5" with a comma as the decimal
/// mark), as digits with a point; at most 15 significant digits.
fn number(v: &str) -> Option<String> {
    let v: String = v.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '_')).collect();
    let (sign, v) = v.strip_prefix('-').map_or(("", v.as_str()), |r| ("-", r));
    // A comma is a decimal mark ("1,5"), unless it could be a thousands
    // separator ("1,200"): that one is refused rather than guessed.
    if v.split_once(',').is_some_and(|(_, frac)| frac.len() == 3) {
        return None;
    }
    let v = v.replacen(',', ".", 1);
    let (whole, frac) = v.split_once('.').unwrap_or((&v, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (v.contains('.') && frac.is_empty()) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    if whole.len() + frac.len() > 15 {
        return None;
    }
    Some(if frac.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{frac}") })
}

/// A matter type and the questions it asks, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterType {
    /// Stable across versions ("family", "asylum").
    pub key: String,
    pub name: Localized,
    /// Whether the resume is required for this matter type.
    pub resume_required: bool,
    pub questions: Vec<Question>,
}

/// What is wrong with a form an administrator wrote: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormError {
    /// "Family → question 3 → choice 2", or "Family".
    pub at: String,
    pub reason: String,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// One version of a firm's form: what prospects are asked from the moment it
/// is saved. Earlier versions stay, with the leads that answered them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeForm {
    pub matter_types: Vec<MatterType>,
    /// The firm's privacy notice, shown above the submit button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
}

/// The firm's privacy notice, and whether the prospect must agree to it. It
/// is versioned with the form: a lead's form version says which text it saw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub text: Localized,
    pub consent_required: bool,
}

/// Longest privacy notice, in characters.
pub const MAX_NOTICE: usize = 5000;
/// The form-field name of the consent checkbox (value `yes`).
pub const CONSENT_FIELD: &str = "consent";

impl IntakeForm {
    /// Checks a form before it is saved: English text everywhere, keys
    /// unique, choices where a question needs them, lengths within bounds.
    pub fn check(&self) -> Result<(), FormError> {
        if let Some(n) = &self.notice {
            localized(&n.text, MAX_NOTICE, true)
                .map_err(|r| FormError { at: "Privacy notice".into(), reason: format!("the text {r}") })?;
        }
        let mut matter_keys = std::collections::HashSet::new();
        for (i, m) in self.matter_types.iter().enumerate() {
            let at = if m.name.get(Lang::En).trim().is_empty() {
                format!("Matter type {}", i + 1)
            } else {
                m.name.get(Lang::En).to_owned()
            };
            let fail = |at: &str, reason: &str| Err(FormError { at: at.to_owned(), reason: reason.to_owned() });
            localized(&m.name, MAX_LABEL, true).or_else(|r| fail(&at, &format!("the name {r}")))?;
            if !key_ok(&m.key) || !matter_keys.insert(m.key.as_str()) {
                return fail(&at, "needs its own key (letters, digits, - and _)");
            }
            if m.questions.len() > MAX_QUESTIONS {
                return fail(&at, &format!("has more than {MAX_QUESTIONS} questions"));
            }
            if m.questions.iter().filter(|q| q.kind == QuestionKind::Document).count() > MAX_DOCUMENTS {
                return fail(&at, &format!("asks for more than {MAX_DOCUMENTS} documents"));
            }
            let mut question_keys = std::collections::HashSet::new();
            for (j, q) in m.questions.iter().enumerate() {
                let at = format!("{at} → question {}", j + 1);
                localized(&q.label, MAX_LABEL, true).or_else(|r| fail(&at, &format!("the question {r}")))?;
                localized(&q.help, MAX_HELP, false).or_else(|r| fail(&at, &format!("the help text {r}")))?;
                if !key_ok(&q.key) || !question_keys.insert(q.key.as_str()) {
                    return fail(&at, "needs its own key (letters, digits, - and _)");
                }
                match (q.kind.has_choices(), q.choices.len()) {
                    (true, 0 | 1) => return fail(&at, "needs at least two choices"),
                    (true, n) if n > MAX_CHOICES => return fail(&at, &format!("has more than {MAX_CHOICES} choices")),
                    (false, n) if n > 0 => return fail(&at, "has choices but is not a choice question"),
                    _ => {}
                }
                let mut choice_keys = std::collections::HashSet::new();
                for (k, c) in q.choices.iter().enumerate() {
                    let at = format!("{at} → choice {}", k + 1);
                    localized(&c.label, MAX_LABEL, true).or_else(|r| fail(&at, &r))?;
                    if !key_ok(&c.key) || !choice_keys.insert(c.key.as_str()) {
                        return fail(&at, "needs its own key (letters, digits, - and _)");
                    }
                }
            }
        }
        Ok(())
    }

    pub fn matter_type(&self, key: &str) -> Option<&MatterType> {
        self.matter_types.iter().find(|m| m.key == key)
    }

    /// The matter type a prospect is answering: the one named, or the only
    /// one when there is just one (the form then offers no choice).
    pub fn chosen(&self, key: Option<&str>) -> Option<&MatterType> {
        match (key.map(str::trim).filter(|k| !k.is_empty()), self.matter_types.as_slice()) {
            (Some(k), _) => self.matter_type(k),
            (None, [only]) => Some(only),
            (None, _) => None,
        }
    }
}

/// The form-field name of a question's answer: `q.<key>`.
pub const ANSWER_PREFIX: &str = "q.";
/// The form-field name of the chosen matter type.
pub const MATTER_FIELD: &str = "matter_type";
/// The form-field name of the form version the prospect was shown.
pub const FORM_VERSION_FIELD: &str = "form_version";

pub fn answer_field(key: &str) -> String {
    format!("{ANSWER_PREFIX}{key}")
}

/// What a prospect sent for each question, by question key (several values
/// for a multiple choice), before any check.
pub type SentAnswers = BTreeMap<String, Vec<String>>;

impl MatterType {
    /// Checks the answer to every question: the answers to keep, by question
    /// key (optional questions left blank are left out), or every refusal.
    /// Values sent for questions this matter type does not ask are ignored.
    pub fn check_answers(&self, sent: &SentAnswers) -> Result<BTreeMap<String, String>, BTreeMap<String, AnswerError>> {
        let (mut kept, mut refused) = (BTreeMap::new(), BTreeMap::new());
        for q in &self.questions {
            match q.check(sent.get(&q.key).map_or(&[][..], Vec::as_slice)) {
                Ok(Some(answer)) => {
                    kept.insert(q.key.clone(), answer);
                }
                Ok(None) => {}
                Err(e) => {
                    refused.insert(q.key.clone(), e);
                }
            }
        }
        if refused.is_empty() { Ok(kept) } else { Err(refused) }
    }
}

/// What a lead holds of the firm's form: the language it was sent in, the
/// form version and matter type it answered, and its answers as kept.
/// Old leads (and leads sent while the firm had no form) have no version.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadIntake {
    pub lang: Lang,
    pub form_version: Option<i64>,
    pub matter_type: Option<String>,
    pub answers: BTreeMap<String, String>,
    /// When the prospect agreed to the privacy notice of `form_version` (ms);
    /// `None` when they did not, or there was none.
    #[serde(default)]
    pub consent_at: Option<i64>,
    /// The answers the dashboard's search reads (see [`MatterType::searchable`]);
    /// kept on the lead's row, not sent anywhere as part of this.
    #[serde(skip)]
    pub searchable: String,
}

/// One answer as the lead page shows it: the question as the prospect saw
/// it (in the version they answered) and the answer in words.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownAnswer {
    pub question: String,
    pub answer: String,
    /// For a document question answered with a file: the question's key,
    /// which names the file (`/api/v1/leads/{id}/documents/{key}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// A lead's answers as its page shows them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadAnswers {
    /// The matter type's name in the version answered (`None`: the form had
    /// no matter types, only a privacy notice).
    pub matter_type: Option<String>,
    pub form_version: i64,
    /// The language the prospect used.
    pub lang: Lang,
    pub answers: Vec<ShownAnswer>,
    /// The version's privacy notice asked for consent (required or not).
    #[serde(default)]
    pub notice: bool,
    /// When the prospect agreed to it (ms).
    #[serde(default)]
    pub consent_at: Option<i64>,
}

impl MatterType {
    /// The answers in question order, in English words (a choice's label, a
    /// country's name, "Yes"); unanswered questions say so.
    pub fn shown(&self, answers: &BTreeMap<String, String>) -> Vec<ShownAnswer> {
        self.questions
            .iter()
            .map(|q| {
                let answer = match answers.get(&q.key) {
                    None => "(not answered)".to_owned(),
                    Some(a) => q.words(a),
                };
                let document =
                    (q.kind == QuestionKind::Document && answers.contains_key(&q.key)).then(|| q.key.clone());
                ShownAnswer { question: q.label.get(Lang::En).to_owned(), answer, document }
            })
            .collect()
    }
}

impl MatterType {
    /// The answers the dashboard's search reads besides name and email: short
    /// texts and phone numbers (as kept: `+` and digits), in question order,
    /// one per line. Long texts are left out: a search for a word in a
    /// story matches too much, and they would swell the index.
    pub fn searchable(&self, answers: &BTreeMap<String, String>) -> String {
        self.questions
            .iter()
            .filter(|q| matches!(q.kind, QuestionKind::ShortText | QuestionKind::Phone))
            .filter_map(|q| answers.get(&q.key))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Question {
    /// A kept answer in English words.
    pub fn words(&self, answer: &str) -> String {
        let choice = |k: &str| {
            self.choices.iter().find(|c| c.key == k).map_or_else(|| k.to_owned(), |c| c.label.get(Lang::En).to_owned())
        };
        match self.kind {
            QuestionKind::SingleChoice => choice(answer),
            QuestionKind::MultipleChoice => answer.split('\n').map(choice).collect::<Vec<_>>().join(", "),
            QuestionKind::YesNo if answer == "yes" => "Yes".into(),
            QuestionKind::YesNo if answer == "no" => "No".into(),
            QuestionKind::Country => {
                crate::countries::name(answer).map_or_else(|| answer.to_owned(), |n| format!("{n} ({answer})"))
            }
            _ => answer.to_owned(),
        }
    }
}

impl IntakeForm {
    /// Gives every new matter type, question and choice (key left empty by
    /// the editor) a key made from its English text, unique among its
    /// siblings; existing keys stay, so answers keep pointing at them.
    pub fn fill_keys(&mut self) {
        fn fill<'a>(items: impl Iterator<Item = (&'a mut String, &'a Localized)>) {
            let items: Vec<_> = items.collect();
            let mut taken: std::collections::HashSet<String> =
                items.iter().filter(|(k, _)| !k.is_empty()).map(|(k, _)| (*k).clone()).collect();
            for (key, text) in items {
                if key.is_empty() {
                    let base = key_from(text.get(Lang::En));
                    let mut candidate = base.clone();
                    let mut n = 2;
                    while taken.contains(&candidate) {
                        candidate = format!("{base}-{n}");
                        n += 1;
                    }
                    taken.insert(candidate.clone());
                    *key = candidate;
                }
            }
        }
        fill(self.matter_types.iter_mut().map(|m| (&mut m.key, &m.name)));
        for m in &mut self.matter_types {
            fill(m.questions.iter_mut().map(|q| (&mut q.key, &q.label)));
            for q in &mut m.questions {
                fill(q.choices.iter_mut().map(|c| (&mut c.key, &c.label)));
            }
        }
    }
}

/// A key from text: ASCII letters and digits, lower case, words joined by
/// `-`, at most 30 characters ("Employment-based visa" → "employment-based-visa").
pub fn key_from(text: &str) -> String {
    let mut key = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
        if key.len() >= 30 {
            break;
        }
    }
    let key = key.trim_end_matches('-');
    if key.is_empty() { "q".to_owned() } else { key.to_owned() }
}

/// A key: 1 to 40 ASCII letters, digits, `-` or `_`.
fn key_ok(k: &str) -> bool {
    (1..=40).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Text in each language within `max` characters; English present if `required`.
fn localized(t: &Localized, max: usize, required: bool) -> Result<(), String> {
    if required && t.0.get(&Lang::En).is_none_or(|s| s.trim().is_empty()) {
        return Err("is missing in English".into());
    }
    match t.0.iter().find(|(_, s)| s.chars().count() > max) {
        Some((lang, _)) => Err(format!("in {} is longer than {max} characters", lang.name())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: QuestionKind, required: bool) -> Question {
        let choices = if kind.has_choices() {
            ["h1b", "l1", "o1"]
                .iter()
                .map(|k| Choice { key: (*k).into(), label: Localized::en(&k.to_uppercase()) })
                .collect()
        } else {
            vec![]
        };
        Question { key: "q".into(), kind, label: Localized::en("Q"), help: Localized::default(), required, choices }
    }

    fn check(kind: QuestionKind, v: &str) -> Result<Option<String>, AnswerError> {
        q(kind, true).check(&[v.to_owned()])
    }

    #[test]
    fn blank_answers_are_required_or_absent() {
        for kind in QuestionKind::ALL {
            assert_eq!(q(kind, true).check(&[" ".into()]), Err(AnswerError::Required), "{kind:?}");
            assert_eq!(q(kind, false).check(&[]), Ok(None), "{kind:?}");
        }
    }

    #[test]
    fn text_is_bounded_and_tidied() {
        use QuestionKind::*;
        assert_eq!(check(ShortText, "  José \t García\u{7} "), Ok(Some("José García".into())));
        assert_eq!(check(LongText, "one\rtwo\tthree"), Ok(Some("one\ntwo three".into())));
        assert_eq!(check(ShortText, &"a".repeat(201)), Err(AnswerError::TooLong { max: 200 }));
        assert_eq!(check(LongText, "line one\r\nline two"), Ok(Some("line one\nline two".into())));
        assert_eq!(check(LongText, &"é".repeat(5000)).map(|a| a.map(|s| s.chars().count())), Ok(Some(5000)));
    }

    #[test]
    fn choices_must_be_offered() {
        use QuestionKind::*;
        assert_eq!(check(SingleChoice, "l1"), Ok(Some("l1".into())));
        assert_eq!(check(SingleChoice, "eb5"), Err(AnswerError::NotAChoice));
        let many = q(MultipleChoice, true);
        assert_eq!(many.check(&["o1".into(), "h1b".into(), "o1".into()]), Ok(Some("h1b\no1".into())));
        assert_eq!(many.check(&["o1".into(), "x".into()]), Err(AnswerError::NotAChoice));
        assert_eq!(check(YesNo, "yes"), Ok(Some("yes".into())));
        assert_eq!(check(YesNo, "maybe"), Err(AnswerError::NotYesOrNo));
    }

    #[test]
    fn dates_are_real_days() {
        use QuestionKind::Date;
        assert_eq!(check(Date, "2024-02-29"), Ok(Some("2024-02-29".into())));
        for bad in [
            "2024-+1-+5",
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-04-31",
            "24-01-01",
            "2024/01/01",
            "1899-12-31",
        ] {
            assert_eq!(check(Date, bad), Err(AnswerError::NotADate), "{bad}");
        }
        assert_eq!(check(Date, "2000-02-29"), Ok(Some("2000-02-29".into())));
    }

    #[test]
    fn phones_are_international_numbers() {
        use QuestionKind::Phone;
        assert_eq!(check(Phone, "+1 (202) 555-0143"), Ok(Some("+12025550143".into())));
        assert_eq!(check(Phone, "0044 20 7946 0958"), Ok(Some("+442079460958".into())));
        assert_eq!(check(Phone, "+52 55 1234 5678"), Ok(Some("+525512345678".into())));
        for bad in ["202 555 0143", "+0 123 456 789", "+999 1234 5678", "+1 555", "+1 2025550143 99999", "+44 20 ABC"] {
            assert_eq!(check(Phone, bad), Err(AnswerError::NotAPhone), "{bad}");
        }
    }

    #[test]
    fn urls_have_a_scheme_and_a_host() {
        use QuestionKind::Url;
        assert_eq!(check(Url, "https://example.com/a?b#c"), Ok(Some("https://example.com/a?b#c".into())));
        assert_eq!(check(Url, "http://user@example.org:8080/"), Ok(Some("http://user@example.org:8080/".into())));
        for bad in [
            "example.com",
            "javascript://example.com/%0a",
            "ftp://example.com",
            "https://localhost",
            "https://a b.com",
            "https://a.com\\@b.com",
            "https://\"x\".com",
        ] {
            assert_eq!(check(Url, bad), Err(AnswerError::NotAUrl), "{bad}");
        }
    }

    #[test]
    fn countries_and_numbers() {
        use QuestionKind::*;
        assert_eq!(check(Country, "mx"), Ok(Some("MX".into())));
        assert_eq!(check(Country, "XX"), Err(AnswerError::NotACountry));
        assert_eq!(check(Number, " 1 200 "), Ok(Some("1200".into())));
        assert_eq!(check(Number, "-002,50"), Ok(Some("-2.50".into())));
        for bad in ["1e5", "1.", ".5", "1.2.3", "NaN", "12345678901234567", "1,200"] {
            assert_eq!(check(Number, bad), Err(AnswerError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn languages_come_from_tags_and_headers() {
        assert_eq!(Lang::parse("es-MX"), Some(Lang::Es));
        assert_eq!(Lang::parse("pt"), None);
        assert_eq!(Lang::from_accept_language("pt-BR, es;q=0.8, en;q=0.5"), Some(Lang::Es));
        assert_eq!(Lang::from_accept_language("en-GB;q=0.9, es;q=1"), Some(Lang::Es));
        assert_eq!(Lang::from_accept_language("es;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("es;Q=0.2, en;q=0.5"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, de;q=2"), None);
        let t = Localized::en("Family").with(Lang::Es, "Familia");
        assert_eq!((t.get(Lang::Es), Localized::en("Asylum").get(Lang::Es)), ("Familia", "Asylum"));
    }

    #[test]
    fn a_form_is_checked_before_it_is_saved() {
        let matter = |key: &str, questions: Vec<Question>| MatterType {
            key: key.into(),
            name: Localized::en("Employment-based visa"),
            resume_required: true,
            questions,
        };
        let all: Vec<Question> = QuestionKind::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| Question { key: format!("q{i}"), ..q(*k, i % 2 == 0) })
            .collect();
        assert_eq!(IntakeForm { matter_types: vec![matter("visa", all.clone())], notice: None }.check(), Ok(()));

        let twice = IntakeForm { matter_types: vec![matter("visa", vec![]), matter("visa", vec![])], notice: None };
        assert!(twice.check().unwrap_err().reason.contains("own key"));
        let mut lone = q(QuestionKind::SingleChoice, true);
        lone.choices.truncate(1);
        let err = IntakeForm { matter_types: vec![matter("visa", vec![lone])], notice: None }.check().unwrap_err();
        assert_eq!(err.to_string(), "Employment-based visa → question 1: needs at least two choices");
        let mut spanish_only = q(QuestionKind::ShortText, true);
        spanish_only.label = Localized(BTreeMap::from([(Lang::Es, "¿Dónde?".into())]));
        let err =
            IntakeForm { matter_types: vec![matter("visa", vec![spanish_only])], notice: None }.check().unwrap_err();
        assert_eq!(err.reason, "the question is missing in English");
        let mut optional = matter("visa", vec![]);
        optional.resume_required = false;
        assert_eq!(
            IntakeForm { matter_types: vec![optional], notice: None }.check(),
            Ok(()),
            "a resume may be optional"
        );
        let doc = |n: usize| {
            let docs = (0..n).map(|i| Question { key: format!("d{i}"), ..q(QuestionKind::Document, false) }).collect();
            IntakeForm { matter_types: vec![matter("visa", docs)], notice: None }.check()
        };
        assert_eq!(doc(MAX_DOCUMENTS), Ok(()));
        assert_eq!(doc(MAX_DOCUMENTS + 1).unwrap_err().reason, "asks for more than 2 documents");
        let spanish_notice =
            Notice { text: Localized(BTreeMap::from([(Lang::Es, "Aviso".into())])), consent_required: true };
        let err = IntakeForm { matter_types: vec![], notice: Some(spanish_notice) }.check().unwrap_err();
        assert_eq!(err.to_string(), "Privacy notice: the text is missing in English");
        let long = Notice { text: Localized::en(&"a".repeat(MAX_NOTICE + 1)), consent_required: false };
        assert!(IntakeForm { matter_types: vec![], notice: Some(long) }.check().is_err());
    }

    fn visa() -> MatterType {
        MatterType {
            key: "visa".into(),
            name: Localized::en("Employment-based visa"),
            resume_required: true,
            questions: vec![
                Question {
                    key: "kind".into(),
                    label: Localized::en("Which visa?"),
                    ..q(QuestionKind::MultipleChoice, true)
                },
                Question { key: "phone".into(), label: Localized::en("Phone"), ..q(QuestionKind::Phone, true) },
                Question { key: "from".into(), label: Localized::en("Country"), ..q(QuestionKind::Country, false) },
                Question {
                    key: "notes".into(),
                    label: Localized::en("Anything else?"),
                    ..q(QuestionKind::LongText, false)
                },
            ],
        }
    }

    fn sent(pairs: &[(&str, &str)]) -> SentAnswers {
        let mut s = SentAnswers::new();
        for (k, v) in pairs {
            s.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        s
    }

    #[test]
    fn a_matter_types_answers_are_checked_together() {
        let m = visa();
        let kept = m
            .check_answers(&sent(&[
                ("kind", "o1"),
                ("kind", "h1b"),
                ("phone", "+1 202 555 0143"),
                ("from", "es"),
                ("x", "y"),
            ]))
            .unwrap();
        assert_eq!(
            kept,
            BTreeMap::from([
                ("kind".into(), "h1b\no1".into()),
                ("phone".into(), "+12025550143".into()),
                ("from".into(), "ES".into()),
            ]),
            "normalised, the blank optional one and the unknown one left out"
        );
        let refused = m.check_answers(&sent(&[("kind", "e2"), ("from", "Narnia")])).unwrap_err();
        assert_eq!(
            refused,
            BTreeMap::from([
                ("kind".into(), AnswerError::NotAChoice),
                ("phone".into(), AnswerError::Required),
                ("from".into(), AnswerError::NotACountry),
            ])
        );
    }

    #[test]
    fn answers_are_shown_in_words_in_question_order() {
        let m = visa();
        let kept =
            m.check_answers(&sent(&[("kind", "l1"), ("kind", "h1b"), ("phone", "+34 612 345 678"), ("from", "mx")]));
        let shown = m.shown(&kept.unwrap());
        let pairs: Vec<(&str, &str)> = shown.iter().map(|a| (a.question.as_str(), a.answer.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("Which visa?", "H1B, L1"),
                ("Phone", "+34612345678"),
                ("Country", "Mexico (MX)"),
                ("Anything else?", "(not answered)"),
            ]
        );
    }

    #[test]
    fn new_items_get_unique_keys_from_their_text_and_old_ones_keep_theirs() {
        assert_eq!(key_from("Employment-based visa"), "employment-based-visa");
        assert_eq!(key_from("¿Dónde vive?"), "d-nde-vive");
        assert_eq!(key_from("…"), "q");
        assert!(key_from(&"long ".repeat(20)).len() <= 30);
        let mut form = IntakeForm { matter_types: vec![visa()], notice: None };
        let m = &mut form.matter_types[0];
        m.key.clear();
        m.questions.push(Question {
            key: String::new(),
            label: Localized::en("Phone"),
            ..q(QuestionKind::Phone, true)
        });
        m.questions.push(Question {
            key: String::new(),
            label: Localized::en("Phone"),
            ..q(QuestionKind::Phone, true)
        });
        m.questions[0].choices.push(Choice { key: String::new(), label: Localized::en("E-2 treaty") });
        form.fill_keys();
        let m = &form.matter_types[0];
        assert_eq!(m.key, "employment-based-visa");
        let keys: Vec<&str> = m.questions.iter().map(|q| q.key.as_str()).collect();
        assert_eq!(keys, ["kind", "phone", "from", "notes", "phone-2", "phone-3"]);
        assert_eq!(m.questions[0].choices[3].key, "e-2-treaty");
        assert_eq!(form.check(), Ok(()));
    }

    #[test]
    fn the_only_matter_type_is_chosen_without_asking() {
        let one = IntakeForm { matter_types: vec![visa()], notice: None };
        assert_eq!(one.chosen(None).map(|m| m.key.as_str()), Some("visa"));
        assert_eq!(one.chosen(Some("family")), None);
        let mut family = visa();
        family.key = "family".into();
        let two = IntakeForm { matter_types: vec![visa(), family], notice: None };
        assert_eq!(two.chosen(None), None);
        assert_eq!(two.chosen(Some(" family ")).map(|m| m.key.as_str()), Some("family"));
    }
}
