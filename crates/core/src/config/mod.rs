//! Configuration, read once at start-up from the environment: one struct per
//! concern, each filled by its own function from the variables it owns. A bad
//! value is an error naming its variable (see [`ConfigError`]).

mod values;

pub use intake_store::Secret;
pub use values::parse_ttl;

use crate::client_ip::{Cidr, ClientIpHeader};
use lettre::message::Mailbox;
use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};
use values::{Vars, err, parse_duration, parse_mailbox, parse_period};

/// A bad or missing setting, naming the variable so the operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

/// A per-IP submission limit: `count` submissions per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

/// How new leads are assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignMode {
    Manual,
    /// In turn among the active attorneys (administrators only when there is no attorney).
    RoundRobin,
}

/// Every setting Intake reads, by concern.
#[derive(Clone, Debug)]
pub struct Config {
    pub site: SiteSettings,
    pub data: DataSettings,
    pub mail: MailSettings,
    pub intake: IntakeSettings,
    pub leads: LeadSettings,
    pub accounts: AccountSettings,
    pub integrations: IntegrationSettings,
    pub http: HttpSettings,
}

/// The firm and its addresses.
#[derive(Clone, Debug)]
pub struct SiteSettings {
    pub firm_name: String,
    /// Base of links in emails, without a trailing slash.
    pub public_url: String,
    pub site_addr: SocketAddr,
    /// Where `/metrics`, `/readyz` and `/healthz` are also served, and `/metrics` only (`INTAKE_ADMIN_ADDR`).
    pub admin_addr: Option<SocketAddr>,
    /// CSP `frame-ancestors` sources allowed to embed the public form (`/`);
    /// `None`: no site may frame any page.
    pub frame_ancestors: Option<String>,
    /// A bearer token `/metrics` requires on the public address (`INTAKE_METRICS_TOKEN`).
    pub metrics_token: Option<Secret>,
}

/// Where data lives, and how long it is kept.
#[derive(Clone, Debug)]
pub struct DataSettings {
    pub database_url: String,
    pub data_dir: PathBuf,
    /// `s3://bucket/prefix` to keep resumes in object storage; `None`: `<data dir>/resumes`.
    pub storage_url: Option<String>,
    /// Leads older than this are erased (`INTAKE_RETENTION`, e.g. `3y`); `None`: kept.
    pub retention: Option<Duration>,
    /// The setting as written, for the audit trail ("retention period (3y)").
    pub retention_label: String,
    /// How long the body of a sent (or given up) email or webhook delivery
    /// is kept (`INTAKE_OUTBOX_RETENTION`, default 30d); the status row stays.
    pub outbox_retention: Duration,
}

/// Email: the server, the sender, who is notified, retries and leases.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `None`: write messages to `<data dir>/outbox/*.eml` instead of sending them.
    pub smtp_url: Option<Secret>,
    pub from: Mailbox,
    pub notify_emails: Vec<Mailbox>,
    /// First retry delay for a failed email; doubles per attempt.
    pub retry_base: Duration,
    /// Longest delay between retries of a failed email.
    pub retry_max: Duration,
    /// How long a claimed email stays reserved for its sender without a
    /// heartbeat: how soon a dead instance's messages are sent by another.
    pub lease: Duration,
    /// The hour (UTC) the daily digest of overdue leads goes out
    /// (`INTAKE_DIGEST_HOUR`, default 8; `off`: never by itself).
    pub digest_hour: Option<u32>,
}

/// The public form: what a submission may be, and how many at once.
#[derive(Clone, Debug)]
pub struct IntakeSettings {
    pub max_resume_bytes: u64,
    /// `None`: no limit (for load tests).
    pub submit_rate: Option<Rate>,
    /// Parts of a multipart submission accepted at most.
    pub max_parts: usize,
    /// A text field longer than this is refused without reading on (the
    /// longest valid one, an email address, is 254 bytes).
    pub max_field_bytes: usize,
    /// Bytes before a multipart body's first boundary, and in one part's headers.
    pub max_preamble: usize,
    pub max_part_headers: usize,
    /// Submissions being uploaded at once; more get 503 with `Retry-After`.
    pub max_uploads: usize,
    /// How long a submission waits for an upload slot before `503` (0: refused at once).
    pub upload_wait: Duration,
}

