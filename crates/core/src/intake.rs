//! Receiving a prospect's submission: stream the multipart body, validate it
//! with the shared domain rules, then store the lead, its resume and its two
//! emails atomically. Used by the no-JS form, the server function and the API.

use crate::{
    client_ip::ClientIp, error::Error, mail::compose, services::Services, sniff::ResumeKind, storage::StagedResume,
};
use intake_domain::{
    Field, FieldErrors, LeadForm, LeadOrigin, SubmitReceipt,
    i18n::Msg,
    questions::{self, AnswerError, Lang, LeadAnswers, LeadIntake, MatterType, Question, QuestionKind, SentAnswers},
    submission::ACCEPTED_FORMATS,
    submission::resume_error,
};
use intake_store::{DbError, NewLead, ResumeMeta, now_ms};
use sha2::{Digest, Sha256};
use std::{collections::BTreeMap, time::Duration};
use uuid::Uuid;

/// How long after a new form version a page showing the one before is
/// still accepted: a prospect who loaded the form just before the firm
/// saved a change is not turned away.
pub const FORM_VERSION_GRACE_MS: i64 = 2 * 3600 * 1000;
/// Bytes of unknown parts tolerated before the request is refused.
const MAX_OTHER_PARTS: usize = 64 * 1024;
/// After the limit is hit, keep reading (and discarding) this much more so the
/// client gets our 413 instead of a reset connection; past it, stop reading.
const DRAIN_LIMIT: u64 = 32 * 1024 * 1024;
/// The honeypot field: hidden from people, filled in by naive bots.
pub const HONEYPOT_FIELD: &str = "website";
/// Values sent for the firm's questions, at most (a multiple choice sends
/// one per ticked option); each at most this many bytes (the longest
/// long-text answer, in four-byte characters).
const MAX_ANSWER_PARTS: usize = 400;
const MAX_ANSWER_BYTES: usize = 4 * questions::MAX_LONG_TEXT + 16;
/// All answers together, at most: what a submission may carry beside its
/// resume, so answers never hold more memory than the body's own bound.
const MAX_ANSWERS_TOTAL: usize = crate::multipart::SUBMIT_ALLOWANCE as usize;

impl Error {
    /// A multipart read error. The body bounds (see `bounded`) surface
    /// as read errors inside multer's; `max` is the resume limit.
    fn from_multer(e: multer::Error, max: u64) -> Self {
        use crate::{multipart::Cut, multipart::refusal_in};
        match refusal_in(&e) {
            Some(Cut::TooLarge) => Self::TooLarge { limit: max, question: None },
            Some(Cut::Stalled) => Self::Malformed("the upload stalled".into()),
            Some(Cut::Shape(why)) => Self::Malformed(why),
            None => Self::Malformed(format!("invalid multipart body ({e})")),
        }
    }
}

/// The parts of a submission as received, before validation.
#[derive(Default)]
pub struct Received {
    pub form: LeadForm,
    pub honeypot: String,
    /// Where the prospect came from, cleaned (never a reason to refuse).
    pub origin: LeadOrigin,
    pub resume: Option<ReceivedResume>,
    /// Files sent for document questions, by question key (at most
    /// [`questions::MAX_DOCUMENTS`]); the form decides which are kept.
    pub documents: BTreeMap<String, ReceivedResume>,
    /// The chosen matter type, the form version shown, and the answers, as sent.
    pub matter_type: String,
    pub form_version: String,
    pub answers: SentAnswers,
    pub lang: Lang,
    /// The consent checkbox (`yes` when ticked).
    pub consent: String,
}

/// A received file (the resume or a document), staged on disk.
pub struct ReceivedResume {
    pub staged: StagedResume,
    pub file_name: String,
    pub size: u64,
    pub sha256: String,
    pub kind: Option<ResumeKind>,
}

