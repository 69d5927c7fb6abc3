//! `intake user …`, `intake token …`, `intake webhook …` and `intake form …`:
//! attorney accounts, API tokens, webhook endpoints and the intake form from
//! the command line.
//! Passwords are read from standard input, never from arguments; a token's
//! or an endpoint's secret is printed once, on creation.

use intake_core::{auth::password::Hasher, auth::password::check_new_password, auth::token, config::Config, webhook};
use intake_domain::accounts::AuditAction;
use intake_store::{Attorney, Db, DbError, Role, TokenScope, account_admin::NewAudit, backup, now_ms};
use std::{
    io::{BufRead, IsTerminal, Write},
    path::PathBuf,
};
use uuid::Uuid;

pub const USAGE: &str = "\
usage:
  intake                                   run the server
  intake user add --email E --name \"N\" [--role admin|attorney]
                                           add an account (password from stdin);
                                           admins also manage integrations
  intake user set-role --email E --role admin|attorney
                                           change an account's role (ends its sessions)
  intake user reset-password --email E     set a new password (from stdin)
  intake user disable --email E            stop an account from logging in
  intake user enable --email E             allow it again
  intake user reset-two-step --email E     remove the account's authenticator app, recovery
                                           codes and passkeys (a lost phone or key, no codes
                                           left); ends its sessions and emails the account
  intake user list                         list accounts
  intake token create --name N --scope read|write --by E [--expires 90d|never]
                                           a token for the integrator API, acting as
                                           account E; its secret is printed once; it
                                           expires after INTAKE_TOKEN_TTL (90d) unless
                                           --expires says otherwise
  intake token list                        list tokens (never their secrets)
  intake token revoke --id ID              stop a token from working
  intake webhook add --url URL             send signed lead events to URL; its signing
                                           secret is printed once
  intake webhook list                      list endpoints (never their secrets)
  intake webhook remove --id ID            stop sending to an endpoint
  intake form show                         print the intake form (matter types and their
                                           questions) as JSON, with its version
  intake form set FILE --by E              save FILE (JSON, as `form show` prints it) as the
                                           form's next version, by admin E; new prospects
                                           see it, earlier leads keep the version they answered
  intake digest send                       queue today's follow-up digest now, unless it
                                           went out today (the server sends it by itself
                                           at INTAKE_DIGEST_HOUR)
  intake backup FILE                       a consistent copy of the SQLite database,
                                           taken while the server runs
  intake restore FILE                      replace the SQLite database with a backup
                                           (server stopped)";

/// Runs a `user` or `token` command (`args` starts with the group); returns the process exit code.
pub async fn run(args: &[String], config: &Config) -> u8 {
    match run_inner(args, config).await {
        Ok(msg) => {
            println!("{msg}");
            0
        }
        Err(msg) => {
            eprintln!("intake: {msg}");
            if msg.starts_with("usage") { 2 } else { 1 }
        }
    }
}

