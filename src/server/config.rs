//! Configuration, read once at start-up from the environment.

use lettre::message::Mailbox;
use std::{collections::HashMap, fmt, net::SocketAddr, path::PathBuf, time::Duration};

/// A bad or missing setting, naming the variable so the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

/// A value that must never appear in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Self {
        Self(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A per-IP submission limit: `count` submissions per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

/// Every setting Intake reads.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    /// `None`: write messages to `<data dir>/outbox/*.eml` instead of sending them.
    pub smtp_url: Option<Secret>,
    pub mail_from: Mailbox,
    pub notify_emails: Vec<Mailbox>,
    pub public_url: String,
    pub max_resume_bytes: u64,
    /// `None`: no limit (for load tests).
    pub submit_rate: Option<Rate>,
    /// Integrator API calls per token (`INTAKE_API_RATE`, default 600/min; 0 turns it off).
    pub api_rate: Option<Rate>,
    pub firm_name: String,
    pub site_addr: SocketAddr,
    /// Where `/metrics`, `/readyz` and `/healthz` are also served, and `/metrics` only (`INTAKE_ADMIN_ADDR`).
    pub admin_addr: Option<SocketAddr>,
    /// First retry delay for a failed email; doubles per attempt.
    pub mail_retry_base: Duration,
    /// Longest delay between retries of a failed email.
    pub mail_retry_max: Duration,
    /// Leads older than this are erased (`INTAKE_RETENTION`, e.g. `3y`); `None`: kept.
    pub retention: Option<Duration>,
    /// A pending lead older than this is overdue (`INTAKE_FOLLOW_UP`, default
    /// `24h`; `off`: no deadline).
    pub follow_up: Option<Duration>,
    /// Who gets a new lead (`INTAKE_ASSIGN`): nobody until an attorney takes
    /// it (`manual`, the default), or the next attorney in turn (`round-robin`).
    pub assign: AssignMode,
    /// How long an invitation link works (`INTAKE_INVITE_TTL`, default 7d).
    pub invite_ttl: Duration,
    /// How long a password reset link works (`INTAKE_RESET_TTL`, default 1h).
    pub reset_ttl: Duration,
    /// The hour (UTC) the daily digest of overdue leads goes out
    /// (`INTAKE_DIGEST_HOUR`, default 8; `off`: never by itself).
    pub digest_hour: Option<u32>,
    /// The setting as written, for the audit trail ("retention period (3y)").
    pub retention_label: String,
    /// Longest wait for a webhook endpoint to answer (`INTAKE_WEBHOOK_TIMEOUT`).
    pub webhook_timeout: Duration,
    /// Attempts before a webhook delivery is given up on (`INTAKE_WEBHOOK_MAX_ATTEMPTS`).
    pub webhook_max_attempts: i64,
    /// `s3://bucket/prefix` to keep resumes in object storage; `None`: `<data dir>/resumes`.
    pub storage_url: Option<String>,
    /// How long a claimed email stays reserved for its sender without a
    /// heartbeat: how soon a dead instance's messages are sent by another.
    pub mail_lease: Duration,
    /// First account, created at start-up when there is none.
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    /// Password hashes computed at once (each takes ~19 MiB).
    pub hash_concurrency: usize,
    /// Login throttle keys (accounts and addresses) tracked at most.
    pub max_throttle_keys: usize,
    /// Submissions being uploaded at once; more get 503 with `Retry-After`.
    pub max_uploads: usize,
    /// How long a submission waits for an upload slot before `503` (0: refused at once).
    pub upload_wait: Duration,
    /// Open live event streams, in all and per session.
    pub max_streams: usize,
    pub max_streams_per_session: usize,
    /// Longest wait for a request's headers; a slower client is disconnected.
    pub header_timeout: Duration,
    /// Longest pause while a request body is being sent.
    /// After SIGTERM, how long open requests may take to finish before the process exits anyway.
    pub shutdown_grace: Duration,
    pub body_idle_timeout: Duration,
    /// Open connections at most; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Body limit of every route but the public submissions.
    pub max_body_bytes: u64,
    /// Parts of a multipart submission accepted at most.
    pub max_parts: usize,
    /// A text field longer than this is refused without reading on (the
    /// longest valid one, an email address, is 254 bytes).
    pub max_field_bytes: usize,
    /// Bytes before a multipart body's first boundary, and in one part's headers.
    pub max_preamble: usize,
    pub max_part_headers: usize,
    /// Password verifications waiting or running at once; more get 503.
    pub hash_queue: usize,
    /// CSP `frame-ancestors` sources allowed to embed the public form (`/`);
    /// `None`: no site may frame any page.
    pub frame_ancestors: Option<String>,
    /// Proxies allowed to name the client.
    pub trusted_proxies: Vec<crate::server::client_ip::Cidr>,
    /// The one header a trusted proxy names the client in (`INTAKE_CLIENT_IP_HEADER`).
    pub client_ip_header: crate::server::client_ip::ClientIpHeader,
    /// CSV exports running at once, in all and per account.
    pub max_exports: usize,
    pub max_exports_per_account: usize,
    /// Notes one lead may hold (`INTAKE_MAX_NOTES_PER_LEAD`).
    pub max_notes_per_lead: usize,
    /// How long the body of a sent (or given up) email or webhook delivery
    /// is kept (`INTAKE_OUTBOX_RETENTION`, default 30d); the status row stays.
    pub outbox_retention: Duration,
    /// Webhook endpoints may be on loopback, private or link-local
    /// addresses (`INTAKE_WEBHOOK_ALLOW_PRIVATE`): for a CRM on the firm's own network.
    pub webhook_allow_private: bool,
    /// A bearer token `/metrics` requires on the public address (`INTAKE_METRICS_TOKEN`).
    pub metrics_token: Option<Secret>,
    /// How long a new API token works unless its maker says otherwise (`INTAKE_TOKEN_TTL`, default 90d; `never`).
    pub token_ttl: Option<Duration>,
}

