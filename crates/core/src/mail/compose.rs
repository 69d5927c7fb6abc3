//! The two messages sent for every new lead.

use super::escape_html;
use crate::config::Config;
use intake_domain::{
    i18n::Msg,
    listing::LeadSummary,
    questions::{Lang, LeadAnswers},
};
use intake_store::{Attorney, NewLead, NewMessage};
use uuid::Uuid;

/// Kind of the message to the prospect.
pub const PROSPECT_CONFIRMATION: &str = "prospect_confirmation";
/// Kind of the message to the firm's attorneys.
pub const ATTORNEY_NOTIFICATION: &str = "attorney_notification";
/// Kind of the message telling an attorney a lead is theirs.
pub const ASSIGNMENT: &str = "assignment";
/// Kind of the daily message listing an attorney's overdue leads.
pub const DIGEST: &str = "follow_up_digest";
/// Kind of the invitation to set a first password.
pub const INVITATION: &str = "invitation";
/// Kind of the link to set a new password.
pub const PASSWORD_RESET: &str = "password_reset";
/// Kind of the message telling an account a browser it never used signed in.
pub const NEW_SIGN_IN: &str = "new_sign_in";
/// Kind of the message telling an account an administrator reset its two-step sign-in.
pub const SECOND_FACTOR_RESET: &str = "second_factor_reset";
pub const PASSKEY_ADDED: &str = "passkey_added";
/// Kind of the reply to a prospect who submitted the form again.
pub const ALREADY_RECEIVED: &str = "already_received";

/// Stands for a one-time link's secret in a stored email: the secret is
/// made when the email is sent, put in its place, and never stored.
pub const LINK_SECRET: &str = "LINK-SECRET-ADDED-WHEN-SENT";

/// To the owner of an address that submitted the form again: their earlier
/// submission is with the firm, nothing more is needed. Only the address's
/// owner reads it; the web page answers the same as for anyone.
pub fn already_received(config: &Config, email: &str, first_submitted: i64, lang: Lang) -> NewMessage {
    let firm = config.site.firm_name.as_str();
    let when = intake_domain::time::format_utc(first_submitted);
    let intro = lang.fill(Msg::AgainIntro, &[("firm", firm), ("when", when.as_str())]);
    let after = lang.text(Msg::AgainAfter);
    NewMessage {
        id: Uuid::now_v7(),
        kind: ALREADY_RECEIVED,
        recipients: email.to_owned(),
        reply_to: None,
        subject: lang.fill(Msg::AgainSubject, &[("firm", firm)]),
        body_text: format!("{}\n\n{intro}\n\n{after}\n\n— {firm}\n", lang.text(Msg::AgainHello)),
        body_html: html_page(
            &escape_html(lang.text(Msg::AgainHeading)),
            &format!("<p>{}</p><p style=\"color:#555\">{}</p>", escape_html(&intro), escape_html(after)),
            firm,
        ),
        link_id: None,
    }
}

/// The messages to queue for `lead`: the confirmation, plus the notification
/// when attorneys are configured.
/// `answers`: the firm's questions as the prospect answered them (for the attorneys).
pub fn messages_for(config: &Config, lead: &NewLead, answers: Option<&LeadAnswers>) -> Vec<NewMessage> {
    let mut out = vec![prospect_confirmation(config, lead)];
    if !config.mail.notify_emails.is_empty() {
        out.push(attorney_notification(config, lead, answers));
    }
    out
}