async fn run_inner(args: &[String], config: &Config) -> Result<String, String> {
    let group = args.first().map(String::as_str).ok_or_else(|| USAGE.to_owned())?;
    let args = &args[1..];
    if let "backup" | "restore" = group {
        let file = PathBuf::from(args.first().filter(|a| !a.starts_with("--")).ok_or_else(|| USAGE.to_owned())?);
        let url = config.data.database_url.clone();
        let restore = group == "restore";
        return tokio::task::spawn_blocking(move || {
            if restore { backup::restore(&url, &file) } else { backup::backup(&url, &file) }
        })
        .await
        .map_err(|e| e.to_string())?;
    }
    let cmd = args.first().map(String::as_str).ok_or_else(|| USAGE.to_owned())?;
    let flag = |name: &str| -> Result<String, String> {
        args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone()).ok_or_else(|| format!("missing {name}\n{USAGE}"))
    };
    tokio::fs::create_dir_all(&config.data.data_dir).await.map_err(|e| e.to_string())?;
    let db = Db::connect(&config.data.database_url).await.map_err(|e| e.to_string())?;
    let result = match group {
        "digest" if cmd == "send" => match intake_core::digest::queue(&db, config, now_ms(), true).await {
            Ok(Some(n)) => Ok(format!("queued today's digest: {n} email(s)")),
            Ok(None) if config.leads.follow_up.is_none() => {
                Err("no follow-up deadline is set (INTAKE_FOLLOW_UP=off)".into())
            }
            Ok(None) => Ok("today's digest has already gone out".into()),
            Err(e) => Err(e.to_string()),
        },
        "digest" => Err(USAGE.to_owned()),
        "token" => {
            let expires = match args.windows(2).find(|w| w[0] == "--expires").map(|w| w[1].as_str()) {
                None => config.integrations.token_ttl,
                Some(v) => intake_core::config::parse_ttl(v)
                    .ok_or_else(|| format!("--expires must be a time like 30d, 90d or 1y, or never\n{USAGE}"))?,
            };
            token_command(&db, cmd, &flag, expires).await
        }
        "webhook" => webhook_command(&db, cmd, &flag, config.integrations.webhook_allow_private).await,
        "form" => form_command(&db, cmd, args.get(1).map(String::as_str), &flag).await,
        _ => user_command(&db, config, cmd, &flag).await,
    };
    db.close().await;
    result
}

async fn token_command(
    db: &Db,
    cmd: &str,
    flag: &dyn Fn(&str) -> Result<String, String>,
    expires: Option<std::time::Duration>,
) -> Result<String, String> {
    match cmd {
        "create" => {
            let scope = flag("--scope")?;
            let scope = TokenScope::parse(&scope).ok_or("--scope must be read or write")?;
            let expires_at = expires.map(|d| now_ms() + d.as_millis() as i64);
            let (t, secret) = token::create(db, &flag("--name")?, scope, &flag("--by")?, expires_at).await?;
            let until = expires_at.map(intake_domain::time::format_utc).unwrap_or_else(|| "never".into());
            Ok(format!(
                "created token {} ({}, {}) acting as {}, expires {until}\n\n{secret}\n\nKeep it now: it is not stored and will not be shown again.",
                t.id,
                t.name,
                t.scope.as_str(),
                t.owner_email
            ))
        }
        "list" => {
            let all = db.tokens().list_tokens().await.map_err(|e| e.to_string())?;
            let time = |t: Option<i64>| t.map(intake_domain::time::format_utc).unwrap_or_else(|| "never".into());
            let now = now_ms();
            Ok(std::iter::once("id\tname\tscope\tacts as\tcreated\tlast used\texpires\tstatus".to_owned())
                .chain(all.iter().map(|t| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        t.id,
                        t.name,
                        t.scope.as_str(),
                        t.owner_email,
                        time(Some(t.created_at)),
                        time(t.last_used_at),
                        time(t.expires_at),
                        if t.revoked_at.is_some() {
                            "revoked"
                        } else if !t.is_live(now) {
                            "expired"
                        } else {
                            "active"
                        }
                    )
                }))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        "revoke" => {
            let id = flag("--id")?;
            let id = Uuid::parse_str(id.trim()).map_err(|_| "--id must be a token id (see intake token list)")?;
            match db.tokens().revoke_token(id, now_ms()).await.map_err(|e| e.to_string())? {
                true => Ok(format!("revoked token {id}")),
                false => Err(format!("no active token with id {id}")),
            }
        }
        _ => Err(USAGE.to_owned()),
    }
}

