//! The configuration's defaults, parsing, and its errors naming their variable.

use super::{
    values::{parse_duration, parse_period},
    *,
};

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn defaults_are_usable() {
    let c = Config::from_vars(&vars(&[])).unwrap();
    assert_eq!(c.data.database_url, "sqlite://./data/intake.db");
    assert_eq!(c.intake.max_resume_bytes, 10 * 1024 * 1024);
    assert_eq!(c.intake.submit_rate, Some(Rate { count: 10, per: Duration::from_secs(60) }));
    assert!(c.mail.smtp_url.is_none());
    assert!(c.mail.notify_emails.is_empty());
    assert_eq!(c.mail.lease, Duration::from_secs(6));
    assert_eq!(c.data.outbox_retention, Duration::from_secs(30 * 86_400));
    assert!(!c.integrations.webhook_allow_private, "webhooks stay outside unless allowed");
    assert_eq!(c.integrations.token_ttl, Some(Duration::from_secs(90 * 86_400)));
    assert_eq!(c.http.client_ip_header, ClientIpHeader::XForwardedFor);
}

#[test]
fn durations() {
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    assert_eq!(parse_duration("6s"), Some(Duration::from_secs(6)));
    assert_eq!(parse_duration("6"), Some(Duration::from_secs(6)));
    assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
    assert_eq!(parse_duration("1d"), None);
    assert_eq!(parse_duration("-1s"), None);
}

#[test]
fn parses_values() {
    let c = Config::from_vars(&vars(&[
        ("INTAKE_NOTIFY_EMAIL", "a@firm.com, Bob <b@firm.com>"),
        ("INTAKE_MAX_RESUME_BYTES", "2M"),
        ("INTAKE_SUBMIT_RATE", "0"),
        ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ("INTAKE_PUBLIC_URL", "https://intake.firm.com/"),
    ]))
    .unwrap();
    assert_eq!(c.mail.notify_emails.len(), 2);
    assert_eq!(c.intake.max_resume_bytes, 2 * 1024 * 1024);
    assert_eq!(c.intake.submit_rate, None);
    assert_eq!(c.site.public_url, "https://intake.firm.com");
    assert!(!format!("{c:?}").contains("2525"), "secrets stay out of Debug");
}

#[test]
fn retention_periods_are_days_weeks_or_years() {
    let day = Duration::from_secs(86_400);
    assert_eq!(parse_period("90d"), Some(day * 90));
    assert_eq!(parse_period("26w"), Some(day * 182));
    assert_eq!(parse_period("3y"), Some(day * 1095));
    assert_eq!(parse_period("3h"), None);
    let c = Config::from_vars(&vars(&[("INTAKE_RETENTION", "3y")])).unwrap();
    assert_eq!((c.data.retention, c.data.retention_label.as_str()), (Some(day * 1095), "3y"));
    assert_eq!(Config::from_vars(&vars(&[])).unwrap().data.retention, None, "kept unless configured");
}

#[test]
fn bad_values_name_their_variable() {
    for (k, v) in [
        ("DATABASE_URL", "mysql://x"),
        ("SMTP_URL", "http://x"),
        ("INTAKE_NOTIFY_EMAIL", "not-an-email"),
        ("INTAKE_MAX_RESUME_BYTES", "ten"),
        ("INTAKE_SUBMIT_RATE", "10 per minute"),
        ("LEPTOS_SITE_ADDR", "localhost"),
        ("INTAKE_PUBLIC_URL", "intake.firm.com"),
        ("INTAKE_MAIL_LEASE", "0s"),
        ("INTAKE_HASH_QUEUE", "0"),
        ("INTAKE_MAX_FIELD_BYTES", "lots"),
        ("INTAKE_TRUSTED_PROXIES", "10.0.0.0/40"),
        ("INTAKE_FRAME_ANCESTORS", "https://a.example; script-src *"),
        ("INTAKE_HEADER_TIMEOUT", "forever"),
        ("INTAKE_MAIL_LEASE", "soon"),
        ("INTAKE_RETENTION", "3 years"),
        ("INTAKE_RETENTION", "0d"),
        ("INTAKE_WEBHOOK_MAX_ATTEMPTS", "0"),
        ("INTAKE_CLIENT_IP_HEADER", "x-client-ip"),
        ("INTAKE_OUTBOX_RETENTION", "forever"),
        ("INTAKE_WEBHOOK_ALLOW_PRIVATE", "maybe"),
        ("INTAKE_METRICS_TOKEN", "short"),
        ("INTAKE_TOKEN_TTL", "soon"),
        ("INTAKE_MAX_EXPORTS", "0"),
    ] {
        let e = Config::from_vars(&vars(&[(k, v)])).unwrap_err();
        assert_eq!(e.var, k);
        assert!(e.to_string().contains(k));
    }
}