/// The confirmation, in the language the prospect used (`locales/*.ftl`).
fn prospect_confirmation(config: &Config, lead: &NewLead) -> NewMessage {
    let firm = &config.site.firm_name;
    let lang = lead.intake.as_ref().map(|i| i.lang).unwrap_or_default();
    let name = format!("{} {}", lead.first_name, lead.last_name);
    let file = resume_line(lead);
    let t = |m: Msg| lang.text(m);
    let mut fields = vec![(t(Msg::MailName), name.as_str()), (t(Msg::MailEmail), lead.email.as_str())];
    if let Some(file) = &file {
        fields.push((t(Msg::MailResume), file));
    }
    let width = fields.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 1;
    let lines: String = fields.iter().map(|(k, v)| format!("{:<width$} {v}\n", format!("{k}:"))).collect();
    let body_text = format!(
        "{dear}\n\n{thanks}\n\n{lines}\n{next}\n\n{not_you}\n\n{erase}\n\n— {firm}\n",
        dear = lang.fill(Msg::MailDear, &[("name", name.as_str())]),
        thanks = lang.fill(Msg::MailThanks, &[("firm", firm.as_str())]),
        next = t(Msg::MailNext),
        not_you = t(Msg::MailNotYou),
        erase = t(Msg::MailErase),
    );
    let body_html = html_page(
        &escape_html(&lang.fill(Msg::MailHeading, &[("name", lead.first_name.as_str())])),
        &format!(
            "<p>{thanks}</p>{table}<p>{next}</p><p style=\"color:#555\">{not_you}</p><p style=\"color:#555\">{erase}</p>",
            thanks = escape_html(&lang.fill(Msg::MailThanks, &[("firm", firm.as_str())])),
            table = rows_table(&fields),
            next = escape_html(t(Msg::MailNext)),
            not_you = escape_html(t(Msg::MailNotYou)),
            erase = escape_html(t(Msg::MailErase)),
        ),
        firm,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: PROSPECT_CONFIRMATION,
        recipients: mailbox_string(&name, lead.email.as_str()),
        reply_to: None,
        subject: lang.fill(Msg::MailSubject, &[("firm", firm.as_str())]),
        body_text,
        body_html,
        link_id: None,
    }
}

fn attorney_notification(config: &Config, lead: &NewLead, answers: Option<&LeadAnswers>) -> NewMessage {
    let link = format!("{}/leads/{}", config.site.public_url, lead.id);
    let subject = format!("New lead: {} {}", lead.first_name, lead.last_name);
    // The firm's questions, as asked, with the answers (long text indented under its question).
    let (answers_text, answers_html) = match answers {
        None => (String::new(), String::new()),
        Some(a) => {
            let text: String =
                a.answers.iter().map(|x| format!("{}\n  {}\n", x.question, x.answer.replace('\n', "\n  "))).collect();
            let mut rows: Vec<(&str, &str)> =
                a.answers.iter().map(|x| (x.question.as_str(), x.answer.as_str())).collect();
            let consent = match (a.notice, a.consent_at) {
                (false, _) => None,
                (true, Some(_)) => Some("agreed"),
                (true, None) => Some("not agreed"),
            };
            let consent_text = consent.map(|c| format!("Privacy notice: {c}\n")).unwrap_or_default();
            if let Some(c) = consent {
                rows.push(("Privacy notice", c));
            }
            let matter = a.matter_type.as_deref().unwrap_or("(none)");
            (
                format!("Matter: {matter}\n\n{text}{consent_text}\n"),
                format!("<h2 style=\"font-size:16px\">Matter: {}</h2>{}", escape_html(matter), rows_table(&rows)),
            )
        }
    };
    let body_text = format!(
        "A new lead was submitted.\n\n\
         Name:   {first} {last}\n\
         Email:  {email}\n\
         Resume: {file}\n\n\
         {answers_text}\
         Open the lead: {link}\n",
        first = lead.first_name,
        last = lead.last_name,
        email = lead.email,
        file = resume_line(lead).as_deref().unwrap_or(NO_RESUME),
    );
    let body_html = html_page(
        "New lead",
        &format!(
            "<p>A new lead was submitted.</p>{table}{answers_html}\
             <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 16px;background:#1d4ed8;\
             color:#fff;border-radius:6px;text-decoration:none\">Open the lead</a></p>",
            table = details_table(lead),
            link = escape_html(&link),
        ),
        &config.site.firm_name,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: ATTORNEY_NOTIFICATION,
        recipients: config.mail.notify_emails.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        reply_to: Some(mailbox_string(&format!("{} {}", lead.first_name, lead.last_name), lead.email.as_str())),
        subject,
        body_text,
        body_html,
        link_id: None,
    }
}

