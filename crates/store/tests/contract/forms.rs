//! `FormStore`: each save is a new version, made only from the newest one
//! (two administrators cannot overwrite each other), and an old version
//! stays as it was.

use crate::harness::add_attorney;
use intake_domain::questions::{IntakeForm, Localized, MatterType, Question, QuestionKind};
use intake_store::Db;

fn form(label: &str) -> IntakeForm {
    let question = Question {
        key: "where".into(),
        kind: QuestionKind::ShortText,
        label: Localized::en(label),
        help: Localized::default(),
        required: true,
        choices: vec![],
    };
    IntakeForm {
        matter_types: vec![MatterType {
            key: "family".into(),
            name: Localized::en("Family"),
            resume_required: false,
            questions: vec![question],
        }],
        notice: None,
    }
}

contract! {
    /// Versions follow one another; a save from an older version is refused
    /// and stores nothing; an earlier version keeps its questions.
    each_save_is_a_version_made_from_the_newest,
    |db: Db| async move {
        let forms = db.forms();
        let admin = add_attorney(&db, "admin@firm.test", "Ada Admin").await;
        assert_eq!(forms.current_form().await.unwrap(), None, "no form yet");
        assert_eq!(forms.save_form(&form("Where do you live?"), None, admin.id, 1_000).await.unwrap(), Some(1));
        // Read once (and kept: a version never changes), then a newer one is seen at once.
        assert_eq!(forms.current_form().await.unwrap().map(|v| v.version), Some(1));
        assert_eq!(forms.newest_version().await.unwrap(), Some(1));
        assert_eq!(forms.save_form(&form("Stale"), None, admin.id, 1_500).await.unwrap(), None, "not from the newest");
        assert_eq!(forms.save_form(&form("Where were you born?"), Some(1), admin.id, 2_000).await.unwrap(), Some(2));
        assert_eq!(forms.save_form(&form("Stale again"), Some(1), admin.id, 2_500).await.unwrap(), None);

        let current = forms.current_form().await.unwrap().expect("a form");
        assert_eq!(forms.newest_version().await.unwrap(), Some(2));
        assert_eq!((current.version, current.created_at, current.created_by), (2, 2_000, Some(admin.id)));
        assert_eq!(current.form, form("Where were you born?"));
        let first = forms.form_version(1).await.unwrap().expect("version 1");
        assert_eq!(first.form, form("Where do you live?"), "an old version stays as it was");
        assert_eq!(forms.form_version(3).await.unwrap(), None);
    }
}

contract! {
    /// A lead keeps its language, the version and matter type it answered,
    /// and its answers; a lead without them has none; erasure takes them.
    a_lead_keeps_its_answers_until_it_is_erased,
    |db: Db| async move {
        use crate::harness::new_lead;
        use intake_domain::questions::{Lang, LeadIntake};
        use intake_store::{NewLead, erasures::Why};
        let admin = add_attorney(&db, "admin@firm.test", "Ada Admin").await;
        db.forms().save_form(&form("Where do you live?"), None, admin.id, 1_000).await.unwrap();
        let intake = LeadIntake {
            lang: Lang::Es,
            form_version: Some(1),
            matter_type: Some("family".into()),
            answers: [("where".to_owned(), "Sevilla\n\"centro\" <b>".to_owned())].into(),
            consent_at: Some(1_500),
            searchable: String::new(),
        };
        let lead = NewLead { intake: Some(intake.clone()), ..new_lead("ana@example.com") };
        let plain = new_lead("bo@example.com");
        db.leads().insert(&lead, &[]).await.unwrap();
        db.leads().insert(&plain, &[]).await.unwrap();
        assert_eq!(db.leads().intake(lead.id).await.unwrap(), Some(intake));
        assert_eq!(db.leads().intake(plain.id).await.unwrap(), None);

        let why = Why { reason: "request", reference: "7" };
        db.erasures().erase(lead.id, Some(admin.id), &why, 2_000).await.unwrap().expect("erased");
        assert_eq!(db.leads().intake(lead.id).await.unwrap(), None, "the answers went with the lead");
    }
}