impl ReceivedResume {
    /// What the lead's row keeps of a file checked as accepted, and the file.
    fn into_stored(self) -> (ResumeMeta, StagedResume) {
        let meta = ResumeMeta {
            file_name: self.file_name,
            content_type: self.kind.expect("checked before it is stored").mime().to_owned(),
            size: self.size as i64,
            sha256: self.sha256,
            key: self.staged.key().to_owned(),
        };
        (meta, self.staged)
    }
}

/// Checks the per-client submission limit: in memory on SQLite (one
/// instance), in a fixed window shared by every instance on PostgreSQL.
pub async fn check_rate(state: &Services, client: ClientIp) -> Result<(), Error> {
    let Some(limiter) = &state.submit_limiter else { return Ok(()) };
    let Some(db) = state.db.counters() else {
        return limiter.check(client.limit_key()).map_err(|retry_after| Error::RateLimited { retry_after });
    };
    let rate = limiter.rate();
    let (now, window) = (now_ms(), rate.per.as_millis() as i64);
    let hit = db.hit(&format!("submit:{}", client.limit_key()), window, now).await.map_err(internal)?;
    if hit.hits > i64::from(rate.count) {
        let wait = Duration::from_millis((hit.window_start + window - now).max(1000) as u64);
        return Err(Error::RateLimited { retry_after: wait });
    }
    Ok(())
}

/// Runs a whole submission; the caller has already applied [`check_rate`].
pub async fn submit(state: &Services, multipart: multer::Multipart<'static>) -> Result<SubmitReceipt, Error> {
    let received = receive(state, multipart).await?;
    store(state, received).await
}

/// Streams the multipart body: text fields into memory (bounded), the resume to a staged file.
pub async fn receive(state: &Services, multipart: multer::Multipart<'static>) -> Result<Received, Error> {
    let mut received = Received::default();
    receive_into(state, multipart, &mut received).await?;
    Ok(received)
}

/// As [`receive`], into `into`: when the body is refused part-way (a file
/// too large, say), `into` keeps what was read, so the no-JS form can show
/// the typed values again. A file over the limit is read to its end and
/// dropped, and the rest of the form is still read; the refusal comes last.
pub async fn receive_into(
    state: &Services,
    multipart: multer::Multipart<'static>,
    into: &mut Received,
) -> Result<(), Error> {
    let mut origin: [String; 4] = Default::default();
    let read = read_parts(state, multipart, into, &mut origin).await;
    // Cleaned once, whether the form was read whole or not.
    let [referrer, source, medium, campaign] = &origin;
    into.origin = LeadOrigin::clean(referrer, source, medium, campaign);
    read
}

