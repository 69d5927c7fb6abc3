//! `WebhookStore`: endpoints added and removed; each lead change queues one
//! delivery per live endpoint; a removed endpoint's waiting deliveries are given up.

use crate::harness::{add_lead, email_claim, new_lead};
use intake_store::{Db, MessageStatus, NewLead, Secret, WebhookEndpoint, outbox::Channel, outbox::Claim};
use uuid::Uuid;

/// When the test's leads arrive (and their deliveries are due).
const T: i64 = 1_700_000_000_000;

contract! {
    /// Endpoints are listed newest first, removed ones too, with their secrets.
    endpoints_are_listed_newest_first,
    |db: Db| async move {
        let (a, b) = (endpoint("https://a.test/hook", 1_000), endpoint("https://b.test/hook", 2_000));
        db.webhooks().add_endpoint(&a).await.unwrap();
        db.webhooks().add_endpoint(&b).await.unwrap();
        assert!(db.webhooks().remove_endpoint(a.id, 3_000).await.unwrap());
        let listed = db.webhooks().list_endpoints().await.unwrap();
        let seen: Vec<_> =
            listed.iter().map(|e| (e.id, e.url.as_str(), e.secret.expose(), e.created_at, e.removed_at)).collect();
        assert_eq!(seen, [
            (b.id, "https://b.test/hook", "whsec-https://b.test/hook", 2_000, None),
            (a.id, "https://a.test/hook", "whsec-https://a.test/hook", 1_000, Some(3_000)),
        ]);
    }
}

contract! {
    /// A new lead queues one delivery per live endpoint, claimed by that endpoint's sender only.
    a_change_is_queued_to_every_live_endpoint,
    |db: Db| async move {
        let (a, b) = (endpoint("https://a.test/hook", 1_000), endpoint("https://b.test/hook", 2_000));
        db.webhooks().add_endpoint(&a).await.unwrap();
        db.webhooks().add_endpoint(&b).await.unwrap();
        let lead = NewLead { created_at: T, ..new_lead("ada@example.com") };
        let event = db.leads().insert(&lead, &[]).await.unwrap();
        let queued_now = deliveries(&db, lead.id).await;
        let mut seen: Vec<_> =
            queued_now.into_iter().map(|d| (d.endpoint_id, d.kind, d.recipients, d.status)).collect();
        seen.sort();
        let queued = |e: &WebhookEndpoint| (Some(e.id), "lead.created".to_owned(), e.url.clone(), "QUEUED".to_owned());
        assert_eq!(seen, [queued(&a), queued(&b)]);
        assert!(db.outbox().due_endpoints(T - 1, 10).await.unwrap().is_empty(), "not due yet");
        let mut due = db.outbox().due_endpoints(T, 10).await.unwrap();
        due.sort();
        assert_eq!(due, [a.id, b.id]);

        let to_a = Claim { channel: Channel::Webhook, endpoint: Some(a.id), ..email_claim(Uuid::now_v7(), T) };
        let got = db.outbox().claim_due(&to_a).await.unwrap();
        assert_eq!(got.len(), 1, "only a's delivery");
        let d = &got[0];
        assert_eq!((d.endpoint_id, d.lead_id), (Some(a.id), Some(lead.id)));
        assert_eq!((d.kind.as_str(), d.recipients.as_str()), ("lead.created", "https://a.test/hook"));
        let body: serde_json::Value = serde_json::from_str(&d.body_text).expect("a JSON body");
        assert_eq!(body["id"], serde_json::json!(event.id), "the event's id, for receivers to deduplicate");
        assert_eq!(body["type"], serde_json::json!("lead.created"));
        assert_eq!(body["lead"]["id"], serde_json::json!(lead.id.to_string()));
        assert_eq!(db.outbox().due_endpoints(T, 10).await.unwrap(), [b.id], "a's delivery is leased");
        assert!(db.outbox().claim_due(&email_claim(Uuid::now_v7(), T)).await.unwrap().is_empty(), "no email");
    }
}

contract! {
    /// A removed endpoint is no longer live: its waiting deliveries fail and later changes skip it.
    a_removed_endpoint_is_not_live_and_its_deliveries_are_given_up,
    |db: Db| async move {
        let hook = endpoint("https://a.test/hook", 1_000);
        db.webhooks().add_endpoint(&hook).await.unwrap();
        let lead = add_lead(&db, NewLead { created_at: T, ..new_lead("ada@example.com") }).await;
        assert!(db.webhooks().remove_endpoint(hook.id, T + 10).await.unwrap());
        let given_up = deliveries(&db, lead.id).await;
        assert_eq!(given_up.len(), 1);
        let why = given_up[0].last_error.as_deref();
        assert_eq!((given_up[0].status.as_str(), why), ("FAILED", Some("the endpoint was removed")));
        assert!(db.outbox().due_endpoints(T + 100, 10).await.unwrap().is_empty());
        assert_eq!(db.webhooks().list_endpoints().await.unwrap()[0].removed_at, Some(T + 10));
        let later = add_lead(&db, NewLead { created_at: T + 20, ..new_lead("grace@example.com") }).await;
        assert!(deliveries(&db, later.id).await.is_empty(), "nothing is queued to a removed endpoint");
        assert!(!db.webhooks().remove_endpoint(hook.id, T + 30).await.unwrap(), "removed once");
        assert!(!db.webhooks().remove_endpoint(Uuid::now_v7(), T + 30).await.unwrap(), "no such endpoint");
    }
}

contract! {
    /// A delivery being sent (leased) when its endpoint is removed is left to its sender.
    a_delivery_being_sent_is_not_given_up,
    |db: Db| async move {
        let hook = endpoint("https://a.test/hook", 1_000);
        db.webhooks().add_endpoint(&hook).await.unwrap();
        let lead = add_lead(&db, NewLead { created_at: T, ..new_lead("ada@example.com") }).await;
        let sending = Claim { channel: Channel::Webhook, endpoint: Some(hook.id), ..email_claim(Uuid::now_v7(), T) };
        assert_eq!(db.outbox().claim_due(&sending).await.unwrap().len(), 1);
        assert!(db.webhooks().remove_endpoint(hook.id, T + 10).await.unwrap());
        let d = deliveries(&db, lead.id).await;
        assert_eq!((d.len(), d[0].status.as_str(), d[0].last_error.as_deref()), (1, "QUEUED", None));
    }
}

/// An endpoint at `url`, whose secret names it.
fn endpoint(url: &str, created_at: i64) -> WebhookEndpoint {
    WebhookEndpoint {
        id: Uuid::now_v7(),
        url: url.to_owned(),
        secret: Secret::new(format!("whsec-{url}")),
        created_at,
        removed_at: None,
    }
}

/// The webhook deliveries about `lead`.
async fn deliveries(db: &Db, lead: Uuid) -> Vec<MessageStatus> {
    let all = db.outbox().for_lead(lead).await.unwrap();
    all.into_iter().filter(|m| m.channel == Channel::Webhook).collect()
}