/// Tells `to` that `by` gave them `lead`.
pub fn assignment(config: &Config, lead: &LeadSummary, to: &Attorney, by: &str) -> NewMessage {
    let link = format!("{}/leads/{}", config.site.public_url, lead.id);
    let name = format!("{} {}", lead.first_name, lead.last_name);
    let subject = format!("Lead assigned to you: {name}");
    let body_text = format!(
        "{by} assigned a lead to you.\n\n\
         Name:  {name}\n\
         Email: {email}\n\n\
         Open the lead: {link}\n",
        email = lead.email,
    );
    let body_html = html_page(
        "A lead for you",
        &format!(
            "<p>{by} assigned a lead to you.</p>{table}{button}",
            by = escape_html(by),
            table = rows_table(&[("Name", &name), ("Email", lead.email.as_str())]),
            button = button(&link, "Open the lead"),
        ),
        &config.site.firm_name,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: ASSIGNMENT,
        recipients: mailbox_string(&to.display_name, &to.email),
        reply_to: None,
        subject,
        body_text,
        body_html,
        link_id: None,
    }
}

/// An invitation (or a password reset) for `to`, sent by `by`, with the
/// one-time link `url` that works for `ttl`. The URL holds [`LINK_SECRET`]
/// where the secret goes: the sender makes link `link_id`'s secret then.
pub fn account_link(
    config: &Config,
    to: &Attorney,
    by: &str,
    url: &str,
    link_id: Uuid,
    purpose: intake_domain::accounts::LinkPurpose,
    ttl: std::time::Duration,
) -> NewMessage {
    use intake_domain::accounts::LinkPurpose;
    let hours = ttl.as_secs() / 3600;
    let valid = match hours {
        0 => format!("{} minutes", ttl.as_secs() / 60),
        h if h % 24 == 0 => format!("{} day{}", h / 24, if h == 24 { "" } else { "s" }),
        h => format!("{h} hour{}", if h == 1 { "" } else { "s" }),
    };
    let firm = &config.site.firm_name;
    let (kind, subject, heading, intro, action) = match purpose {
        LinkPurpose::Invite => (
            INVITATION,
            format!("You are invited to Intake — {firm}"),
            "Welcome to Intake",
            format!(
                "{by} invited you to {firm}'s Intake, where the firm's leads arrive. Your account is {}.",
                to.email
            ),
            "Set your password",
        ),
        LinkPurpose::Reset => (
            PASSWORD_RESET,
            format!("Set a new Intake password — {firm}"),
            "A new password",
            format!("{by} sent you a link to set a new password for your Intake account ({}).", to.email),
            "Set a new password",
        ),
    };
    let body_text = format!(
        "{intro}\n\n{action}: {url}\n\n\
         The link works once, for {valid}. If you did not expect this email, you can ignore it.\n"
    );
    let body_html = html_page(
        heading,
        &format!(
            "<p>{}</p>{}<p style=\"color:#555\">The link works once, for {valid}. If you did not expect this \
             email, you can ignore it.</p>",
            escape_html(&intro),
            button(url, action),
        ),
        firm,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind,
        recipients: mailbox_string(&to.display_name, &to.email),
        reply_to: None,
        subject,
        body_text,
        body_html,
        link_id: Some(link_id),
    }
}