#[test]
fn two_step_sign_in_settings() {
    use crate::auth::second_factor::Requirement;
    let key = "ab".repeat(32);
    let c = Config::from_vars(&vars(&[])).unwrap();
    assert_eq!((c.accounts.require_two_step, c.accounts.secret_key.is_none()), (Requirement::Off, true));
    let c = Config::from_vars(&vars(&[("INTAKE_SECRET_KEY", &key), ("INTAKE_REQUIRE_2FA", "admins")])).unwrap();
    assert_eq!(c.accounts.require_two_step, Requirement::Admins);
    assert!(format!("{:?}", c.accounts).contains("SealKey(***)"), "the key never printed");
    assert!(!format!("{:?}", c.accounts).contains(&key));
    let refused = |pairs: &[(&str, &str)], why: &str| {
        let e = Config::from_vars(&vars(pairs)).unwrap_err().to_string();
        assert!(e.contains(why), "{pairs:?}: {e}");
    };
    refused(&[("INTAKE_REQUIRE_2FA", "all")], "needs INTAKE_SECRET_KEY");
    refused(&[("INTAKE_SECRET_KEY", &key), ("INTAKE_REQUIRE_2FA", "yes")], "must be off, admins or all");
    refused(&[("INTAKE_SECRET_KEY", "not hex")], "64 hexadecimal digits");
    refused(&[("INTAKE_SECRET_KEY", &"ab".repeat(16))], "64 hexadecimal digits");
}

#[test]
fn single_sign_on_settings() {
    let key = "ab".repeat(32);
    let base = [
        ("INTAKE_SECRET_KEY", key.as_str()),
        ("INTAKE_OIDC_ISSUER", "https://login.firm.example/"),
        ("INTAKE_OIDC_CLIENT_ID", "intake"),
        ("INTAKE_OIDC_CLIENT_SECRET", "s3cret value"),
    ];
    let c = Config::from_vars(&vars(&base)).unwrap();
    let sso = c.accounts.sso.as_ref().unwrap();
    assert_eq!(
        (sso.issuer.as_str(), sso.name.as_str(), sso.only),
        ("https://login.firm.example", "single sign-on", false)
    );
    assert!(!format!("{:?}", c.accounts).contains("s3cret value"), "the client secret never printed");
    assert!(Config::from_vars(&vars(&[])).unwrap().accounts.sso.is_none());
    let refused = |extra: &[(&str, &str)], drop: &str, why: &str| {
        let mut pairs: Vec<(&str, &str)> = base.iter().copied().filter(|(k, _)| *k != drop).collect();
        pairs.extend_from_slice(extra);
        let e = Config::from_vars(&vars(&pairs)).unwrap_err().to_string();
        assert!(e.contains(why), "{pairs:?}: {e}");
    };
    refused(&[], "INTAKE_SECRET_KEY", "needs INTAKE_SECRET_KEY");
    refused(&[], "INTAKE_OIDC_CLIENT_SECRET", "INTAKE_OIDC_CLIENT_SECRET");
    refused(&[("INTAKE_OIDC_ONLY", "true")], "", "INTAKE_OIDC_BREAK_GLASS");
    refused(&[("INTAKE_OIDC_ONLY", "yes")], "", "must be true or false");
    refused(&[("INTAKE_OIDC_SIGNUP_DOMAIN", "not a domain")], "", "must be a domain");
    refused(&[("INTAKE_OIDC_ISSUER", "ftp://x")], "INTAKE_OIDC_ISSUER", "issuer URL");
    let e = Config::from_vars(&vars(&[("INTAKE_OIDC_CLIENT_ID", "x")])).unwrap_err().to_string();
    assert!(e.contains("needs INTAKE_OIDC_ISSUER"), "{e}");
}