async fn form_command(
    db: &Db,
    cmd: &str,
    file: Option<&str>,
    flag: &dyn Fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    use intake_domain::questions::IntakeForm;
    let current = db.forms().current_form().await.map_err(|e| e.to_string())?;
    match cmd {
        "show" => {
            let Some(v) = current else {
                return Ok("no intake form yet: prospects see the four built-in fields".into());
            };
            let json = serde_json::to_string_pretty(&v.form).map_err(|e| e.to_string())?;
            Ok(format!("{json}\n\nversion {} saved {}", v.version, intake_domain::time::format_utc(v.created_at)))
        }
        "set" => {
            let file = file.filter(|f| !f.starts_with("--")).ok_or_else(|| USAGE.to_owned())?;
            let by = flag("--by")?;
            let admin = db.accounts().by_email(&by).await.map_err(|e| e.to_string())?;
            let admin =
                admin.filter(|a| a.role == Role::Admin).ok_or_else(|| format!("{by} is not an admin account"))?;
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            let form: IntakeForm =
                serde_json::from_str(&text).map_err(|e| format!("{file}: not an intake form: {e}"))?;
            let after = current.map(|c| c.version);
            match intake_core::forms::save(db, form, after, admin.id).await {
                Ok(v) => Ok(format!("saved version {v} of the intake form")),
                Err(e) => Err(format!("{file}: {}", e.message())),
            }
        }
        _ => Err(USAGE.to_owned()),
    }
}