/// Tells `to` that a browser the account never used signed in: which, from
/// where and when, and what to do if it was not them.
pub fn new_sign_in(config: &Config, to: &Attorney, device: &str, address: &str, at: i64) -> NewMessage {
    let firm = &config.site.firm_name;
    let when = intake_domain::time::format_utc(at);
    let account = format!("{}/account", config.site.public_url);
    let subject = format!("New sign-in to your Intake account — {firm}");
    let advice = "If this was you, there is nothing to do. If it was not, sign in, end that browser's session                   on your account page, change your password, and tell your administrator.";
    let body_text = format!(
        "Your Intake account ({email}) was signed in from a browser it had not used before.

         Browser: {device}
         Address: {address}
         When:    {when}

         {advice}

Your account page: {account}
",
        email = to.email,
    );
    let body_html = html_page(
        "A new sign-in",
        &format!(
            "<p>Your Intake account ({email}) was signed in from a browser it had not used before.</p>{table}\
             <p>{advice}</p>{button}",
            email = escape_html(&to.email),
            table = rows_table(&[("Browser", device), ("Address", address), ("When", &when)]),
            button = button(&account, "Open your account page"),
        ),
        firm,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: NEW_SIGN_IN,
        recipients: mailbox_string(&to.display_name, &to.email),
        reply_to: None,
        subject,
        body_text,
        body_html,
        link_id: None,
    }
}

/// Tells `to` that administrator `by` turned off their two-step sign-in and
/// signed them out: their password alone signs in until they add an app again.
pub fn second_factor_reset(config: &Config, to: &Attorney, by: &str) -> NewMessage {
    let firm = &config.site.firm_name;
    let account = format!("{}/account", config.site.public_url);
    let subject = format!("Your two-step sign-in was reset — {firm}");
    let intro = format!(
        "{by} removed the second factors of your Intake account ({}): its authenticator app, recovery codes and \
         passkeys. You are signed out everywhere.",
        to.email
    );
    let next = "Sign in with your password and add an app or a passkey again on your account page. If you did \
                not ask for this, tell your administrator at once.";
    let body_text = format!("{intro}\n\n{next}\n\nYour account page: {account}\n");
    let body_html = html_page(
        "Two-step sign-in reset",
        &format!("<p>{}</p><p>{next}</p>{}", escape_html(&intro), button(&account, "Open your account page")),
        firm,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: SECOND_FACTOR_RESET,
        recipients: mailbox_string(&to.display_name, &to.email),
        reply_to: None,
        subject,
        body_text,
        body_html,
        link_id: None,
    }
}

/// The daily digest for `to`: their overdue leads and the unassigned ones
/// (each list cut at `shown`, with the full counts).
///
/// It names no prospect: one message about many leads cannot be erased
/// with any one of them, so each lead is a link and a time, and the
/// attorney sees who it is after logging in.
pub fn digest(
    config: &Config,
    to: &Attorney,
    mine: &[LeadSummary],
    mine_total: i64,
    unassigned: &[LeadSummary],
    unassigned_total: i64,
    now: i64,
) -> NewMessage {
    let link = |id: Option<uuid::Uuid>| match id {
        Some(id) => format!("{}/leads/{id}", config.site.public_url),
        None => format!("{}/leads?state=overdue", config.site.public_url),
    };
    let mut text = format!("Leads past their follow-up deadline, as of {}.\n", intake_domain::time::format_utc(now));
    let mut html = String::new();
    for (title, leads, total, view) in [
        ("Assigned to you", mine, mine_total, "owner=me"),
        ("Not assigned to anyone", unassigned, unassigned_total, "owner=none"),
    ] {
        if total == 0 {
            continue;
        }
        text.push_str(&format!("\n{title} ({total}):\n"));
        html.push_str(&format!("<h2 style=\"font-size:16px\">{title} ({total})</h2><ul>"));
        for l in leads {
            let submitted = intake_domain::time::format_utc(l.created_at);
            let since = intake_domain::time::relative(l.created_at, now).replace(" ago", "");
            text.push_str(&format!("- A lead submitted {submitted}, waiting {since}: {}\n", link(Some(l.id))));
            html.push_str(&format!(
                "<li><a href=\"{}\">A lead submitted {}</a>, waiting {since}</li>",
                escape_html(&link(Some(l.id))),
                escape_html(&submitted),
            ));
        }
        html.push_str("</ul>");
        let all = format!("{}&{view}", link(None));
        if total > leads.len() as i64 {
            text.push_str(&format!("  … and {} more: {all}\n", total - leads.len() as i64));
            html.push_str(&format!("<p>… and {} more.</p>", total - leads.len() as i64));
        }
        html.push_str(&button(&all, "Open these leads"));
    }
    NewMessage {
        id: Uuid::now_v7(),
        kind: DIGEST,
        recipients: mailbox_string(&to.display_name, &to.email),
        reply_to: None,
        subject: format!("Overdue leads: {}", mine_total + unassigned_total),
        body_text: text,
        body_html: html_page("Leads waiting for a follow-up", &html, &config.site.firm_name),
        link_id: None,
    }
}

