//! The two messages sent for every new lead.

use super::escape_html;
use crate::server::{config::Config, db::NewLead, db::NewMessage};
use uuid::Uuid;

/// Kind of the message to the prospect.
pub const PROSPECT_CONFIRMATION: &str = "prospect_confirmation";
/// Kind of the message to the firm's attorneys.
pub const ATTORNEY_NOTIFICATION: &str = "attorney_notification";

/// The messages to queue for `lead`: the confirmation, plus the notification
/// when attorneys are configured.
pub fn messages_for(config: &Config, lead: &NewLead) -> Vec<NewMessage> {
    let mut out = vec![prospect_confirmation(config, lead)];
    if !config.notify_emails.is_empty() {
        out.push(attorney_notification(config, lead));
    }
    out
}

fn prospect_confirmation(config: &Config, lead: &NewLead) -> NewMessage {
    let firm = &config.firm_name;
    let subject = format!("We received your details — {firm}");
    let body_text = format!(
        "Dear {first} {last},\n\n\
         Thank you for contacting {firm}. We have received your details:\n\n\
         Name:   {first} {last}\n\
         Email:  {email}\n\
         Resume: {file} ({size})\n\n\
         What happens next: an attorney will review your information and contact you at this \
         address. You do not need to submit the form again.\n\n\
         If you did not submit this form, you can ignore this message.\n\n\
         — {firm}\n",
        first = lead.first_name,
        last = lead.last_name,
        email = lead.email,
        file = lead.resume.file_name,
        size = crate::domain::human_bytes(lead.resume.size as u64),
    );
    let body_html = html_page(
        &format!("Thank you, {}", escape_html(&lead.first_name)),
        &format!(
            "<p>Thank you for contacting {firm}. We have received your details:</p>{table}\
             <p><strong>What happens next:</strong> an attorney will review your information and \
             contact you at this address. You do not need to submit the form again.</p>\
             <p style=\"color:#555\">If you did not submit this form, you can ignore this message.</p>",
            firm = escape_html(firm),
            table = details_table(lead),
        ),
        firm,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: PROSPECT_CONFIRMATION,
        recipients: mailbox_string(&format!("{} {}", lead.first_name, lead.last_name), &lead.email),
        reply_to: None,
        subject,
        body_text,
        body_html,
    }
}

fn attorney_notification(config: &Config, lead: &NewLead) -> NewMessage {
    let link = format!("{}/leads/{}", config.public_url, lead.id);
    let subject = format!("New lead: {} {}", lead.first_name, lead.last_name);
    let body_text = format!(
        "A new lead was submitted.\n\n\
         Name:   {first} {last}\n\
         Email:  {email}\n\
         Resume: {file} ({size})\n\n\
         Open the lead: {link}\n",
        first = lead.first_name,
        last = lead.last_name,
        email = lead.email,
        file = lead.resume.file_name,
        size = crate::domain::human_bytes(lead.resume.size as u64),
    );
    let body_html = html_page(
        "New lead",
        &format!(
            "<p>A new lead was submitted.</p>{table}\
             <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 16px;background:#1d4ed8;\
             color:#fff;border-radius:6px;text-decoration:none\">Open the lead</a></p>",
            table = details_table(lead),
            link = escape_html(&link),
        ),
        &config.firm_name,
    );
    NewMessage {
        id: Uuid::now_v7(),
        kind: ATTORNEY_NOTIFICATION,
        recipients: config.notify_emails.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        reply_to: Some(mailbox_string(&format!("{} {}", lead.first_name, lead.last_name), &lead.email)),
        subject,
        body_text,
        body_html,
    }
}

/// `"Name" <addr>` with the display name quoted, so commas or angle brackets
/// in a name cannot add recipients.
fn mailbox_string(name: &str, email: &str) -> String {
    let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{quoted}\" <{email}>")
}

fn details_table(lead: &NewLead) -> String {
    let row = |k: &str, v: &str| {
        format!("<tr><th align=\"left\" style=\"padding:4px 12px 4px 0\">{k}</th><td>{}</td></tr>", escape_html(v))
    };
    format!(
        "<table role=\"presentation\" style=\"border-collapse:collapse\">{}{}{}</table>",
        row("Name", &format!("{} {}", lead.first_name, lead.last_name)),
        row("Email", &lead.email),
        row("Resume", &format!("{} ({})", lead.resume.file_name, crate::domain::human_bytes(lead.resume.size as u64))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::ResumeMeta;
    use std::collections::HashMap;

    fn lead(first: &str) -> NewLead {
        NewLead {
            id: Uuid::now_v7(),
            first_name: first.into(),
            last_name: "O'Brien".into(),
            email: "p@example.com".into(),
            email_normalized: "p@example.com".into(),
            created_at: 0,
            resume: ResumeMeta {
                file_name: "cv <1>.pdf".into(),
                content_type: "application/pdf".into(),
                size: 2048,
                sha256: String::new(),
                key: String::new(),
            },
        }
    }

    #[test]
    fn escapes_user_text_in_html_and_links_the_lead() {
        let vars: HashMap<_, _> = [("INTAKE_NOTIFY_EMAIL".to_string(), "a@firm.com".to_string())].into();
        let config = Config::from_vars(&vars).unwrap();
        let l = lead("<script>alert(1)</script>");
        let msgs = messages_for(&config, &l);
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
    fn no_notification_without_attorneys() {
        let config = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(messages_for(&config, &lead("Jane")).len(), 1);
    }

    #[test]
    fn names_cannot_forge_recipients() {
        let m = mailbox_string("Eve\", <x@evil.com", "p@example.com");
        let parsed: lettre::message::Mailbox = m.parse().unwrap();
        assert_eq!(parsed.email.to_string(), "p@example.com");
    }
}