/// Attorneys' work on leads.
#[derive(Clone, Debug)]
pub struct LeadSettings {
    /// A pending lead older than this is overdue (`INTAKE_FOLLOW_UP`, default
    /// `24h`; `off`: no deadline).
    pub follow_up: Option<Duration>,
    /// Who gets a new lead (`INTAKE_ASSIGN`): nobody until an attorney takes
    /// it (`manual`, the default), or the next attorney in turn (`round-robin`).
    pub assign: AssignMode,
    /// Notes one lead may hold (`INTAKE_MAX_NOTES_PER_LEAD`).
    pub max_notes_per_lead: usize,
    /// CSV exports running at once, in all and per account.
    pub max_exports: usize,
    pub max_exports_per_account: usize,
    /// Largest parties list uploaded as CSV or sent to the API (`INTAKE_MAX_PARTIES_BYTES`, default 32 MiB).
    pub max_parties_bytes: u64,
    /// Most parties one import holds (`INTAKE_MAX_PARTIES`, default 200000).
    pub max_parties: usize,
}

/// Accounts, sign-in and their links.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    /// First account, created at start-up when there is none.
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    /// How long an invitation link works (`INTAKE_INVITE_TTL`, default 7d).
    pub invite_ttl: Duration,
    /// How long a password reset link works (`INTAKE_RESET_TTL`, default 1h).
    pub reset_ttl: Duration,
    /// Password hashes computed at once (each takes ~19 MiB).
    pub hash_concurrency: usize,
    /// Password verifications waiting or running at once; more get 503.
    pub hash_queue: usize,
    /// Login throttle keys (accounts and addresses) tracked at most.
    pub max_throttle_keys: usize,
    /// Seals authenticator apps' secrets (`INTAKE_SECRET_KEY`, 64 hex
    /// digits); without it no app can be added, and start-up refuses when
    /// an account already has one.
    pub secret_key: Option<crate::auth::totp::SealKey>,
    /// Who must sign in with a second step (`INTAKE_REQUIRE_2FA`: off, admins, all).
    pub require_two_step: crate::auth::second_factor::Requirement,
    /// How long a proved second factor counts for dangerous actions
    /// (`INTAKE_FRESH_PROOF`, default 10m).
    pub fresh_proof: Duration,
    /// Passkey ceremonies (sign-ins, additions) under way at once, from
    /// anyone (`INTAKE_PASSKEY_CEREMONIES`, default 10000); more get 503.
    pub max_passkey_ceremonies: usize,
    /// Passkey sign-ins one address may start (`INTAKE_PASSKEY_RATE`, default 30/min; 0 turns it off).
    pub passkey_rate: Option<Rate>,
    /// Single sign-on with the firm's OpenID Connect provider, when `INTAKE_OIDC_ISSUER` is set.
    pub sso: Option<SsoSettings>,
}

/// The firm's OpenID Connect provider (see `auth::sso`).
#[derive(Clone, Debug)]
pub struct SsoSettings {
    /// `INTAKE_OIDC_ISSUER`: the provider's issuer URL (discovery at `/.well-known/openid-configuration`).
    pub issuer: String,
    /// `INTAKE_OIDC_CLIENT_ID` and `INTAKE_OIDC_CLIENT_SECRET`, as registered with the provider.
    pub client_id: String,
    pub client_secret: Secret,
    /// `INTAKE_OIDC_NAME`: the button's words, "Sign in with …" (default "single sign-on").
    pub name: String,
    /// `INTAKE_OIDC_SIGNUP_DOMAIN`: a verified address at this domain that has no account gets one
    /// (role attorney) at its first sign-in; unset, only existing (invited) accounts sign in.
    pub signup_domain: Option<String>,
    /// `INTAKE_OIDC_ONLY=true`: passwords and passkeys are refused, except for `break_glass`.
    pub only: bool,
    /// `INTAKE_OIDC_BREAK_GLASS`: the one account that still signs in with its password (and
    /// second factor) when `only` is set, for when the provider is down.
    pub break_glass: Option<String>,
}

/// Integrations: the token API and webhooks.
#[derive(Clone, Debug)]
pub struct IntegrationSettings {
    /// Integrator API calls per token (`INTAKE_API_RATE`, default 600/min; 0 turns it off).
    pub api_rate: Option<Rate>,
    /// How long a new API token works unless its maker says otherwise (`INTAKE_TOKEN_TTL`, default 90d; `never`).
    pub token_ttl: Option<Duration>,
    /// Longest wait for a webhook endpoint to answer (`INTAKE_WEBHOOK_TIMEOUT`).
    pub webhook_timeout: Duration,
    /// Attempts before a webhook delivery is given up on (`INTAKE_WEBHOOK_MAX_ATTEMPTS`).
    pub webhook_max_attempts: i64,
    /// Webhook endpoints may be on loopback, private or link-local
    /// addresses (`INTAKE_WEBHOOK_ALLOW_PRIVATE`): for a CRM on the firm's own network.
    pub webhook_allow_private: bool,
}