fn rows_table(rows: &[(&str, &str)]) -> String {
    let mut out = String::from("<table role=\"presentation\" style=\"border-collapse:collapse\">");
    for (k, v) in rows {
        out.push_str(&format!(
            "<tr><th align=\"left\" valign=\"top\" style=\"padding:4px 12px 4px 0\">{}</th>\
             <td style=\"white-space:pre-line\">{}</td></tr>",
            escape_html(k),
            escape_html(v)
        ));
    }
    out.push_str("</table>");
    out
}

fn button(link: &str, label: &str) -> String {
    format!(
        "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#1d4ed8;\
         color:#fff;border-radius:6px;text-decoration:none\">{label}</a></p>",
        escape_html(link)
    )
}

/// `"Name" <addr>` with the display name quoted, so commas or angle brackets
/// in a name cannot add recipients.
fn mailbox_string(name: &str, email: &str) -> String {
    let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{quoted}\" <{email}>")
}

/// What the attorneys' email says of a lead without a resume.
const NO_RESUME: &str = "none (optional for this matter type)";

/// "cv.pdf (12 KB)"; `None` without a resume.
fn resume_line(lead: &NewLead) -> Option<String> {
    lead.resume.as_ref().map(|r| format!("{} ({})", r.file_name, intake_domain::human_bytes(r.size as u64)))
}

fn details_table(lead: &NewLead) -> String {
    let row = |k: &str, v: &str| {
        format!("<tr><th align=\"left\" style=\"padding:4px 12px 4px 0\">{k}</th><td>{}</td></tr>", escape_html(v))
    };
    format!(
        "<table role=\"presentation\" style=\"border-collapse:collapse\">{}{}{}</table>",
        row("Name", &format!("{} {}", lead.first_name, lead.last_name)),
        row("Email", lead.email.as_str()),
        row("Resume", resume_line(lead).as_deref().unwrap_or(NO_RESUME)),
    )
}

fn html_page(heading: &str, body: &str, firm: &str) -> String {
    format!(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#111;line-height:1.5\">\
         <h1 style=\"font-size:20px\">{heading}</h1>{body}\
         <p style=\"color:#555\">— {firm}</p></body></html>",
        firm = escape_html(firm)
    )
}