/// The parts, into `into` (where the prospect came from, raw, into `origin`).
async fn read_parts(
    state: &Services,
    mut mp: multer::Multipart<'static>,
    into: &mut Received,
    origin: &mut [String; 4],
) -> Result<(), Error> {
    let max = state.config.intake.max_resume_bytes;
    let mut other_bytes = 0usize;
    let mut answer_parts = 0usize;
    let mut answer_bytes = 0usize;
    let mut too_large: Option<Error> = None;

    let bad = |e| Error::from_multer(e, max);
    let mut parts = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(bad)? {
        parts += 1;
        if parts > state.config.intake.max_parts {
            return Err(Error::Malformed("it has too many parts".into()));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let question = name.strip_prefix(questions::ANSWER_PREFIX).map(str::to_owned);
        let is_file = field.file_name().is_some();
        if let Some(key) = question.as_ref().filter(|_| is_file) {
            // A file for a document question: staged like the resume.
            match receive_file(state, field, max, Some(key.as_str())).await? {
                Got::File(file) => {
                    if into.documents.len() >= questions::MAX_DOCUMENTS || into.documents.contains_key(key) {
                        return Err(Error::Malformed("it has too many files".into()));
                    }
                    into.documents.insert(key.clone(), *file);
                }
                Got::Nothing => {}
                Got::TooLarge => {
                    _ = too_large.get_or_insert(Error::TooLarge { limit: max, question: question.clone() })
                }
            }
            continue;
        }
        if let Some(key) = question {
            // The firm's questions: counted apart from the fixed fields.
            parts -= 1;
            answer_parts += 1;
            if answer_parts > MAX_ANSWER_PARTS {
                return Err(Error::Malformed("it has too many answers".into()));
            }
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if buf.len() + chunk.len() > MAX_ANSWER_BYTES {
                    let mut errors = FieldErrors::default();
                    let too_long = AnswerError::TooLong { max: questions::MAX_LONG_TEXT };
                    errors.answers.insert(key, too_long.message());
                    return Err(Error::Invalid(Box::new(errors)));
                }
                buf.extend_from_slice(&chunk);
            }
            answer_bytes += buf.len();
            if answer_bytes > MAX_ANSWERS_TOTAL {
                return Err(Error::Malformed("its answers are too long".into()));
            }
            into.answers.entry(key).or_default().push(String::from_utf8_lossy(&buf).into_owned());
            continue;
        }
        if name == Field::Resume.name() && into.resume.is_none() {
            match receive_file(state, field, max, None).await? {
                Got::File(file) => into.resume = Some(*file),
                Got::Nothing => {}
                Got::TooLarge => _ = too_large.get_or_insert(Error::TooLarge { limit: max, question: None }),
            }
            continue;
        }
        let tag = intake_domain::lead::ORIGIN_FIELDS.iter().position(|f| *f == name);
        let mut lang = String::new();
        let target = match name.as_str() {
            "first_name" => Some(&mut into.form.first_name),
            "last_name" => Some(&mut into.form.last_name),
            "email" => Some(&mut into.form.email),
            HONEYPOT_FIELD => Some(&mut into.honeypot),
            questions::MATTER_FIELD => Some(&mut into.matter_type),
            questions::FORM_VERSION_FIELD => Some(&mut into.form_version),
            questions::CONSENT_FIELD => Some(&mut into.consent),
            "lang" => Some(&mut lang),
            _ => tag.map(|i| &mut origin[i]),
        };
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if target.is_some() {
                // Stop reading a field that could never be valid: no name or address is this long.
                if buf.len() + chunk.len() > state.config.intake.max_field_bytes {
                    if tag.is_some() {
                        // Where the prospect came from is cut (later, to far less), never a reason to refuse.
                        let room = state.config.intake.max_field_bytes.saturating_sub(buf.len());
                        buf.extend_from_slice(&chunk[..room.min(chunk.len())]);
                        continue;
                    }
                    return Err(text_field_too_long(&name));
                }
                buf.extend_from_slice(&chunk);
            } else {
                other_bytes += chunk.len();
                if other_bytes > MAX_OTHER_PARTS {
                    return Err(Error::Malformed("it has unexpected parts".into()));
                }
            }
        }
        if let Some(t) = target {
            *t = String::from_utf8_lossy(&buf).into_owned();
        }
        if name == "lang" {
            into.lang = Lang::parse(&lang).unwrap_or_default();
        }
    }
    too_large.map_or(Ok(()), Err)
}

/// What a file part held.
enum Got {
    File(Box<ReceivedResume>),
    /// The empty, unnamed part a browser sends when no file was chosen.
    Nothing,
    /// Over the limit: read to its end and dropped.
    TooLarge,
}