/// Connections and request bodies: what one client may hold.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Body limit of every route but the public submissions.
    pub max_body_bytes: u64,
    /// Longest wait for a request's headers; a slower client is disconnected.
    pub header_timeout: Duration,
    /// Longest pause while a request body is being sent.
    pub body_idle_timeout: Duration,
    /// After SIGTERM, how long open requests may take to finish before the process exits anyway.
    pub shutdown_grace: Duration,
    /// Open connections at most; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Open live event streams, in all and per session.
    pub max_streams: usize,
    pub max_streams_per_session: usize,
    /// Proxies allowed to name the client.
    pub trusted_proxies: Vec<Cidr>,
    /// The one header a trusted proxy names the client in (`INTAKE_CLIENT_IP_HEADER`).
    pub client_ip_header: ClientIpHeader,
}

impl Config {
    /// Reads the process environment (after loading an optional `.env`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(&std::env::vars().collect())
    }

    /// Builds the configuration from a variable map (tests pass their own).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let v = Vars(vars);
        let site = SiteSettings::read(&v)?;
        Ok(Self {
            mail: MailSettings::read(&v, &site.firm_name)?,
            site,
            data: DataSettings::read(&v)?,
            intake: IntakeSettings::read(&v)?,
            leads: LeadSettings::read(&v)?,
            accounts: AccountSettings::read(&v)?,
            integrations: IntegrationSettings::read(&v)?,
            http: HttpSettings::read(&v)?,
        })
    }

    /// Where resumes live.
    pub fn resume_dir(&self) -> PathBuf {
        self.data.data_dir.join("resumes")
    }

    /// Where messages go when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data.data_dir.join("outbox")
    }
}

impl SiteSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let firm_name = v.get("INTAKE_FIRM_NAME").unwrap_or_else(|| "Intake".into());
        if firm_name.chars().count() > 100 || firm_name.chars().any(char::is_control) {
            return Err(err("INTAKE_FIRM_NAME", "must be at most 100 characters, without control characters"));
        }
        let public_url = v.get("INTAKE_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(err("INTAKE_PUBLIC_URL", "must start with http:// or https://"));
        }
        let admin_addr = match v.get("INTAKE_ADMIN_ADDR") {
            Some(a) => Some(a.parse().map_err(|_| err("INTAKE_ADMIN_ADDR", "must be an address like 127.0.0.1:9090"))?),
            None => None,
        };
        let site_addr = v
            .get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|_| err("LEPTOS_SITE_ADDR", "must be an address like 127.0.0.1:3000"))?;
        let frame_ancestors = match v.get("INTAKE_FRAME_ANCESTORS") {
            Some(s) if s.chars().all(|c| c.is_ascii_graphic() && !matches!(c, ';' | ',') || c == ' ') => Some(s),
            Some(_) => {
                let why = "must be CSP sources separated by spaces, like https://www.firm.com";
                return Err(err("INTAKE_FRAME_ANCESTORS", why));
            }
            None => None,
        };
        let metrics_token = match v.get("INTAKE_METRICS_TOKEN") {
            Some(t) if t.len() >= 16 && t.chars().all(|c| c.is_ascii_graphic()) => Some(Secret::new(t)),
            Some(_) => {
                return Err(err("INTAKE_METRICS_TOKEN", "must be at least 16 printable characters without spaces"));
            }
            None => None,
        };
        Ok(Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            firm_name,
            site_addr,
            admin_addr,
            frame_ancestors,
            metrics_token,
        })
    }
}

impl DataSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(v.get("INTAKE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match v.get("DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => return Err(err("DATABASE_URL", "must start with sqlite: or postgres://")),
            None => format!("sqlite://{}", data_dir.join("intake.db").display()),
        };
        let storage_url = match v.get("INTAKE_STORAGE_URL") {
            Some(u) if u.starts_with("s3://") && u.len() > 5 => Some(u),
            Some(_) => return Err(err("INTAKE_STORAGE_URL", "must look like s3://bucket/prefix")),
            None => None,
        };
        let retention_label = v.get("INTAKE_RETENTION");
        let retention = match &retention_label {
            Some(r) => Some(
                parse_period(r)
                    .ok_or_else(|| err("INTAKE_RETENTION", "must be a period like 90d, 26w or 3y (at least 1d)"))?,
            ),
            None => None,
        };
        let outbox_retention = v.time(
            "INTAKE_OUTBOX_RETENTION",
            Duration::from_secs(30 * 86_400),
            "must be a time like 30d, 2w or 12h (at least 1m)",
        )?;
        Ok(Self {
            database_url,
            data_dir,
            storage_url,
            retention,
            retention_label: retention_label.unwrap_or_default(),
            outbox_retention,
        })
    }
}