async fn webhook_command(
    db: &Db,
    cmd: &str,
    flag: &dyn Fn(&str) -> Result<String, String>,
    allow_private: bool,
) -> Result<String, String> {
    match cmd {
        "add" => {
            let e = webhook::add_endpoint(db, &flag("--url")?, allow_private).await.map_err(|e| match e {
                webhook::AddError::BadUrl(why) => format!("--url {why}"),
                webhook::AddError::Db(e) => e.to_string(),
            })?;
            Ok(format!(
                "added webhook endpoint {} for {}\n\nsigning secret: {}\n\n\
                 Keep it now: it will not be shown again. Each delivery's Intake-Signature header is\n\
                 t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" under this secret>.",
                e.id,
                e.url,
                e.secret.expose()
            ))
        }
        "list" => {
            let all = db.webhooks().list_endpoints().await.map_err(|e| e.to_string())?;
            Ok(std::iter::once("id\turl\tadded\tstatus".to_owned())
                .chain(all.iter().map(|e| {
                    format!(
                        "{}\t{}\t{}\t{}",
                        e.id,
                        e.url,
                        intake_domain::time::format_utc(e.created_at),
                        if e.removed_at.is_some() { "removed" } else { "active" }
                    )
                }))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        "remove" => {
            let id = flag("--id")?;
            let id = Uuid::parse_str(id.trim()).map_err(|_| "--id must be an endpoint id (see intake webhook list)")?;
            match db.webhooks().remove_endpoint(id, now_ms()).await.map_err(|e| e.to_string())? {
                true => Ok(format!("removed webhook endpoint {id}; its queued deliveries are given up")),
                false => Err(format!("no active webhook endpoint with id {id}")),
            }
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Records a command-line change in the accounts' audit log (best effort:
/// the change is made either way).
async fn audit(db: &Db, email: &str, action: AuditAction, detail: &str) {
    if let Ok(Some(a)) = db.accounts().by_email(email).await {
        let entry = NewAudit { at: now_ms(), actor: None, action, target: a.id, detail: detail.into() };
        if let Err(e) = db.account_admin().record(&entry).await {
            eprintln!("intake: the change is made, but the audit log could not record it: {e}");
        }
    }
}

async fn user_command(
    db: &Db,
    config: &Config,
    cmd: &str,
    flag: &dyn Fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    match cmd {
        "add" => {
            let email = flag("--email")?;
            let email = intake_domain::Email::parse(&email)
                .map(|e| e.to_string())
                .or_else(|_| if email.ends_with("@localhost") { Ok(email.clone()) } else { Err("invalid email") })
                .map_err(|e| format!("--email: {e}"))?;
            let name = flag("--name")?.trim().to_owned();
            if name.is_empty() || name.chars().count() > 100 {
                return Err("--name must be 1–100 characters".into());
            }
            let role = match flag("--role").ok() {
                Some(r) => Role::parse(r.trim()).ok_or("--role must be admin or attorney")?,
                None => Role::Attorney,
            };
            let password = read_password()?;
            let attorney = Attorney {
                id: Uuid::now_v7(),
                email: email.clone(),
                display_name: name,
                password_hash: Hasher::new(1).hash(password).await?,
                created_at: now_ms(),
                disabled: false,
                role,
                sessions_valid_after: 0,
            };
            match db.accounts().create(&attorney).await {
                Ok(()) => {
                    audit(db, &email, AuditAction::Created, role.as_str()).await;
                    Ok(format!("added {email} ({})", role.as_str()))
                }
                Err(DbError::DuplicateAttorney) => Err(format!("an account with email {email} already exists")),
                Err(e) => Err(e.to_string()),
            }
        }
        "reset-password" => {
            let email = flag("--email")?;
            if db.accounts().by_email(&email).await.map_err(|e| e.to_string())?.is_none() {
                return Err(format!("no account with email {email}"));
            }
            let hash = Hasher::new(1).hash(read_password()?).await?;
            db.accounts().set_password_hash(&email, &hash).await.map_err(|e| e.to_string())?;
            audit(db, &email, AuditAction::PasswordChanged, "").await;
            Ok(format!("password changed for {email}"))
        }
        "set-role" => {
            let email = flag("--email")?;
            let role = Role::parse(flag("--role")?.trim()).ok_or("--role must be admin or attorney")?;
            match db.accounts().set_role(&email, role).await.map_err(|e| e.to_string())? {
                true => {
                    audit(db, &email, AuditAction::RoleChanged, role.as_str()).await;
                    Ok(format!("{email} is now {} (signed out everywhere)", role.as_str()))
                }
                false => Err(format!("no account with email {email}")),
            }
        }
        "disable" | "enable" => {
            let email = flag("--email")?;
            let disabled = cmd == "disable";
            match db.accounts().set_disabled(&email, disabled).await.map_err(|e| e.to_string())? {
                true => {
                    let action = if disabled { AuditAction::Disabled } else { AuditAction::Enabled };
                    audit(db, &email, action, "").await;
                    Ok(format!("{email} {cmd}d"))
                }
                false => Err(format!("no account with email {email}")),
            }
        }
        "reset-two-step" => {
            let email = flag("--email")?;
            let a = db.accounts().by_email(&email).await.map_err(|e| e.to_string())?;
            let a = a.ok_or_else(|| format!("no account with email {email}"))?;
            let entry = NewAudit {
                at: now_ms(),
                actor: None,
                action: AuditAction::SecondFactorReset,
                target: a.id,
                detail: "reset from the command line".into(),
            };
            let mail = intake_core::mail::compose::second_factor_reset(config, &a, "An operator");
            if !db.passkeys().reset_factors(a.id, &entry, &mail).await.map_err(|e| e.to_string())? {
                return Err(format!("{email} has no second factor to reset"));
            }
            db.accounts().end_sessions(a.id, now_ms()).await.map_err(|e| e.to_string())?;
            Ok(format!(
                "{email}: authenticator app, recovery codes and passkeys removed and the account emailed; their \
                 password alone signs in"
            ))
        }
        "list" => {
            let all = db.accounts().list().await.map_err(|e| e.to_string())?;
            Ok(all
                .iter()
                .map(|a| {
                    let status = if a.disabled { "disabled" } else { "active" };
                    format!("{}\t{}\t{}\t{status}", a.email, a.display_name, a.role.as_str())
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Reads a password from stdin: prompted (twice) on a terminal, one line otherwise.
fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let read = |prompt: &str| -> Result<String, String> {
        if interactive {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    let password = read("New password: ")?;
    if interactive && read("Repeat it: ")? != password {
        return Err("the two passwords differ".into());
    }
    check_new_password(&password)?;
    Ok(password)
}