impl Config {
    /// Reads the process environment (after loading an optional `.env`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Builds the configuration from a variable map (tests pass their own).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| vars.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let data_dir = PathBuf::from(get("INTAKE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => return Err(err("DATABASE_URL", "must start with sqlite: or postgres://")),
            None => format!("sqlite://{}", data_dir.join("intake.db").display()),
        };
        let smtp_url = match get("SMTP_URL") {
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url)
                    .map_err(|e| err("SMTP_URL", format!("cannot be used: {e}")))?;
                Some(Secret(url))
            }
            Some(_) => return Err(err("SMTP_URL", "must start with smtp:// or smtps://")),
            None => None,
        };
        let firm_name = get("INTAKE_FIRM_NAME").unwrap_or_else(|| "Intake".into());
        if firm_name.chars().count() > 100 || firm_name.chars().any(char::is_control) {
            return Err(err("INTAKE_FIRM_NAME", "must be at most 100 characters, without control characters"));
        }
        let mail_from_raw = get("INTAKE_MAIL_FROM").unwrap_or_else(|| format!("{firm_name} <intake@localhost>"));
        let mail_from = parse_mailbox(&mail_from_raw).map_err(|r| err("INTAKE_MAIL_FROM", r))?;
        let notify_emails = get("INTAKE_NOTIFY_EMAIL")
            .map(|v| {
                v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(parse_mailbox).collect::<Result<Vec<_>, _>>()
            })
            .transpose()
            .map_err(|r| err("INTAKE_NOTIFY_EMAIL", r))?
            .unwrap_or_default();
        let public_url = get("INTAKE_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(err("INTAKE_PUBLIC_URL", "must start with http:// or https://"));
        }
        let public_url = public_url.trim_end_matches('/').to_owned();
        let max_resume_bytes = match get("INTAKE_MAX_RESUME_BYTES") {
            Some(v) => parse_bytes(&v).map_err(|r| err("INTAKE_MAX_RESUME_BYTES", r))?,
            None => 10 * 1024 * 1024,
        };
        let submit_rate = match get("INTAKE_SUBMIT_RATE") {
            Some(v) => parse_rate(&v).map_err(|r| err("INTAKE_SUBMIT_RATE", r))?,
            None => Some(Rate { count: 10, per: Duration::from_secs(60) }),
        };
        let api_rate = match get("INTAKE_API_RATE") {
            Some(v) => parse_rate(&v).map_err(|r| err("INTAKE_API_RATE", r))?,
            None => Some(Rate { count: 600, per: Duration::from_secs(60) }),
        };
        let admin_addr = match get("INTAKE_ADMIN_ADDR") {
            Some(v) if !v.trim().is_empty() => {
                Some(v.trim().parse().map_err(|_| err("INTAKE_ADMIN_ADDR", "must be an address like 127.0.0.1:9090"))?)
            }
            _ => None,
        };
        let site_addr = get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| err("LEPTOS_SITE_ADDR", "must be an address like 127.0.0.1:3000"))?;

        let admin_email = match get("INTAKE_ADMIN_EMAIL") {
            Some(e) => Some(parse_mailbox(&e).map_err(|r| err("INTAKE_ADMIN_EMAIL", r))?.email.to_string()),
            None => None,
        };
        let admin_password = get("INTAKE_ADMIN_PASSWORD").map(Secret);
        if admin_password.is_some() && admin_email.is_none() {
            return Err(err("INTAKE_ADMIN_EMAIL", "must be set when INTAKE_ADMIN_PASSWORD is"));
        }

        let storage_url = match get("INTAKE_STORAGE_URL") {
            Some(u) if u.starts_with("s3://") && u.len() > 5 => Some(u),
            Some(_) => return Err(err("INTAKE_STORAGE_URL", "must look like s3://bucket/prefix")),
            None => None,
        };

        let mail_lease = match get("INTAKE_MAIL_LEASE") {
            Some(v) => parse_duration(&v)
                .filter(|d| *d >= Duration::from_secs(1))
                .ok_or_else(|| err("INTAKE_MAIL_LEASE", "must be a duration of at least 1s, like 6s or 1m"))?,
            None => Duration::from_secs(6),
        };

        let count = |var: &'static str, default: usize| -> Result<usize, ConfigError> {
            match get(var) {
                Some(v) => {
                    v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| err(var, "must be a whole number above 0"))
                }
                None => Ok(default),
            }
        };
        let duration = |var: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            match get(var) {
                Some(v) => parse_duration(&v)
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| err(var, "must be a duration like 500ms, 10s or 1m")),
                None => Ok(default),
            }
        };
        let upload_wait = match get("INTAKE_UPLOAD_WAIT") {
            Some(v) => parse_duration(&v)
                .filter(|d| *d <= Duration::from_secs(60))
                .ok_or_else(|| err("INTAKE_UPLOAD_WAIT", "must be a duration up to 60s, like 0s, 500ms or 5s"))?,
            None => Duration::from_secs(5),
        };
        let max_body_bytes = match get("INTAKE_MAX_BODY") {
            Some(v) => parse_bytes(&v).map_err(|r| err("INTAKE_MAX_BODY", r))?,
            None => 64 * 1024,
        };

        let frame_ancestors = match get("INTAKE_FRAME_ANCESTORS") {
            Some(v) if v.chars().all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',') || c == ' ') => Some(v),
            Some(_) => {
                return Err(err(
                    "INTAKE_FRAME_ANCESTORS",
                    "must be CSP sources separated by spaces, like https://www.firm.com",
                ));
            }
            None => None,
        };

        let retention_label = get("INTAKE_RETENTION");

        let trusted_proxies = match get("INTAKE_TRUSTED_PROXIES") {
            Some(v) => v
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(|s| {
                    crate::server::client_ip::Cidr::parse(s).ok_or_else(|| {
                        err("INTAKE_TRUSTED_PROXIES", format!("{s:?} is not an address or a block like 10.0.0.0/8"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![],
        };

        let client_ip_header = match get("INTAKE_CLIENT_IP_HEADER") {
            Some(v) => crate::server::client_ip::ClientIpHeader::parse(&v)
                .ok_or_else(|| err("INTAKE_CLIENT_IP_HEADER", "must be x-forwarded-for, forwarded or x-real-ip"))?,
            None => crate::server::client_ip::ClientIpHeader::XForwardedFor,
        };
        let outbox_retention = match get("INTAKE_OUTBOX_RETENTION") {
            None => Duration::from_secs(30 * 86_400),
            Some(v) => parse_duration(&v)
                .or_else(|| parse_period(&v))
                .filter(|d| *d >= Duration::from_secs(60))
                .ok_or_else(|| err("INTAKE_OUTBOX_RETENTION", "must be a time like 30d, 2w or 12h (at least 1m)"))?,
        };
        let webhook_allow_private = match get("INTAKE_WEBHOOK_ALLOW_PRIVATE").as_deref() {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(_) => return Err(err("INTAKE_WEBHOOK_ALLOW_PRIVATE", "must be true or false")),
        };
        let metrics_token = match get("INTAKE_METRICS_TOKEN") {
            Some(t) if t.len() >= 16 && t.chars().all(|c| c.is_ascii_graphic()) => Some(Secret(t)),
            Some(_) => {
                return Err(err("INTAKE_METRICS_TOKEN", "must be at least 16 printable characters without spaces"));
            }
            None => None,
        };
        let token_ttl = match get("INTAKE_TOKEN_TTL").as_deref() {
            None => Some(Duration::from_secs(90 * 86_400)),
            Some(v) => parse_ttl(v)
                .ok_or_else(|| err("INTAKE_TOKEN_TTL", "must be a time like 90d or 1y (at least 1m), or never"))?,
        };

        Ok(Self {
            trusted_proxies,
            client_ip_header,
            max_exports: count("INTAKE_MAX_EXPORTS", crate::server::limits::DEFAULT_EXPORTS)?,
            max_exports_per_account: count(
                "INTAKE_MAX_EXPORTS_PER_ACCOUNT",
                crate::server::limits::DEFAULT_EXPORTS_PER_ACCOUNT,
            )?,
            max_notes_per_lead: count("INTAKE_MAX_NOTES_PER_LEAD", 200)?,
            outbox_retention,
            webhook_allow_private,
            metrics_token,
            token_ttl,
            frame_ancestors,
            max_throttle_keys: count("INTAKE_MAX_THROTTLE_KEYS", 100_000)?,
            max_uploads: count("INTAKE_MAX_UPLOADS", 256)?,
            upload_wait,
            max_streams: count("INTAKE_MAX_STREAMS", 1_000)?,
            max_streams_per_session: count("INTAKE_MAX_STREAMS_PER_SESSION", 8)?,
            header_timeout: duration("INTAKE_HEADER_TIMEOUT", Duration::from_secs(10))?,
            body_idle_timeout: duration("INTAKE_BODY_IDLE_TIMEOUT", Duration::from_secs(30))?,
            shutdown_grace: duration("INTAKE_SHUTDOWN_GRACE", Duration::from_secs(20))?,
            max_connections: count("INTAKE_MAX_CONNECTIONS", 4_096)?,
            max_body_bytes,
            max_parts: count("INTAKE_MAX_PARTS", 16)?,
            max_field_bytes: count("INTAKE_MAX_FIELD_BYTES", 4 * 1024)?,
            max_preamble: count("INTAKE_MAX_PREAMBLE_BYTES", crate::server::bounded::MAX_PREAMBLE)?,
            max_part_headers: count("INTAKE_MAX_PART_HEADER_BYTES", crate::server::bounded::MAX_PART_HEADERS)?,
            hash_queue: count("INTAKE_HASH_QUEUE", 32)?,
            retention: match &retention_label {
                Some(v) => Some(
                    parse_period(v)
                        .ok_or_else(|| err("INTAKE_RETENTION", "must be a period like 90d, 26w or 3y (at least 1d)"))?,
                ),
                None => None,
            },
            retention_label: retention_label.unwrap_or_default(),
            follow_up: match get("INTAKE_FOLLOW_UP").as_deref() {
                None => Some(Duration::from_secs(24 * 3600)),
                Some(v) if v.eq_ignore_ascii_case("off") || v == "0" => None,
                Some(v) => Some(
                    parse_duration(v)
                        .or_else(|| parse_period(v))
                        .filter(|d| *d >= Duration::from_secs(60))
                        .ok_or_else(|| {
                            err("INTAKE_FOLLOW_UP", "must be a time like 24h, 90m or 2d (at least 1m), or off")
                        })?,
                ),
            },
            assign: match get("INTAKE_ASSIGN").as_deref().map(str::trim) {
                None | Some("" | "manual") => AssignMode::Manual,
                Some("round-robin") => AssignMode::RoundRobin,
                Some(_) => return Err(err("INTAKE_ASSIGN", "must be manual or round-robin")),
            },
            invite_ttl: match get("INTAKE_INVITE_TTL") {
                None => Duration::from_secs(7 * 86_400),
                Some(v) => parse_duration(&v)
                    .or_else(|| parse_period(&v))
                    .filter(|d| *d >= Duration::from_secs(60))
                    .ok_or_else(|| err("INTAKE_INVITE_TTL", "must be a time like 7d or 48h (at least 1m)"))?,
            },
            reset_ttl: match get("INTAKE_RESET_TTL") {
                None => Duration::from_secs(3600),
                Some(v) => parse_duration(&v)
                    .or_else(|| parse_period(&v))
                    .filter(|d| *d >= Duration::from_secs(60))
                    .ok_or_else(|| err("INTAKE_RESET_TTL", "must be a time like 1h or 30m (at least 1m)"))?,
            },
            digest_hour: match get("INTAKE_DIGEST_HOUR") {
                None => Some(8),
                Some(v) if v.eq_ignore_ascii_case("off") => None,
                Some(v) => Some(
                    v.trim()
                        .parse()
                        .ok()
                        .filter(|h| *h < 24)
                        .ok_or_else(|| err("INTAKE_DIGEST_HOUR", "must be an hour from 0 to 23 (UTC), or off"))?,
                ),
            },
            webhook_timeout: duration("INTAKE_WEBHOOK_TIMEOUT", Duration::from_secs(10))?,
            webhook_max_attempts: count("INTAKE_WEBHOOK_MAX_ATTEMPTS", 20)? as i64,
            storage_url,
            admin_email,
            admin_password,
            hash_concurrency: 4,
            mail_lease,
            database_url,
            data_dir,
            smtp_url,
            mail_from,
            notify_emails,
            public_url,
            max_resume_bytes,
            submit_rate,
            api_rate,
            firm_name,
            site_addr,
            admin_addr,
            mail_retry_base: Duration::from_secs(5),
            mail_retry_max: Duration::from_secs(30 * 60),
        })
    }

    /// Where resumes live.
    pub fn resume_dir(&self) -> PathBuf {
        self.data_dir.join("resumes")
    }

    /// Where messages go when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

fn err(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError { var, reason: reason.into() }
}

fn parse_mailbox(s: &str) -> Result<Mailbox, String> {
    s.parse::<Mailbox>().map_err(|e| format!("{s:?} is not an email address ({e})"))
}

/// Parses `10485760`, `512K`, `10M`, `10MiB`, `1G`.
fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a size like 10485760 or 10M"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return Err(format!("{s:?} has an unknown unit (use K, M or G)")),
    };
    match n.checked_mul(mult) {
        Some(0) | None => Err(format!("{s:?} must be between 1 byte and a few GiB")),
        Some(v) => Ok(v),
    }
}

/// How new leads are assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignMode {
    Manual,
    /// In turn among the active attorneys (administrators only when there is no attorney).
    RoundRobin,
}

/// Parses `500ms`, `6s`, `2m`, `1h` (a bare number is seconds).
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: u64 = s[..split].parse().ok()?;
    let ms = match s[split..].trim() {
        "ms" => 1,
        "" | "s" => 1000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    n.checked_mul(ms).map(Duration::from_millis)
}

/// A token's lifetime: `90d`, `1y`, `12h` (at least a minute), or `never` (`Some(None)`).
pub fn parse_ttl(s: &str) -> Option<Option<Duration>> {
    if s.trim().eq_ignore_ascii_case("never") {
        return Some(None);
    }
    parse_duration(s).or_else(|| parse_period(s)).filter(|d| *d >= Duration::from_secs(60)).map(Some)
}

/// Parses a retention period: `90d`, `26w`, `3y` (a year is 365 days); at least a day.
fn parse_period(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = s[..split].parse().ok().filter(|n| *n > 0)?;
    let days = match &s[split..] {
        "d" => 1,
        "w" => 7,
        "y" => 365,
        _ => return None,
    };
    n.checked_mul(days * 86_400).map(Duration::from_secs)
}

/// Parses `10/min`, `100/hour`, `5/s`; `0` or `off` disables the limit.
fn parse_rate(s: &str) -> Result<Option<Rate>, String> {
    if s == "0" || s.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let bad = || format!("{s:?} is not a rate like 10/min, 100/hour or 0");
    let (count, unit) = s.split_once('/').ok_or_else(bad)?;
    let count: u32 = count.trim().parse().map_err(|_| bad())?;
    let per = match unit.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        "d" | "day" => Duration::from_secs(86400),
        _ => return Err(bad()),
    };
    Ok((count > 0).then_some(Rate { count, per }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_usable() {
        let c = Config::from_vars(&vars(&[])).unwrap();
        assert_eq!(c.database_url, "sqlite://./data/intake.db");
        assert_eq!(c.max_resume_bytes, 10 * 1024 * 1024);
        assert_eq!(c.submit_rate, Some(Rate { count: 10, per: Duration::from_secs(60) }));
        assert!(c.smtp_url.is_none());
        assert!(c.notify_emails.is_empty());
        assert_eq!(c.mail_lease, Duration::from_secs(6));
        assert_eq!(c.outbox_retention, Duration::from_secs(30 * 86_400));
        assert!(!c.webhook_allow_private, "webhooks stay outside unless allowed");
        assert_eq!(c.token_ttl, Some(Duration::from_secs(90 * 86_400)));
        assert_eq!(c.client_ip_header, crate::server::client_ip::ClientIpHeader::XForwardedFor);
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
        assert_eq!(c.notify_emails.len(), 2);
        assert_eq!(c.max_resume_bytes, 2 * 1024 * 1024);
        assert_eq!(c.submit_rate, None);
        assert_eq!(c.public_url, "https://intake.firm.com");
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
        assert_eq!((c.retention, c.retention_label.as_str()), (Some(day * 1095), "3y"));
        assert_eq!(Config::from_vars(&vars(&[])).unwrap().retention, None, "kept unless configured");
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
}