impl MailSettings {
    fn read(v: &Vars, firm_name: &str) -> Result<Self, ConfigError> {
        let smtp_url = match v.get("SMTP_URL") {
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url)
                    .map_err(|e| err("SMTP_URL", format!("cannot be used: {e}")))?;
                Some(Secret::new(url))
            }
            Some(_) => return Err(err("SMTP_URL", "must start with smtp:// or smtps://")),
            None => None,
        };
        let from = v.get("INTAKE_MAIL_FROM").unwrap_or_else(|| format!("{firm_name} <intake@localhost>"));
        let from = parse_mailbox(&from).map_err(|r| err("INTAKE_MAIL_FROM", r))?;
        let notify_emails = v
            .get("INTAKE_NOTIFY_EMAIL")
            .map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(parse_mailbox).collect())
            .transpose()
            .map_err(|r| err("INTAKE_NOTIFY_EMAIL", r))?
            .unwrap_or_default();
        let lease = match v.get("INTAKE_MAIL_LEASE") {
            Some(s) => parse_duration(&s)
                .filter(|d| *d >= Duration::from_secs(1))
                .ok_or_else(|| err("INTAKE_MAIL_LEASE", "must be a duration of at least 1s, like 6s or 1m"))?,
            None => Duration::from_secs(6),
        };
        let digest_hour = match v.get("INTAKE_DIGEST_HOUR") {
            None => Some(8),
            Some(h) if h.eq_ignore_ascii_case("off") => None,
            Some(h) => Some(
                h.parse()
                    .ok()
                    .filter(|h| *h < 24)
                    .ok_or_else(|| err("INTAKE_DIGEST_HOUR", "must be an hour from 0 to 23 (UTC), or off"))?,
            ),
        };
        Ok(Self {
            smtp_url,
            from,
            notify_emails,
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(30 * 60),
            lease,
            digest_hour,
        })
    }
}

impl IntakeSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let upload_wait = match v.get("INTAKE_UPLOAD_WAIT") {
            Some(s) => parse_duration(&s)
                .filter(|d| *d <= Duration::from_secs(60))
                .ok_or_else(|| err("INTAKE_UPLOAD_WAIT", "must be a duration up to 60s, like 0s, 500ms or 5s"))?,
            None => Duration::from_secs(5),
        };
        Ok(Self {
            max_resume_bytes: v.bytes("INTAKE_MAX_RESUME_BYTES", 10 * 1024 * 1024)?,
            submit_rate: v.rate("INTAKE_SUBMIT_RATE", Rate { count: 10, per: Duration::from_secs(60) })?,
            max_parts: v.count("INTAKE_MAX_PARTS", 16)?,
            max_field_bytes: v.count("INTAKE_MAX_FIELD_BYTES", 4 * 1024)?,
            max_preamble: v.count("INTAKE_MAX_PREAMBLE_BYTES", crate::multipart::MAX_PREAMBLE)?,
            max_part_headers: v.count("INTAKE_MAX_PART_HEADER_BYTES", crate::multipart::MAX_PART_HEADERS)?,
            max_uploads: v.count("INTAKE_MAX_UPLOADS", 256)?,
            upload_wait,
        })
    }
}