/// Streams a file part (the resume, or the file answering `question`) to a
/// staged file, hashing it and identifying it by content. A file over `max`
/// is read on (and dropped) up to [`DRAIN_LIMIT`], so the rest of the form
/// can still be read and the client gets our answer; past that, reading stops.
async fn receive_file(
    state: &Services,
    mut field: multer::Field<'static>,
    max: u64,
    question: Option<&str>,
) -> Result<Got, Error> {
    let read_error = |e| match Error::from_multer(e, max) {
        Error::TooLarge { limit, .. } => Error::TooLarge { limit, question: question.map(str::to_owned) },
        other => other,
    };
    let file_name = clean_file_name(field.file_name().unwrap_or_default());
    let mut staged = state.resumes.stage();
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(read_error)? {
        size += chunk.len() as u64;
        if size > max {
            drop(staged);
            while let Some(chunk) = field.chunk().await.map_err(read_error)? {
                size += chunk.len() as u64;
                if size > max + DRAIN_LIMIT {
                    return Err(Error::TooLarge { limit: max, question: question.map(str::to_owned) });
                }
            }
            return Ok(Got::TooLarge);
        }
        hasher.update(&chunk);
        staged.write(&chunk).await.map_err(internal)?;
    }
    if size == 0 && file_name.is_empty() {
        return Ok(Got::Nothing);
    }
    let kind = staged.identify().await.map_err(internal)?;
    Ok(Got::File(Box::new(ReceivedResume {
        staged,
        file_name: kind.map(|k| with_extension(&file_name, k)).unwrap_or(file_name),
        size,
        sha256: hex::encode(hasher.finalize()),
        kind,
    })))
}

/// Validates and stores a received submission.
pub async fn store(state: &Services, received: Received) -> Result<SubmitReceipt, Error> {
    if !received.honeypot.trim().is_empty() {
        tracing::info!("submission refused: honeypot field filled in");
        return Err(Error::Spam);
    }
    // The checks speak English; the prospect reads their language.
    let lang = received.lang;
    let (valid, mut errors) = match received.form.validate() {
        Ok(v) => (Some(v), FieldErrors::default()),
        Err(mut e) => {
            for f in [Field::FirstName, Field::LastName, Field::Email] {
                let m = e.get(f).map(|m| lang.field_error(f, m));
                e.set(f, m);
            }
            (None, e)
        }
    };
    errors.lang = lang;
    let now = now_ms();
    let Checked { intake, shown, resume_required, documents } =
        check_answers(state, &received, &mut errors, now).await?;
    let max = state.config.intake.max_resume_bytes;
    let resume_problem = match &received.resume {
        None => resume_error(None, max).filter(|_| resume_required),
        Some(r) => resume_error(Some(r.size), max).or_else(|| {
            r.kind.is_none().then(|| format!("This file's format is not accepted. Upload a {ACCEPTED_FORMATS} file."))
        }),
    };
    errors.set(Field::Resume, resume_problem.map(|m| lang.field_error(Field::Resume, &m)));
    let Some(valid) = valid else {
        return Err(Error::Invalid(Box::new(errors)));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(Box::new(errors)));
    }
    // The staged files to keep: the resume, then the matter type's documents
    // (any other file sent is dropped, which deletes it).
    let mut files: Vec<StagedResume> = Vec::new();
    let resume = received.resume.map(|r| {
        let (meta, file) = r.into_stored();
        files.push(file);
        meta
    });
    let mut sent_documents = received.documents;
    let documents: Vec<intake_store::Document> = documents
        .into_iter()
        .filter_map(|key| {
            let (file, staged) = sent_documents.remove(&key)?.into_stored();
            files.push(staged);
            Some(intake_store::Document { question_key: key, file })
        })
        .collect();
    drop(sent_documents);

    let lead = NewLead {
        id: Uuid::now_v7(),
        first_name: valid.first_name,
        last_name: valid.last_name,
        email: valid.email,
        created_at: now,
        resume,
        documents,
        origin: received.origin,
        intake,
    };
    let messages = compose::messages_for(&state.config, &lead, shown.as_ref());
    for file in &mut files {
        file.finish().await.map_err(internal)?;
    }
    let announced = match state.db.leads().insert(&lead, &messages).await {
        Ok(event) => event,
        Err(DbError::DuplicateEmail) => {
            // The answer is a new lead's (same status, same body, after the
            // same commit): whether an address is known is confidential.
            // Nothing is stored for the public; the address's owner is told
            // by email and the existing lead's history records the repeat.
            // The repeat is written (and committed) before the answer, as a
            // new lead is: the answer takes as long, and a crash loses nothing acknowledged.
            drop(files);
            record_repeat(state, &lead.email.normalized(), lang).await;
            return Ok(receipt(&lead));
        }
        Err(e) => return Err(internal(e)),
    };
    for file in files {
        if let Err(e) = file.commit().await {
            // The row is committed; start-up recovery moves the staged file into place.
            tracing::error!(lead = %lead.id, error = %e, "cannot move a file into place; will retry at next start");
        }
    }
    state.outbox_wake.notify();
    state.conflict_wake.notify_one();
    if state.config.leads.assign == crate::config::AssignMode::RoundRobin
        && let Some(row) = &announced.lead
    {
        crate::leads::assign_in_turn(state, row).await;
    }
    crate::metrics::lead_created();
    tracing::info!(lead = %lead.id, "lead received");
    Ok(receipt(&lead))
}

