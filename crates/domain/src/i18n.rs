//! The prospect's side in the prospect's language. The texts live in
//! `locales/<lang>.ftl`, files a translator edits; the build turns them into
//! [`Msg`] and checks that every language has every message with the same
//! variables (see `build.rs`). The attorneys' side stays in English.

use crate::{
    Field,
    questions::{AnswerError, Lang},
};

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

impl Lang {
    /// The text of `m` in this language, variables unfilled.
    pub fn text(self, m: Msg) -> &'static str {
        match self {
            Self::En => EN[m as usize],
            Self::Es => ES[m as usize],
        }
    }

    /// The text of `m` with its `{ $name }` variables filled from `args`.
    pub fn fill(self, m: Msg, args: &[(&str, &str)]) -> String {
        let mut out = String::new();
        let mut rest = self.text(m);
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
            out.push_str(&rest[..start]);
            let name = rest[start + 1..end].trim().trim_start_matches('$');
            out.push_str(args.iter().find(|(k, _)| *k == name).map_or("", |(_, v)| v));
            rest = rest.get(end + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    /// The text of `m` around its variable `name`: what comes before it and
    /// after it (to set the variable's value apart, in bold, say).
    pub fn around(self, m: Msg, name: &str) -> (String, String) {
        let marker = "\u{0}";
        let filled = self.fill(m, &[(name, marker)]);
        let (before, after) = filled.split_once(marker).unwrap_or((&filled, ""));
        (before.to_owned(), after.to_owned())
    }

    /// A field's label.
    pub fn field(self, f: Field) -> &'static str {
        self.text(match f {
            Field::FirstName => Msg::FieldFirstName,
            Field::LastName => Msg::FieldLastName,
            Field::Email => Msg::FieldEmail,
            Field::Resume => Msg::FieldResume,
        })
    }

    /// "Please correct the highlighted field(s)."
    pub fn fix(self, count: usize) -> String {
        if count == 1 {
            self.text(Msg::FixOne).to_owned()
        } else {
            self.fill(Msg::FixMany, &[("count", count.to_string().as_str())])
        }
    }

    /// Why an answer was refused.
    pub fn answer_error(self, e: &AnswerError) -> String {
        match e {
            AnswerError::Required => self.text(Msg::AnswerRequired).to_owned(),
            AnswerError::TooLong { max } => self.fill(Msg::AnswerTooLong, &[("max", max.to_string().as_str())]),
            AnswerError::NotAChoice => self.text(Msg::AnswerNotAChoice).to_owned(),
            AnswerError::NotYesOrNo => self.text(Msg::AnswerNotYesOrNo).to_owned(),
            AnswerError::NotADate => self.text(Msg::AnswerNotADate).to_owned(),
            AnswerError::NotAPhone => self.text(Msg::AnswerNotAPhone).to_owned(),
            AnswerError::NotAUrl => self.text(Msg::AnswerNotAUrl).to_owned(),
            AnswerError::NotACountry => self.text(Msg::AnswerNotACountry).to_owned(),
            AnswerError::NotANumber => self.text(Msg::AnswerNotANumber).to_owned(),
            AnswerError::EmptyFile => self.text(Msg::AnswerEmptyFile).to_owned(),
            AnswerError::NotADocument => {
                self.fill(Msg::AnswerNotADocument, &[("formats", self.text(Msg::ResumeFormats))])
            }
            AnswerError::FileTooLarge { limit } => {
                self.fill(Msg::AnswerFileTooLarge, &[("limit", &crate::human_bytes(*limit))])
            }
        }
    }

    /// A field's error, from the English message the shared check gives (the
    /// check is written once, in English; its messages are a closed set,
    /// every one of them mapped here and tested).
    pub fn field_error(self, f: Field, english: &str) -> String {
        if self == Lang::En {
            return english.to_owned();
        }
        let label = self.field(f);
        let max = crate::name::MAX_NAME_CHARS.to_string();
        let m = match english {
            "Enter your first name." => Msg::FirstNameMissing,
            "Enter your last name." => Msg::LastNameMissing,
            "Enter your email address." => Msg::EmailMissing,
            "Email address is too long (at most 254 characters)." => Msg::EmailTooLong,
            "Email address must not contain spaces." => Msg::EmailSpaces,
            "Enter an email address like name@example.com." => Msg::EmailInvalid,
            "Choose your resume file to upload." => Msg::ResumeMissing,
            "The resume file is empty." => Msg::ResumeEmpty,
            e if e.ends_with(" characters.") && e.contains(" must be at most ") => {
                return self.fill(Msg::NameTooLong, &[("field", label), ("max", max.as_str())]);
            }
            e if e.ends_with(" contains characters that are not allowed.") => {
                return self.fill(Msg::NameBadChars, &[("field", label)]);
            }
            e if e.starts_with("The resume is too large: the limit is ") => {
                let limit = e.trim_start_matches("The resume is too large: the limit is ").trim_end_matches('.');
                return self.fill(Msg::ResumeTooLarge, &[("limit", limit)]);
            }
            e if e.starts_with("This file's format is not accepted.") => {
                return self.fill(Msg::ResumeFormat, &[("formats", self.text(Msg::ResumeFormats))]);
            }
            _ => return english.to_owned(),
        };
        self.text(m).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LeadForm, submission::resume_error};

    #[test]
    fn every_message_is_in_every_language_with_its_variables_filled() {
        for m in Msg::ALL {
            for lang in Lang::ALL {
                assert!(!lang.text(*m).is_empty(), "{lang:?} {}", m.key());
            }
        }
        assert_eq!(Lang::Es.fill(Msg::PageTitle, &[("firm", "Harper & Lowe")]), "Contactar con Harper & Lowe");
        assert_eq!(Lang::En.fix(3), "Please correct the 3 highlighted fields.");
        assert_eq!(Lang::Es.fix(1), "Corrija el campo señalado.");
        let (before, after) = Lang::Es.around(Msg::ConfirmationSent, "email");
        assert_eq!((before.as_str(), after.as_str()), ("Le hemos enviado un correo de confirmación a ", "."));
    }

    #[test]
    fn every_field_error_the_shared_check_gives_has_a_translation() {
        let mut english = Vec::new();
        for (first, email) in
            [("", ""), (&*"a".repeat(101), "a b@c.d"), ("A\u{202e}", "nope"), ("A", &*"a".repeat(300))]
        {
            let form = LeadForm { first_name: first.into(), last_name: first.into(), email: email.into() };
            for f in [Field::FirstName, Field::LastName, Field::Email] {
                english.extend(form.check(f).map(|e| (f, e)));
            }
        }
        english.extend(
            [None, Some(0), Some(11)].into_iter().filter_map(|s| resume_error(s, 10)).map(|e| (Field::Resume, e)),
        );
        english.push((Field::Resume, "This file's format is not accepted. Upload a PDF file.".into()));
        assert!(english.len() >= 12, "{english:?}");
        for (f, e) in english {
            let es = Lang::Es.field_error(f, &e);
            assert_ne!(es, e, "{e:?} has no Spanish");
            assert!(!es.contains('{'), "{es}");
        }
        assert_eq!(Lang::Es.field_error(Field::FirstName, "Enter your first name."), "Escriba su nombre.");
        assert_eq!(Lang::En.field_error(Field::Email, "Enter your email address."), "Enter your email address.");
    }

    #[test]
    fn every_answer_error_reads_the_same_in_english_as_the_shared_check_says_and_has_spanish() {
        use AnswerError::*;
        let all = [
            Required,
            TooLong { max: 200 },
            NotAChoice,
            NotYesOrNo,
            NotADate,
            NotAPhone,
            NotAUrl,
            NotACountry,
            NotANumber,
            EmptyFile,
            NotADocument,
            FileTooLarge { limit: 10 * 1024 * 1024 },
        ];
        for e in all {
            assert_eq!(Lang::En.answer_error(&e), e.message(), "{}", e.key());
            let es = Lang::Es.answer_error(&e);
            assert!(es != e.message() && !es.contains('{'), "{}: {es}", e.key());
        }
        assert_eq!(
            Lang::Es.answer_error(&FileTooLarge { limit: 10 * 1024 * 1024 }),
            "El archivo es demasiado grande: el límite es 10 MiB."
        );
    }
}