impl LeadSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let follow_up = match v.get("INTAKE_FOLLOW_UP").as_deref() {
            Some(off) if off.eq_ignore_ascii_case("off") || off == "0" => None,
            _ => Some(v.time(
                "INTAKE_FOLLOW_UP",
                Duration::from_secs(24 * 3600),
                "must be a time like 24h, 90m or 2d (at least 1m), or off",
            )?),
        };
        let assign = match v.get("INTAKE_ASSIGN").as_deref() {
            None | Some("manual") => AssignMode::Manual,
            Some("round-robin") => AssignMode::RoundRobin,
            Some(_) => return Err(err("INTAKE_ASSIGN", "must be manual or round-robin")),
        };
        Ok(Self {
            follow_up,
            assign,
            max_notes_per_lead: v.count("INTAKE_MAX_NOTES_PER_LEAD", 200)?,
            max_exports: v.count("INTAKE_MAX_EXPORTS", crate::limits::DEFAULT_EXPORTS)?,
            max_exports_per_account: v
                .count("INTAKE_MAX_EXPORTS_PER_ACCOUNT", crate::limits::DEFAULT_EXPORTS_PER_ACCOUNT)?,
            max_parties_bytes: v.bytes("INTAKE_MAX_PARTIES_BYTES", 32 * 1024 * 1024)?,
            max_parties: v.count("INTAKE_MAX_PARTIES", 200_000)?,
        })
    }
}

impl AccountSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let admin_email = match v.get("INTAKE_ADMIN_EMAIL") {
            Some(e) => Some(parse_mailbox(&e).map_err(|r| err("INTAKE_ADMIN_EMAIL", r))?.email.to_string()),
            None => None,
        };
        let admin_password = v.get("INTAKE_ADMIN_PASSWORD").map(Secret::new);
        let secret_key = match v.get("INTAKE_SECRET_KEY") {
            Some(k) => Some(crate::auth::totp::SealKey::from_hex(&k).ok_or_else(|| {
                err("INTAKE_SECRET_KEY", "must be 64 hexadecimal digits (32 random bytes: `openssl rand -hex 32`)")
            })?),
            None => None,
        };
        use crate::auth::second_factor::Requirement;
        let require_two_step = match v.get("INTAKE_REQUIRE_2FA").as_deref() {
            None | Some("off") => Requirement::Off,
            Some("admins") => Requirement::Admins,
            Some("all") => Requirement::All,
            Some(_) => return Err(err("INTAKE_REQUIRE_2FA", "must be off, admins or all")),
        };
        if require_two_step != Requirement::Off && secret_key.is_none() {
            return Err(err(
                "INTAKE_REQUIRE_2FA",
                "needs INTAKE_SECRET_KEY, which seals the authenticator apps' secrets",
            ));
        }
        let secret_key_set = secret_key.is_some();
        if admin_password.is_some() && admin_email.is_none() {
            return Err(err("INTAKE_ADMIN_EMAIL", "must be set when INTAKE_ADMIN_PASSWORD is"));
        }
        Ok(Self {
            admin_email,
            admin_password,
            invite_ttl: v.time(
                "INTAKE_INVITE_TTL",
                Duration::from_secs(7 * 86_400),
                "must be a time like 7d or 48h (at least 1m)",
            )?,
            reset_ttl: v.time(
                "INTAKE_RESET_TTL",
                Duration::from_secs(3600),
                "must be a time like 1h or 30m (at least 1m)",
            )?,
            hash_concurrency: 4,
            hash_queue: v.count("INTAKE_HASH_QUEUE", 32)?,
            max_throttle_keys: v.count("INTAKE_MAX_THROTTLE_KEYS", 100_000)?,
            secret_key,
            require_two_step,
            fresh_proof: v.time(
                "INTAKE_FRESH_PROOF",
                Duration::from_secs(600),
                "must be a time like 10m or 1h (at least 1m)",
            )?,
            max_passkey_ceremonies: v.count("INTAKE_PASSKEY_CEREMONIES", 10_000)?,
            passkey_rate: v.rate("INTAKE_PASSKEY_RATE", Rate { count: 30, per: Duration::from_secs(60) })?,
            sso: SsoSettings::read(v, secret_key_set)?,
        })
    }
}

impl IntegrationSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let token_ttl = match v.get("INTAKE_TOKEN_TTL").as_deref() {
            None => Some(Duration::from_secs(90 * 86_400)),
            Some(t) => parse_ttl(t)
                .ok_or_else(|| err("INTAKE_TOKEN_TTL", "must be a time like 90d or 1y (at least 1m), or never"))?,
        };
        let webhook_allow_private = match v.get("INTAKE_WEBHOOK_ALLOW_PRIVATE").as_deref() {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(_) => return Err(err("INTAKE_WEBHOOK_ALLOW_PRIVATE", "must be true or false")),
        };
        Ok(Self {
            api_rate: v.rate("INTAKE_API_RATE", Rate { count: 600, per: Duration::from_secs(60) })?,
            token_ttl,
            webhook_timeout: v.duration("INTAKE_WEBHOOK_TIMEOUT", Duration::from_secs(10))?,
            webhook_max_attempts: v.count("INTAKE_WEBHOOK_MAX_ATTEMPTS", 20)? as i64,
            webhook_allow_private,
        })
    }
}

