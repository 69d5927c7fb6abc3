//! The firm's own questions: a form saved as versions, answered by prospects
//! (API and no-JS form), checked on the server, kept with the version
//! answered, shown on the lead's page, and erased with the lead.

use crate::helpers::*;
use reqwest::{StatusCode, multipart::Form};
use serde_json::{Value, json};

/// A form with two matter types; "visa" asks one question of every kind a
/// prospect can answer.
fn firm_form(kind_label: &str) -> Value {
    let choices = |keys: &[&str]| -> Value {
        keys.iter().map(|k| json!({"key": k, "label": {"en": k.to_uppercase()}})).collect::<Vec<_>>().into()
    };
    let q = |key: &str, kind: &str, label: &str, required: bool| {
        let choices = if kind.ends_with("_choice") { choices(&["h1b", "l1", "o1"]) } else { json!([]) };
        json!({"key": key, "kind": kind, "label": {"en": label, "es": format!("ES {label}")},
               "help": {}, "required": required, "choices": choices})
    };
    json!({"matter_types": [
        {"key": "visa", "name": {"en": "Employment-based visa"}, "resume_required": true, "questions": [
            q("kind", "single_choice", kind_label, true),
            q("also", "multiple_choice", "Any other visas held?", false),
            q("employer", "short_text", "Employer", true),
            q("story", "long_text", "Tell us more", false),
            q("offer", "yes_no", "Do you have a job offer?", true),
            q("start", "date", "Start date", false),
            q("phone", "phone", "Phone", true),
            q("site", "url", "Employer's website", false),
            q("from", "country", "Country of citizenship", true),
            q("salary", "number", "Offered salary", false),
        ]},
        {"key": "family", "name": {"en": "Family"}, "resume_required": true, "questions": [
            q("relative", "short_text", "Who is your relative?", true),
        ]},
    ]})
}