/// Tells `to` a passkey named `name` was added to their account: a passkey
/// signs in alone, so one added by someone else must not go unnoticed.
pub fn passkey_added(config: &Config, to: &Attorney, name: &str, at: i64) -> NewMessage {
    let firm = &config.site.firm_name;
    let when = intake_domain::time::format_utc(at);
    let account = format!("{}/account", config.site.public_url);
    let subject = format!("A passkey was added to your Intake account — {firm}");
    let advice = "If this was you, there is nothing to do. If it was not, sign in, remove it on your account page, \
                  sign out every other browser, change your password, and tell your administrator.";
    let intro = format!("A passkey was added to your Intake account ({}). It can sign in to it on its own.", to.email);
    let body_text = format!("{intro}\n\nName: {name}\nWhen: {when}\n\n{advice}\n\nYour account page: {account}\n");
    let body_html = html_page(
        "A passkey was added",
        &format!(
            "<p>{}</p>{}<p>{advice}</p>{}",
            escape_html(&intro),
            rows_table(&[("Name", name), ("When", &when)]),
            button(&account, "Open your account page"),
        ),
        firm,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: PASSKEY_ADDED,
        recipients: mailbox_string(&to.display_name, &to.email),
        reply_to: None,
        subject,
        body_text,
        body_html,
        link_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intake_domain::{Email, PersonName};
    use intake_store::ResumeMeta;
    use std::collections::HashMap;

    fn lead(first: &str) -> NewLead {
        NewLead {
            id: Uuid::now_v7(),
            first_name: PersonName::parse(first, "First name").unwrap(),
            last_name: PersonName::parse("O'Brien", "Last name").unwrap(),
            email: Email::parse("p@example.com").unwrap(),
            created_at: 0,
            resume: Some(ResumeMeta {
                file_name: "cv <1>.pdf".into(),
                content_type: "application/pdf".into(),
                size: 2048,
                sha256: String::new(),
                key: String::new(),
            }),
            documents: Vec::new(),
            intake: None,
            origin: Default::default(),
        }
    }

    #[test]
    fn escapes_user_text_in_html_and_links_the_lead() {
        let vars: HashMap<_, _> = [("INTAKE_NOTIFY_EMAIL".to_string(), "a@firm.com".to_string())].into();
        let config = Config::from_vars(&vars).unwrap();
        let l = lead("<script>alert(1)</script>");
        let msgs = messages_for(&config, &l, None);
        assert_eq!(msgs.len(), 2);
        for m in &msgs {
            assert!(!m.body_html.contains("<script>"), "{}", m.kind);
            assert!(m.body_html.contains("&lt;script&gt;"));
            assert!(m.body_text.contains("<script>alert(1)</script>"));
            assert!(m.body_html.contains("cv &lt;1&gt;.pdf"));
        }
        assert!(msgs[1].body_text.contains(&format!("http://127.0.0.1:3000/leads/{}", l.id)));
        assert_eq!(msgs[1].recipients, "a@firm.com");
        assert!(msgs[0].recipients.ends_with("<p@example.com>"));
    }

    #[test]
    fn the_attorneys_see_the_answers_as_asked_escaped() {
        use intake_domain::questions::{Lang, ShownAnswer};
        let vars: HashMap<_, _> = [("INTAKE_NOTIFY_EMAIL".to_string(), "a@firm.com".to_string())].into();
        let config = Config::from_vars(&vars).unwrap();
        let answers = LeadAnswers {
            matter_type: Some("Employment-based visa".into()),
            form_version: 3,
            lang: Lang::Es,
            notice: true,
            consent_at: Some(1),
            answers: vec![
                ShownAnswer { question: "Which <visa>?".into(), answer: "H-1B".into(), document: None },
                ShownAnswer {
                    question: "Anything else?".into(),
                    answer: "Line one\n<b>two</b>".into(),
                    document: None,
                },
            ],
        };
        let msgs = messages_for(&config, &lead("Jane"), Some(&answers));
        let to_firm = msgs.iter().find(|m| m.kind == ATTORNEY_NOTIFICATION).unwrap();
        assert!(to_firm.body_text.contains("Matter: Employment-based visa\n\nWhich <visa>?\n  H-1B\nAnything else?\n  Line one\n  <b>two</b>\nPrivacy notice: agreed\n"), "{}", to_firm.body_text);
        assert!(
            to_firm.body_html.contains("Which &lt;visa&gt;?")
                && to_firm.body_html.contains("Line one\n&lt;b&gt;two&lt;/b&gt;")
        );
        let to_prospect = msgs.iter().find(|m| m.kind == PROSPECT_CONFIRMATION).unwrap();
        assert!(!to_prospect.body_text.contains("H-1B"), "the prospect's confirmation stays as it was");
    }

    #[test]
    fn no_notification_without_attorneys() {
        let config = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(messages_for(&config, &lead("Jane"), None).len(), 1);
    }

    #[test]
    fn names_cannot_forge_recipients() {
        let m = mailbox_string("Eve\", <x@evil.com", "p@example.com");
        let parsed: lettre::message::Mailbox = m.parse().unwrap();
        assert_eq!(parsed.email.to_string(), "p@example.com");
    }
}