impl HttpSettings {
    fn read(v: &Vars) -> Result<Self, ConfigError> {
        let trusted_proxies = match v.get("INTAKE_TRUSTED_PROXIES") {
            Some(list) => list
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Cidr::parse(s).ok_or_else(|| {
                        err("INTAKE_TRUSTED_PROXIES", format!("{s:?} is not an address or a block like 10.0.0.0/8"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![],
        };
        let client_ip_header = match v.get("INTAKE_CLIENT_IP_HEADER") {
            Some(h) => ClientIpHeader::parse(&h)
                .ok_or_else(|| err("INTAKE_CLIENT_IP_HEADER", "must be x-forwarded-for, forwarded or x-real-ip"))?,
            None => ClientIpHeader::XForwardedFor,
        };
        Ok(Self {
            max_body_bytes: v.bytes("INTAKE_MAX_BODY", 64 * 1024)?,
            header_timeout: v.duration("INTAKE_HEADER_TIMEOUT", Duration::from_secs(10))?,
            body_idle_timeout: v.duration("INTAKE_BODY_IDLE_TIMEOUT", Duration::from_secs(30))?,
            shutdown_grace: v.duration("INTAKE_SHUTDOWN_GRACE", Duration::from_secs(20))?,
            max_connections: v.count("INTAKE_MAX_CONNECTIONS", 4_096)?,
            max_streams: v.count("INTAKE_MAX_STREAMS", 1_000)?,
            max_streams_per_session: v.count("INTAKE_MAX_STREAMS_PER_SESSION", 8)?,
            trusted_proxies,
            client_ip_header,
        })
    }
}

#[cfg(test)]
mod tests;

impl SsoSettings {
    fn read(v: &Vars, secret_key_set: bool) -> Result<Option<Self>, ConfigError> {
        let Some(issuer) = v.get("INTAKE_OIDC_ISSUER") else {
            for var in ["INTAKE_OIDC_CLIENT_ID", "INTAKE_OIDC_CLIENT_SECRET", "INTAKE_OIDC_ONLY"] {
                if v.get(var).is_some() {
                    return Err(err(var, "needs INTAKE_OIDC_ISSUER"));
                }
            }
            return Ok(None);
        };
        if url::Url::parse(&issuer).ok().filter(|u| matches!(u.scheme(), "https" | "http")).is_none() {
            return Err(err("INTAKE_OIDC_ISSUER", "must be the provider's issuer URL (https://…)"));
        }
        let client_id = v
            .get("INTAKE_OIDC_CLIENT_ID")
            .ok_or_else(|| err("INTAKE_OIDC_CLIENT_ID", "must be set with INTAKE_OIDC_ISSUER"))?;
        let client_secret = v
            .get("INTAKE_OIDC_CLIENT_SECRET")
            .map(Secret::new)
            .ok_or_else(|| err("INTAKE_OIDC_CLIENT_SECRET", "must be set with INTAKE_OIDC_ISSUER"))?;
        if !secret_key_set {
            return Err(err(
                "INTAKE_OIDC_ISSUER",
                "needs INTAKE_SECRET_KEY, from which each sign-in's PKCE verifier and nonce are derived",
            ));
        }
        let only = match v.get("INTAKE_OIDC_ONLY").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(err("INTAKE_OIDC_ONLY", "must be true or false")),
        };
        let break_glass = v.get("INTAKE_OIDC_BREAK_GLASS").map(|e| e.to_lowercase());
        if only && break_glass.is_none() {
            return Err(err(
                "INTAKE_OIDC_BREAK_GLASS",
                "must name an administrator's email when INTAKE_OIDC_ONLY is true (the way in when the provider is down)",
            ));
        }
        let signup_domain = v.get("INTAKE_OIDC_SIGNUP_DOMAIN").map(|d| d.trim_start_matches('@').to_lowercase());
        if signup_domain.as_deref().is_some_and(|d| !d.contains('.') || d.contains(['@', '/', ' '])) {
            return Err(err("INTAKE_OIDC_SIGNUP_DOMAIN", "must be a domain, like firm.example"));
        }
        Ok(Some(Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            client_id,
            client_secret,
            name: v.get("INTAKE_OIDC_NAME").unwrap_or_else(|| "single sign-on".into()),
            signup_domain,
            only,
            break_glass,
        }))
    }
}