pub(crate) async fn save_form(app: &TestApp, form: &Value) -> String {
    let file = app.data_dir.join("form.json");
    std::fs::write(&file, form.to_string()).unwrap();
    let (code, out) = app.cli(&["form", "set", file.to_str().unwrap(), "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 0, "{out}");
    out
}

const GOOD: &[(&str, &str)] = &[
    ("matter_type", "visa"),
    ("form_version", "1"),
    ("q.kind", "h1b"),
    ("q.also", "o1"),
    ("q.also", "l1"),
    ("q.employer", "  Acme   Corp "),
    ("q.story", "Line one\r\nLine two"),
    ("q.offer", "yes"),
    ("q.start", "2027-02-01"),
    ("q.phone", "+1 (202) 555-0143"),
    ("q.site", "https://acme.example/jobs"),
    ("q.from", "mx"),
    ("q.salary", "95 000"),
];

/// `GET path` on the integrator API with `token`, as JSON.
async fn api_json(app: &TestApp, token: &str, path: &str) -> Value {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

fn form_with(email: &str, fields: &[(&str, &str)]) -> Form {
    fields.iter().fold(lead_form(email), |f, (k, v)| f.text((*k).to_owned(), (*v).to_owned()))
}

#[tokio::test]
async fn answers_are_checked_kept_with_their_version_shown_and_erased() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    assert!(save_form(&app, &firm_form("Which visa?")).await.contains("version 1"));

    // Every refusal at once, per field; nothing stored.
    let bad = [
        ("matter_type", "visa"),
        ("q.kind", "e2"),
        ("q.offer", "maybe"),
        ("q.phone", "555-0143"),
        ("q.from", "Narnia"),
        ("q.start", "2027-02-30"),
        ("q.site", "javascript:alert(1)"),
        ("q.salary", "1,200"),
    ];
    let res = app.post_form("/api/leads", form_with("ada@example.com", &bad)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    let fields = &body["fields"]["answers"];
    for (key, message) in [
        ("kind", "Choose one of the options."),
        ("offer", "Choose yes or no."),
        ("phone", "Enter the number with its country code, like +1 202 555 0143."),
        ("from", "Choose a country from the list."),
        ("start", "Enter a date like 2024-03-31."),
        ("site", "Enter a web address starting with https:// or http://."),
        ("salary", "Enter a number, like 3 or 2.5."),
        ("employer", "Answer this question."),
    ] {
        assert_eq!(fields[key], message, "{key}: {body}");
    }
    assert_eq!(body["message"], "Please correct the 8 highlighted fields.");
    app.assert_nothing_stored().await;

    // A matter type the form does not offer.
    let res = app.post_form("/api/leads", form_with("ada@example.com", &[("matter_type", "tax")])).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fields"]["matter_type"], "Choose what your matter is about.");
    app.assert_nothing_stored().await;

    // Accepted: kept normalised, with the version and matter type.
    let res = app.post_form("/api/leads", form_with("ada@example.com", GOOD)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let db = app.db().await;
    let (lang, version, matter, answers): (String, i64, String, String) = sqlx::query_as(&format!(
        "SELECT lang, form_version, matter_type, answers FROM lead_answers WHERE lead_id = '{id}'"
    ))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((lang.as_str(), version, matter.as_str()), ("en", 1, "visa"));
    let answers: Value = serde_json::from_str(&answers).unwrap();
    assert_eq!(
        answers,
        json!({"kind": "h1b", "also": "l1\no1", "employer": "Acme Corp", "story": "Line one\nLine two",
               "offer": "yes", "start": "2027-02-01", "phone": "+12025550143",
               "site": "https://acme.example/jobs", "from": "MX", "salary": "95000"})
    );

    // The firm edits the question: the lead keeps the words it was asked in.
    assert!(save_form(&app, &firm_form("Which visa do you want?")).await.contains("version 2"));
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    for shown in [
        "Matter: Employment-based visa",
        "Answered on version 1 of the intake form.",
        "Which visa?",
        ">H1B<",
        "L1, O1",
        "Line one\nLine two",
        "Mexico (MX)",
        ">Yes<",
    ] {
        assert!(page.contains(shown), "{shown:?} on the lead's page");
    }
    assert!(!page.contains("Which visa do you want?"), "the old lead shows the question it was asked");

    // A prospect who loaded version 1 before the change is still checked against it;
    // one who sends no version is checked against the newest.
    let res = app.post_form("/api/leads", form_with("grace@example.com", GOOD)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let newest: Vec<(i64,)> =
        sqlx::query_as("SELECT form_version FROM lead_answers ORDER BY form_version").fetch_all(&db).await.unwrap();
    assert_eq!(newest, [(1,), (1,)]);
    // Past the grace after version 2, a page of version 1 is told to reload (an
    // old version cannot be named to skip what the firm now asks).
    sqlx::query("UPDATE intake_forms SET created_at = created_at - 3 * 3600 * 1000 WHERE version = 2")
        .execute(&db)
        .await
        .unwrap();
    // (A saved version never changes, so a server keeps what it read of it: restarted, it reads the edit.)
    let app = TestApp::spawn_in(&app.stop().await, Options::smtp(free_port().await)).await;
    let res = app.post_form("/api/leads", form_with("late@example.com", GOOD)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body["fields"]["matter_type"].as_str().unwrap().starts_with("The form changed"), "{body}");
    let without_version: Vec<(&str, &str)> = GOOD.iter().copied().filter(|(k, _)| *k != "form_version").collect();
    let res = app.post_form("/api/leads", form_with("joan@example.com", &without_version)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: i64 = sqlx::query_scalar("SELECT MAX(form_version) FROM lead_answers").fetch_one(&db).await.unwrap();
    assert_eq!(v, 2);

    // The dashboard's search reads short-text and phone answers (not long
    // texts), and its matter type filter holds the lead; so does the API's.
    let read = crate::conflicts::token(&app, "read").await;
    let listed = |query: &'static str| {
        let (app, read) = (&app, &read);
        async move {
            let res =
                app.client.get(app.url(&format!("/api/v1/leads?{query}"))).bearer_auth(read).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{query}");
            let body: Value = res.json().await.unwrap();
            let mut emails: Vec<String> =
                body["leads"].as_array().unwrap().iter().map(|l| l["email"].as_str().unwrap().to_owned()).collect();
            emails.sort();
            emails
        }
    };
    let all = ["ada@example.com", "grace@example.com", "joan@example.com"].map(str::to_owned).to_vec();
    assert_eq!(listed("q=acme+corp").await, all, "a short-text answer");
    assert_eq!(listed("q=%2B1+(202)+555-0143").await, all, "a phone number, however it is written");
    assert_eq!(listed("q=line+two").await, Vec::<String>::new(), "long texts are not searched");
    assert_eq!(listed("matter_type=visa&q=grace").await, ["grace@example.com"]);
    assert_eq!(listed("matter_type=family").await, Vec::<String>::new());
    let res = app.client.get(app.url("/api/v1/leads?matter_type=Visa!")).bearer_auth(&read).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a malformed key is refused, not ignored");
    let row = api_json(&app, &read, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(row["lead"]["matter_type"], "visa");
    // The attorneys' export of a matter type's view holds its leads only.
    let csv = admin.get(app.url("/leads/export.csv?matter=family")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("Lead ID") && !csv.contains("@example.com"), "the header alone: {csv}");
    let csv = admin.get(app.url("/leads/export.csv?matter=visa&q=joan")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("joan@example.com") && !csv.contains("grace@example.com"), "joan's row: {csv}");

    // Erasure takes the answers with the lead.
    let form = [("id", id.as_str()), ("reason", "requested"), ("reference", "2024-117")];
    let res = admin.post(app.url("/api/internal/erase_lead")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM lead_answers WHERE lead_id = '{id}'"))
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(app.count("lead_answers").await, 2, "the other leads' answers stay");
}

#[tokio::test]
async fn without_javascript_the_matter_type_is_a_step_and_a_refusal_keeps_the_answers() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    // Before the firm has a form: the four built-in fields, no picker.
    let home = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("name=\"first_name\"") && !home.contains("What is your matter about?"));

    save_form(&app, &firm_form("Which visa?")).await;
    let home = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("What is your matter about?") && home.contains("Employment-based visa"));
    assert!(!home.contains("name=\"first_name\""), "the form comes after the choice");

    // The step keeps where the prospect came from: the picker (a GET form) carries it.
    let page_from = |path: &str, referer: String| {
        let req = app.client.get(app.url(path)).header("referer", referer);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let arrived = page_from("/?utm_source=news&utm_campaign=spring", "https://partner.example/post".into()).await;
    let picker = &arrived[arrived.find("class=\"matter-picker\"").expect("the picker")..];
    let picker = &picker[..picker.find("</form>").unwrap()];
    for part in [
        "name=\"utm_source\" value=\"news\"",
        "name=\"utm_campaign\" value=\"spring\"",
        "name=\"referrer\" value=\"https://partner.example/post\"",
    ] {
        assert!(picker.contains(part), "{part:?} carried by the picker: {picker}");
    }
    // ... into the second step, whose own Referer is the form.
    let step =
        page_from("/?lang=en&referrer=https%3A%2F%2Fpartner.example%2Fpost&utm_source=news&matter=visa", app.url("/"))
            .await;
    assert!(step.contains("name=\"referrer\" value=\"https://partner.example/post\""), "the first arrival's referrer");
    assert!(step.contains("name=\"utm_source\" value=\"news\""));

    let step = app.client.get(app.url("/?matter=visa")).send().await.unwrap().text().await.unwrap();
    for part in [
        "name=\"first_name\"",
        "name=\"q.kind\"",
        "Which visa?",
        "name=\"matter_type\" value=\"visa\"",
        "name=\"form_version\" value=\"1\"",
    ] {
        assert!(step.contains(part), "{part:?} in the second step");
    }
    // (The page's data holds the whole form, for a choice made without a reload.)
    assert!(!step.contains("name=\"q.relative\""), "only the chosen type's questions are fields");

    // Refused: the page comes back with the errors and what was typed.
    let sent = [
        ("matter_type", "visa"),
        ("form_version", "1"),
        ("q.employer", "Acme <b>Corp</b>"),
        ("q.phone", "12"),
        ("q.story", "</textarea><script>x</script>"),
    ];
    let res = app.post_form("/", form_with("ada@example.com", &sent)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = res.text().await.unwrap();
    assert!(page.contains("Enter the number with its country code"), "the phone's error");
    assert!(
        page.contains("Acme &lt;b&gt;Corp") || page.contains("value=\"Acme <b>Corp</b>\""),
        "the answer kept, escaped"
    );
    assert!(page.contains("&lt;/textarea&gt;&lt;script&gt;"), "long text kept, escaped");
    assert!(!page.contains("<script>x</script>"));
    app.assert_nothing_stored().await;

    // Refused before the form is read (not a multipart body): with no matter
    // type chosen, the refusal is said above the picker, in the browser's language.
    let res = app
        .client
        .post(app.url("/"))
        .header("accept-language", "es")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("first_name=Ada")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"es\"") && page.contains("role=\"alert\""), "the refusal is shown");
    assert!(page.contains("¿Sobre qué trata su asunto?"));
    assert!(page.contains("No pudimos leer su formulario."), "the refusal in Spanish too");

    let res = app.post_form("/", form_with("ada@example.com", GOOD)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Thank you, Ada!"));
    assert_eq!(app.count("lead_answers").await, 1);
}

#[tokio::test]
async fn a_form_that_does_not_hold_together_is_refused_by_the_command() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let mut form = firm_form("Which visa?");
    form["matter_types"][0]["questions"][0]["choices"] = json!([{"key": "h1b", "label": {"en": "H1B"}}]);
    let file = app.data_dir.join("form.json");
    std::fs::write(&file, form.to_string()).unwrap();
    let (code, out) = app.cli(&["form", "set", file.to_str().unwrap(), "--by", ADMIN_EMAIL], "").await;
    assert_eq!(code, 1);
    assert!(out.contains("Employment-based visa → question 1: needs at least two choices"), "{out}");
    let (code, out) = app.cli(&["form", "set", file.to_str().unwrap(), "--by", ATTORNEY], "").await;
    assert_eq!(code, 1);
    assert!(out.contains("is not an admin account"), "{out}");
    assert_eq!(app.count("intake_forms").await, 0);
    let (code, out) = app.cli(&["form", "show"], "").await;
    assert_eq!(code, 0);
    assert!(out.contains("no intake form yet"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_reach_the_attorneys_email_the_api_webhooks_and_the_export() {
    use crate::webhooks::{Receiver, add_webhook};
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(sink.port)).await;
    let receiver = Receiver::start().await;
    let (_, secret) = add_webhook(&app, &receiver.url).await;
    receiver.trust(&secret);
    save_form(&app, &firm_form("Which visa?")).await;
    // A formula-looking answer: the export defuses it.
    let mut sent: Vec<(&str, &str)> = GOOD.to_vec();
    sent.retain(|(k, _)| *k != "q.employer");
    sent.push(("q.employer", "=HYPERLINK(\"http://evil\")"));
    let res = app.post_form("/api/leads", form_with("ada@example.com", &sent)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // Another matter type's lead: its row leaves the visa columns empty.
    let plain = app
        .post_form("/api/leads", form_with("bo@example.com", &[("matter_type", "family"), ("q.relative", "Sister")]))
        .await;
    assert_eq!(plain.status(), StatusCode::CREATED);

    // The attorneys' email: the questions as asked, the answers in words.
    let mail = sink.wait_for(4).await;
    let to_firm = mail.iter().find(|m| m.to == [ATTORNEY] && body_text(&m.data).contains("ada@example.com")).unwrap();
    let text = body_text(&to_firm.data);
    for part in ["Matter: Employment-based visa", "Which visa?", "H1B", "L1, O1", "Mexico (MX)", "+12025550143"] {
        assert!(text.contains(part), "{part:?} in the attorneys' email");
    }

    // The integrator API: the questions with the answers.
    let token = crate::conflicts::token(&app, "read").await;
    let view = api_json(&app, &token, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(view["answers"]["matter_type"], "Employment-based visa");
    assert_eq!(view["answers"]["form_version"], 1);
    assert_eq!(view["answers"]["answers"][0], json!({"question": "Which visa?", "answer": "H1B"}));

    // The webhook: lead.created carries the answers by key.
    let is_ada = |d: &crate::webhooks::Delivery| d.event_type == "lead.created" && d.event["lead"]["id"] == id.as_str();
    eventually("lead.created delivered", || {
        let r = receiver.clone();
        async move { r.accepted().iter().any(is_ada) }
    })
    .await;
    let deliveries = receiver.accepted();
    let created = deliveries.iter().find(|d| is_ada(d)).expect("lead.created");
    assert_eq!(created.event["intake"]["matter_type"], "visa");
    assert_eq!(created.event["intake"]["lang"], "en");
    assert_eq!(created.event["intake"]["answers"]["phone"], "+12025550143");

    // The export: a column per question of every version, formula-safe (a
    // phone number's leading + too, as a spreadsheet would read it as a formula).
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let csv = admin.get(app.url("/leads/export.csv")).send().await.unwrap().text().await.unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').split("\r\n");
    let header = lines.next().unwrap();
    assert!(
        header.ends_with(
            "\"Matter type\",\"Employment-based visa: Which visa?\",\"Employment-based visa: Any other visas held?\",\
         \"Employment-based visa: Employer\",\"Employment-based visa: Tell us more\",\
         \"Employment-based visa: Do you have a job offer?\",\"Employment-based visa: Start date\",\
         \"Employment-based visa: Phone\",\"Employment-based visa: Employer's website\",\
         \"Employment-based visa: Country of citizenship\",\"Employment-based visa: Offered salary\",\
         \"Family: Who is your relative?\""
        ),
        "{header}"
    );
    let ada = lines.clone().find(|l| l.contains("ada@example.com")).unwrap();
    assert!(ada.ends_with(
        "\"Employment-based visa\",\"H1B\",\"L1, O1\",\"'=HYPERLINK(\"\"http://evil\"\")\",\"Line one\nLine two\",\"Yes\",\
         \"2027-02-01\",\"'+12025550143\",\"https://acme.example/jobs\",\"Mexico (MX)\",\"95000\",\"\""
    ), "{ada}");
    let bo = lines.find(|l| l.contains("bo@example.com")).unwrap();
    assert!(bo.ends_with("\"Family\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"Sister\""), "{bo}");
}

#[tokio::test]
async fn consent_to_the_privacy_notice_is_recorded_with_the_version_it_was_given_to() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    let mut form = json!({"matter_types": [], "notice": {"text": {"en": "We keep your data for 2 years."}, "consent_required": true}});
    save_form(&app, &form).await;

    // Required and not given: refused, nothing stored.
    let res = app.post_form("/api/leads", lead_form("ada@example.com")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fields"]["consent"], "Tick the box to agree to the privacy notice.");
    app.assert_nothing_stored().await;
    // The form shows the notice and the box.
    let home = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("We keep your data for 2 years.") && home.contains("name=\"consent\""));

    let res = app.post_form("/api/leads", form_with("ada@example.com", &[("consent", "yes")])).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ada = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    // A new notice that is optional: a lead without consent is stored, and says so.
    form["notice"] = json!({"text": {"en": "We keep your data for 1 year."}, "consent_required": false});
    save_form(&app, &form).await;
    let res = app.post_form("/api/leads", lead_form("bo@example.com")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let bo = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    let db = app.db().await;
    let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT CAST(lead_id AS TEXT), form_version, consent_at FROM lead_answers ORDER BY form_version",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0.as_str(), rows[0].1), (ada.as_str(), 1), "Ada agreed to version 1's text");
    assert!(rows[0].2.is_some());
    assert_eq!((rows[1].0.as_str(), rows[1].1, rows[1].2), (bo.as_str(), 2, None));

    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get(app.url(&format!("/leads/{ada}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Privacy notice") && page.contains("data-consent=\"agreed\""),
        "the lead page shows the consent"
    );
    let page = admin.get(app.url(&format!("/leads/{bo}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-consent=\"none\""));
    let csv = admin.get(app.url("/leads/export.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.lines().next().unwrap().ends_with("\"Matter type\",\"Privacy notice agreed (UTC)\""), "{csv}");
    let bo_line = csv.lines().find(|l| l.contains("bo@example.com")).unwrap();
    assert!(bo_line.ends_with("\"\",\"\""), "{bo_line}");
    let ada_line = csv.lines().find(|l| l.contains("ada@example.com")).unwrap();
    assert!(ada_line.ends_with("Z\""), "a time: {ada_line}");
}

#[tokio::test]
async fn answers_are_bounded_one_by_one_and_all_together() {
    let app = TestApp::spawn(Options::smtp(free_port().await)).await;
    save_form(&app, &firm_form("Which visa?")).await;
    // One answer longer than any question allows: refused at that question, before it is all read.
    let res = app.post_form("/api/leads", form_with("ada@example.com", &[("q.story", &"x".repeat(30_000))])).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fields"]["answers"]["story"], "Use at most 5000 characters.");
    // Many answers (unknown keys included) past the total: refused as malformed.
    let chunk = "y".repeat(10_000);
    let many: Vec<(String, &str)> = (0..40).map(|i| (format!("q.k{i}"), chunk.as_str())).collect();
    let form = many.iter().fold(lead_form("ada@example.com"), |f, (k, v)| f.text(k.clone(), (*v).to_owned()));
    let res = app.post_form("/api/leads", form).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "malformed", "{body}");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn the_public_side_speaks_spanish_by_accept_language_or_by_choice_and_so_do_its_emails() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(sink.port)).await;
    let page = |path: &'static str, accept: &'static str| {
        let req = app.client.get(app.url(path)).header("accept-language", accept);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let es = page("/", "es-MX,es;q=0.9,en;q=0.5").await;
    assert!(es.contains("<html lang=\"es\""), "the document's language");
    for text in [
        "Cuéntenos sobre usted",
        "Nombre",
        "Apellidos",
        "Enviar",
        "name=\"lang\" value=\"es\"",
        "aria-current=\"true\" lang=\"es\"",
    ] {
        assert!(es.contains(text), "{text:?} in Spanish");
    }
    assert!(page("/?lang=es", "en-US").await.contains("Cuéntenos sobre usted"), "?lang= chooses");
    let en = page("/?lang=en", "es").await;
    assert!(en.contains("<html lang=\"en\"") && en.contains("Tell us about yourself"), "?lang= wins over the browser");
    assert!(page("/", "fr-FR, de;q=0.5").await.contains("Tell us about yourself"), "English otherwise");
    assert!(page("/login", "es").await.contains("<html lang=\"en\""), "the attorneys' side stays English");

    // Errors in the prospect's language, from the same checks.
    let form = Form::new().text("lang", "es").text("first_name", " ").text("last_name", "Ruiz").text("email", "ana@");
    let res = app.post_form("/api/leads", form.part("resume", file_part("cv.pdf", PDF.to_vec()))).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Corrija los 2 campos señalados.");
    assert_eq!(body["fields"]["first_name"], "Escriba su nombre.");
    assert_eq!(body["fields"]["email"], "Escriba un correo electrónico como nombre@ejemplo.com.");

    // Without JavaScript: the confirmation page, then the email, in Spanish.
    let form = Form::new()
        .text("lang", "es")
        .text("first_name", "Ana")
        .text("last_name", "Ruiz")
        .text("email", "ana@example.com");
    let res = app.post_form("/", form.part("resume", file_part("cv.pdf", PDF.to_vec()))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done = res.text().await.unwrap();
    assert!(done.contains("<html lang=\"es\"") && done.contains("¡Gracias, Ana!"), "confirmed in Spanish");
    let mail = sink.wait_for(2).await;
    let to_ana = mail.iter().find(|m| m.to == ["ana@example.com"]).expect("the confirmation");
    let text = body_text(&to_ana.data);
    assert!(text.contains("Estimado/a Ana Ruiz:") && text.contains("Hemos recibido sus datos"), "{text}");
    let to_firm = mail.iter().find(|m| m.to == [ATTORNEY]).unwrap();
    assert!(body_text(&to_firm.data).contains("A new lead was submitted."), "the firm's email stays English");
    let lang: String = sqlx::query_scalar("SELECT lang FROM lead_answers").fetch_one(&app.db().await).await.unwrap();
    assert_eq!(lang, "es", "the lead records its language");

    // Refusals that are not about a field come in Spanish too (the API's JSON keeps its English message).
    let mut big = PDF.to_vec();
    big.resize(3 * 1024 * 1024, b'x');
    // (Cut off before the form is read whole: the language is the sending page's, `/?lang=es`.)
    let form = Form::new().text("lang", "es").text("first_name", "Ana").text("last_name", "Ruiz");
    let form = form.text("email", "ana2@example.com").part("resume", file_part("cv.pdf", big));
    let res = app
        .client
        .post(app.url("/"))
        .header("referer", app.url("/?lang=es"))
        .header("accept-language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = res.text().await.unwrap();
    assert!(page.contains("El currículum es demasiado grande: el límite es 1 MiB."), "too large, in Spanish: {page}");
    assert!(!page.contains("The resume is too large"), "and not in English");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matter_type_may_make_the_resume_optional() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(Options::smtp(sink.port)).await;
    let mut form = firm_form("Which visa?");
    form["matter_types"][1]["resume_required"] = json!(false);
    save_form(&app, &form).await;
    let without_resume = |email: &str, matter: &[(&str, &str)]| {
        matter.iter().fold(
            Form::new().text("first_name", "Ada").text("last_name", "Lovelace").text("email", email.to_owned()),
            |f, (k, v)| f.text((*k).to_owned(), (*v).to_owned()),
        )
    };
    let family = [("matter_type", "family"), ("q.relative", "Sister")];

    // Where the resume is required, it is still asked for; nothing is stored.
    let res = app.post_form("/api/leads", without_resume("ada@example.com", GOOD)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["fields"]["resume"], "Choose your resume file to upload.", "{body}");
    app.assert_nothing_stored().await;
    // A file sent where it is optional is checked as any resume.
    let empty = without_resume("ada@example.com", &family).part("resume", file_part("cv.pdf", Vec::new()));
    let res = app.post_form("/api/leads", empty).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["fields"]["resume"], "The resume file is empty.");
    app.assert_nothing_stored().await;

    // Where it is optional: no part at all, or the empty unnamed part a browser sends.
    let res = app.post_form("/api/leads", without_resume("ada@example.com", &family)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let unnamed = without_resume("bo@example.com", &family).part("resume", file_part("", Vec::new()));
    assert_eq!(app.post_form("/api/leads", unnamed).await.status(), StatusCode::CREATED);
    // And a resume sent anyway is kept.
    let res = app.post_form("/api/leads", form_with("cy@example.com", &family)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let with = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    // Shown as absent everywhere; there is nothing to download.
    let token = crate::conflicts::token(&app, "read").await;
    let view = api_json(&app, &token, &format!("/api/v1/leads/{id}")).await;
    assert_eq!((&view["resume"], &view["lead"]["resume_file_name"]), (&Value::Null, &Value::Null), "{view}");
    assert_eq!(api_json(&app, &token, &format!("/api/v1/leads/{with}")).await["resume"]["file_name"], "ada cv.pdf");
    let res = app.client.get(app.url(&format!("/api/v1/leads/{id}/resume"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("None sent (optional for this matter type)"), "the lead's page says so");
    assert!(!page.contains("Download resume"));
    assert_eq!(
        admin.get(app.url(&format!("/leads/{id}/resume"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let mail = sink.wait_for(6).await;
    let to_firm = mail.iter().find(|m| m.to == [ATTORNEY] && body_text(&m.data).contains("ada@example.com")).unwrap();
    assert!(body_text(&to_firm.data).contains("Resume: none (optional for this matter type)"));
    let to_ada = mail.iter().find(|m| m.to == ["ada@example.com"]).unwrap();
    assert!(!body_text(&to_ada.data).contains("Resume:"), "the prospect's confirmation lists what they sent");
    let csv = admin.get(app.url("/leads/export.csv")).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "a row for each lead: {csv}");

    // The public form says which: required for the visa, optional for family.
    let optional = |html: &str| {
        let at = html.find(r#"for="resume""#).expect("the resume field");
        html[at..at + 200].contains("(optional)")
    };
    let visa = app.client.get(app.url("/?matter=visa")).send().await.unwrap().text().await.unwrap();
    let fam = app.client.get(app.url("/?matter=family")).send().await.unwrap().text().await.unwrap();
    assert!(!optional(&visa) && optional(&fam));

    // Erased without a file to delete.
    let form = [("id", id.as_str()), ("reason", "requested"), ("reference", "")];
    let res = admin.post(app.url("/api/internal/erase_lead")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(app.count("leads").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_question_takes_a_file_checked_by_content_downloaded_and_erased() {
    let app = TestApp::spawn(Options { smtp_port: None, vars: vec![], lease: None }).await;
    let q = |key: &str, kind: &str, label: &str, required: bool| json!({"key": key, "kind": kind, "label": {"en": label}, "help": {}, "required": required, "choices": []});
    let form = json!({"matter_types": [{"key": "visa", "name": {"en": "Visa"}, "resume_required": true, "questions": [
        q("employer", "short_text", "Employer", true),
        q("passport", "document", "Your passport", true),
        q("offer", "document", "The job offer", false),
    ]}]});
    save_form(&app, &form).await;
    let base = |email: &str| form_with(email, &[("q.employer", "Acme")]);
    let refused = |res: reqwest::Response| async move {
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        body["fields"]["answers"]["passport"].as_str().unwrap_or_default().to_owned()
    };

    // A required document: a file is needed, and a text part is not one.
    assert_eq!(refused(app.post_form("/api/leads", base("ada@example.com")).await).await, "Answer this question.");
    let text = base("ada@example.com").text("q.passport", "passport.pdf");
    assert_eq!(refused(app.post_form("/api/leads", text).await).await, "Answer this question.");
    // Checked by content, as the resume is.
    let empty = base("ada@example.com").part("q.passport", file_part("passport.pdf", Vec::new()));
    assert_eq!(refused(app.post_form("/api/leads", empty).await).await, "The file is empty.");
    let program = base("ada@example.com")
        .part("q.passport", file_part("passport.pdf", b"MZ\x90\x00\x03 not a document".to_vec()));
    assert!(
        refused(app.post_form("/api/leads", program).await).await.starts_with("This file's format is not accepted.")
    );
    app.assert_nothing_stored().await;
    // No more files than the form can ask for.
    let many = ["a", "b", "c"]
        .iter()
        .fold(base("ada@example.com"), |f, k| f.part(format!("q.{k}"), file_part("x.pdf", PDF.to_vec())));
    assert_eq!(app.post_form("/api/leads", many).await.status(), StatusCode::BAD_REQUEST);
    app.assert_nothing_stored().await;

    // A document has the resume's limit (1 MiB here), and is refused at its question when over it.
    let sized = |len: usize| {
        // A PDF of exactly `len` bytes, padded inside a comment.
        let trailer = b"\ntrailer<</Root 1 0 R>>\n%%EOF\n";
        let mut pdf = b"%PDF-1.4\n%".to_vec();
        pdf.resize(len - trailer.len(), b'x');
        pdf.extend_from_slice(trailer);
        pdf
    };
    let over = base("ada@example.com").part("q.passport", file_part("passport.pdf", sized(1024 * 1024 + 1)));
    let res = app.post_form("/api/leads", over).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["kind"], "too_large", "{body}");
    assert_eq!(body["fields"]["answers"]["passport"], "The file is too large: the limit is 1 MiB.", "{body}");
    assert!(body["fields"]["resume"].is_null(), "the resume was fine: {body}");
    app.assert_nothing_stored().await;
    assert_eq!(app.resume_files(), Vec::<std::path::PathBuf>::new(), "no staged file left");
    // Without JavaScript the page comes back with what was typed, read past the refused file.
    let no_js = Form::new()
        .text("first_name", "Ada")
        .text("last_name", "Lovelace")
        .text("email", "ada@example.com")
        .text("lang", "es")
        .text("q.employer", "Analytical Engines")
        .part("q.passport", file_part("passport.pdf", sized(1024 * 1024 + 1)))
        .part("resume", file_part("cv.pdf", PDF.to_vec()))
        .text("utm_source", "newsletter");
    let res = app.client.post(app.url("/")).multipart(no_js).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = res.text().await.unwrap();
    for kept in [
        r#"value="Ada""#,
        r#"value="ada@example.com""#,
        r#"value="Analytical Engines""#,
        r#"value="newsletter""#,
        "El archivo es demasiado grande: el límite es 1 MiB.",
    ] {
        assert!(page.contains(kept), "{kept} in the page again");
    }
    app.assert_nothing_stored().await;
    // Both documents at the limit: the whole body's bound counts every file the form may ask for.
    let full = base("full@example.com")
        .part("q.passport", file_part("passport.pdf", sized(1024 * 1024)))
        .part("q.offer", file_part("offer.pdf", sized(1024 * 1024)));
    let res = app.post_form("/api/leads", full).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let form = [("id", id.as_str()), ("reason", "requested"), ("reference", "")];
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = admin.post(app.url("/api/internal/erase_lead")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("leads").await, 0);
    assert_eq!(app.resume_files(), Vec::<std::path::PathBuf>::new());

    // Accepted: the file is kept (named by its format), a file for no document question is not.
    let sent = base("ada@example.com")
        .part("q.passport", file_part("my passport", PDF.to_vec()))
        .part("q.employer_letter", file_part("stray.pdf", PDF.to_vec()));
    let res = app.post_form("/api/leads", sent).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.resume_files().len(), 2, "the resume and the passport, nothing else");
    let token = crate::conflicts::token(&app, "read").await;
    let view = api_json(&app, &token, &format!("/api/v1/leads/{id}")).await;
    let answers = view["answers"]["answers"].as_array().unwrap();
    let passport = answers.iter().find(|a| a["question"] == "Your passport").unwrap();
    assert_eq!((&passport["answer"], &passport["document"]), (&json!("my passport.pdf"), &json!("passport")), "{view}");
    let offer = answers.iter().find(|a| a["question"] == "The job offer").unwrap();
    assert_eq!((&offer["answer"], offer.get("document")), (&json!("(not answered)"), None));
    let file = |path: String, token: String| {
        let app = &app;
        async move { app.client.get(app.url(&path)).bearer_auth(token).send().await.unwrap() }
    };
    let res = file(format!("/api/v1/leads/{id}/documents/passport"), token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(
        file(format!("/api/v1/leads/{id}/documents/offer"), token.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        file(format!("/api/v1/leads/{id}/documents/passport"), "wrong".into()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let admin = app.logged_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get(app.url(&format!("/leads/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("/leads/{id}/documents/passport")), "the lead's page links the file");
    let res = admin.get(app.url(&format!("/leads/{id}/documents/passport"))).send().await.unwrap();
    assert_eq!((res.status(), res.bytes().await.unwrap().as_ref()), (StatusCode::OK, PDF));
    let anonymous = app.browser().get(app.url(&format!("/leads/{id}/documents/passport"))).send().await.unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK, "behind a session");

    // Erased with the lead: the row, and the file on disk.
    let form = [("id", id.as_str()), ("reason", "requested"), ("reference", "")];
    let res = admin.post(app.url("/api/internal/erase_lead")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_eq!(app.count("lead_documents").await, 0);
    assert_eq!(app.count("erased_files").await, 0, "its file is deleted, so nothing is pending");
    assert_eq!(app.resume_files(), Vec::<std::path::PathBuf>::new());
}