/// What [`check_answers`] found.
struct Checked {
    /// The lead's intake row, when there is something to keep.
    intake: Option<LeadIntake>,
    /// The answers in words, for the attorneys' email.
    shown: Option<LeadAnswers>,
    /// Whether the matter type asks for a resume (all do but those a firm made it optional for).
    resume_required: bool,
    /// The document questions answered with a file: the files to keep.
    documents: Vec<String>,
}

impl Checked {
    fn refused(resume_required: bool) -> Self {
        Self { intake: None, shown: None, resume_required, documents: Vec::new() }
    }
}

/// The answers to check: a document question is answered by a file's name,
/// and only by a file (a text part under its name is not a document).
fn with_documents<'a>(
    matter: &MatterType,
    sent: &'a SentAnswers,
    documents: &BTreeMap<String, ReceivedResume>,
) -> std::borrow::Cow<'a, SentAnswers> {
    let asks = |q: &&Question| q.kind == QuestionKind::Document;
    if !matter.questions.iter().any(|q| asks(&q)) {
        return std::borrow::Cow::Borrowed(sent);
    }
    let mut sent = sent.clone();
    for q in matter.questions.iter().filter(asks) {
        sent.remove(&q.key);
        if let Some(file) = documents.get(&q.key) {
            // A file with no name still answers: it is named by its format.
            let name = if file.file_name.is_empty() { "document".to_owned() } else { file.file_name.clone() };
            sent.insert(q.key.clone(), vec![name]);
        }
    }
    std::borrow::Cow::Owned(sent)
}

/// Document files that cannot be kept: empty, or not an accepted format (by content).
fn document_problems(matter: &MatterType, documents: &BTreeMap<String, ReceivedResume>) -> Vec<(String, AnswerError)> {
    matter
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Document)
        .filter_map(|q| {
            let file = documents.get(&q.key)?;
            let problem = if file.size == 0 {
                AnswerError::EmptyFile
            } else if file.kind.is_none() {
                AnswerError::NotADocument
            } else {
                return None;
            };
            Some((q.key.clone(), problem))
        })
        .collect()
}

/// Checks the matter type and the answers against the form version the
/// prospect was shown, else the current one. A page loaded just before the
/// firm saved a new version is checked against the version it showed (the
/// lead keeps what it answered) for [`FORM_VERSION_GRACE_MS`] after that
/// save; later, or for a version that was never shown, the prospect is told
/// to reload: an old version cannot be named to skip a question or a
/// consent the firm now requires. Failures go into `errors`; the lead's
/// intake row when there is something to keep, and the answers in words
/// (for the attorneys' email).
async fn check_answers(
    state: &Services,
    received: &Received,
    errors: &mut FieldErrors,
    now: i64,
) -> Result<Checked, Error> {
    let lang = received.lang;
    let forms = state.db.forms();
    let current = forms.current_form().await.map_err(internal)?;
    let posted = received.form_version.trim().parse::<i64>().ok();
    let version = match (posted, current) {
        (Some(p), Some(c)) if p < c.version && p > 0 => {
            // Shown until its successor was saved, less than the grace ago.
            let next = forms.form_version(p + 1).await.map_err(internal)?;
            match next.filter(|n| now - n.created_at < FORM_VERSION_GRACE_MS) {
                Some(_) => forms.form_version(p).await.map_err(internal)?,
                None => {
                    errors.matter_type = Some(lang.text(Msg::FormChanged).into());
                    return Ok(Checked::refused(true));
                }
            }
        }
        (_, current) => current,
    };
    let Some(version) = version.filter(|v| !v.form.matter_types.is_empty() || v.form.notice.is_some()) else {
        let intake = (lang != Lang::En).then(|| LeadIntake { lang, ..LeadIntake::default() });
        return Ok(Checked { intake, shown: None, resume_required: true, documents: Vec::new() });
    };
    let form = &version.form;
    let consented = received.consent.trim() == "yes";
    if form.notice.as_ref().is_some_and(|n| n.consent_required) && !consented {
        errors.consent = Some(lang.text(Msg::ConsentRequired).into());
    }
    let consent_at = (form.notice.is_some() && consented).then_some(now);
    let (matter, answers) = if form.matter_types.is_empty() {
        (None, Default::default())
    } else {
        let Some(matter) = form.chosen(Some(&received.matter_type)) else {
            errors.matter_type = Some(lang.text(Msg::MatterMissing).into());
            // Whether a resume is needed depends on the type not chosen yet.
            return Ok(Checked::refused(false));
        };
        let sent = with_documents(matter, &received.answers, &received.documents);
        let (answers, mut refused) = match matter.check_answers(&sent) {
            Ok(answers) => (answers, BTreeMap::new()),
            Err(refused) => (BTreeMap::new(), refused),
        };
        for (key, problem) in document_problems(matter, &received.documents) {
            refused.entry(key).or_insert(problem);
        }
        if !refused.is_empty() {
            errors.answers = refused.into_iter().map(|(k, e)| (k, lang.answer_error(&e))).collect();
            return Ok(Checked::refused(matter.resume_required));
        }
        (Some(matter), answers)
    };
    let shown = LeadAnswers {
        matter_type: matter.map(|m| m.name.get(Lang::En).to_owned()),
        form_version: version.version,
        lang,
        answers: matter.map(|m| m.shown(&answers)).unwrap_or_default(),
        notice: form.notice.is_some(),
        consent_at,
    };
    let intake = LeadIntake {
        lang,
        form_version: Some(version.version),
        matter_type: matter.map(|m| m.key.clone()),
        searchable: matter.map(|m| m.searchable(&answers)).unwrap_or_default(),
        answers,
        consent_at,
    };
    let documents = matter
        .into_iter()
        .flat_map(|m| &m.questions)
        .filter(|q| q.kind == QuestionKind::Document && intake.answers.contains_key(&q.key))
        .map(|q| q.key.clone())
        .collect();
    Ok(Checked {
        intake: Some(intake),
        shown: Some(shown),
        resume_required: matter.is_none_or(|m| m.resume_required),
        documents,
    })
}

/// The answer to a stored submission (a repeated one gets the same).
fn receipt(lead: &NewLead) -> SubmitReceipt {
    SubmitReceipt {
        id: lead.id,
        first_name: lead.first_name.as_str().to_owned(),
        email: lead.email.as_str().to_owned(),
        lang: lead.intake.as_ref().map(|i| i.lang).unwrap_or_default(),
        resume: lead.resume.is_some(),
    }
}

/// A repeated submission's only traces: the repeat in the existing lead's
/// history, and (at most once a day per lead) an email to the address's
/// owner saying their earlier submission is already with the firm.
async fn record_repeat(state: &Services, email_normalized: &str, lang: Lang) {
    let result = async {
        let Some((lead, first_submitted, email)) = state.db.leads().by_email(email_normalized).await? else {
            return Ok(false); // erased meanwhile
        };
        // To the address on file: the one that was confirmed the first time.
        // In the language of the form just sent: the one its sender reads.
        let message = compose::already_received(&state.config, &email, first_submitted, lang);
        let now = now_ms();
        state.db.leads().record_resubmission(lead, now, &message, now - REPEAT_EMAIL_EVERY_MS).await
    }
    .await;
    match result {
        Ok(told) => {
            crate::metrics::submission_repeated();
            if told {
                state.outbox_wake.notify();
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot record a repeated submission"),
    }
}

/// At most one "already received" email per lead in this long.
const REPEAT_EMAIL_EVERY_MS: i64 = 24 * 3600 * 1000;

fn text_field_too_long(name: &str) -> Error {
    let mut errors = FieldErrors::default();
    match name {
        "first_name" => errors.set(Field::FirstName, Some("This is far too long for a name.".into())),
        "last_name" => errors.set(Field::LastName, Some("This is far too long for a name.".into())),
        "email" => errors.set(Field::Email, Some("This is far too long for an email address.".into())),
        _ => return Error::Spam,
    }
    Error::Invalid(Box::new(errors))
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal("submission failed", e)
}

/// The last path component of a client file name, without control or
/// direction-changing characters (`cv\u{202e}fdp.exe` would show as
/// `cvexe.pdf`), at most 120 characters.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base.chars().filter(|c| !c.is_control() && !is_bidi_or_invisible(*c)).take(120).collect();
    kept.trim().trim_start_matches('.').trim().to_owned()
}

fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// The name shown and offered on download: the cleaned name with the
/// extension of the detected format (replacing any other).
fn with_extension(clean: &str, kind: ResumeKind) -> String {
    let ext = kind.extension();
    let stem = match clean.rsplit_once('.') {
        Some((_, e)) if e.eq_ignore_ascii_case(ext) => return clean.to_owned(),
        Some((stem, e)) if !stem.is_empty() && e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()) => stem,
        _ if clean.is_empty() => "resume",
        _ => clean,
    };
    format!("{stem}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::{ResumeKind, clean_file_name, with_extension};

    #[test]
    fn file_names_lose_paths_and_controls() {
        assert_eq!(clean_file_name("C:\\Users\\me\\cv.pdf"), "cv.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\r\nb.pdf"), "ab.pdf");
        assert_eq!(clean_file_name("cv\u{202e}fdp.exe"), "cvfdp.exe");
        assert_eq!(clean_file_name("\u{200f}.htaccess"), "htaccess");
        assert_eq!(clean_file_name(&"x".repeat(500)).len(), 120);
    }

    #[test]
    fn names_carry_the_detected_formats_extension() {
        assert_eq!(with_extension("Dee Ell — CV.pdf", ResumeKind::Pdf), "Dee Ell — CV.pdf");
        assert_eq!(with_extension("cv.PDF", ResumeKind::Pdf), "cv.PDF");
        assert_eq!(with_extension("cvfdp.exe", ResumeKind::Pdf), "cvfdp.pdf");
        assert_eq!(with_extension("cv.doc", ResumeKind::Docx), "cv.docx");
        assert_eq!(with_extension("cv", ResumeKind::Text), "cv.txt");
        assert_eq!(with_extension("", ResumeKind::Rtf), "resume.rtf");
        assert_eq!(with_extension("J. R. Smith", ResumeKind::Pdf), "J. R. Smith.pdf");
    }

    proptest::proptest! {
        #[test]
        fn file_names_are_always_clean(raw in proptest::prelude::any::<String>()) {
            let name = with_extension(&clean_file_name(&raw), ResumeKind::Pdf);
            proptest::prop_assert!(name.to_ascii_lowercase().ends_with(".pdf"));
            proptest::prop_assert!(!name.chars().any(|c| c.is_control() || super::is_bidi_or_invisible(c) || c == '/' || c == '\\'));
            proptest::prop_assert!(name.chars().count() <= 125);
        }
    }
}
