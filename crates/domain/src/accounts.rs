//! Accounts as administrators manage them in the browser: the list, the
//! audit log, and the one-time links that let a person set a password.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An account as listed on `/admin`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `admin` or `attorney`.
    pub role: String,
    pub status: AccountStatus,
    pub created_at: i64,
    /// An authenticator app is on.
    #[serde(default)]
    pub two_step: bool,
}

/// A signed-in browser, as listed on `/account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigninRow {
    pub id: Uuid,
    /// Browser and system, as [`crate::device::describe`] tells them.
    pub device: String,
    /// The address it signed in from, or was last seen at.
    pub address: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    /// The browser asking.
    pub current: bool,
}

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Can log in.
    Active,
    /// Invited; no password set yet.
    Invited,
    /// May not log in.
    Disabled,
}

impl AccountStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Invited => "Invited",
            Self::Disabled => "Disabled",
        }
    }
}

/// What happened to an account, as the audit log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Created,
    Invited,
    ResetSent,
    PasswordSet,
    PasswordChanged,
    Disabled,
    Enabled,
    RoleChanged,
    SecondFactorAdded,
    SecondFactorRemoved,
    RecoveryCodesRenewed,
    RecoveryCodeUsed,
    SecondFactorRefused,
    SecondFactorReset,
    SessionEnded,
}

impl AuditAction {
    pub const ALL: [Self; 15] = [
        Self::Created,
        Self::Invited,
        Self::ResetSent,
        Self::PasswordSet,
        Self::PasswordChanged,
        Self::Disabled,
        Self::Enabled,
        Self::RoleChanged,
        Self::SecondFactorAdded,
        Self::SecondFactorRemoved,
        Self::RecoveryCodesRenewed,
        Self::RecoveryCodeUsed,
        Self::SecondFactorRefused,
        Self::SecondFactorReset,
        Self::SessionEnded,
    ];

    /// The stored and URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Invited => "invited",
            Self::ResetSent => "reset_sent",
            Self::PasswordSet => "password_set",
            Self::PasswordChanged => "password_changed",
            Self::Disabled => "disabled",
            Self::Enabled => "enabled",
            Self::RoleChanged => "role_changed",
            Self::SecondFactorAdded => "second_factor_added",
            Self::SecondFactorRemoved => "second_factor_removed",
            Self::RecoveryCodesRenewed => "recovery_codes_renewed",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::SecondFactorRefused => "second_factor_refused",
            Self::SecondFactorReset => "second_factor_reset",
            Self::SessionEnded => "session_ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Account created",
            Self::Invited => "Invited",
            Self::ResetSent => "Password reset link sent",
            Self::PasswordSet => "Password set from a link",
            Self::PasswordChanged => "Password changed",
            Self::Disabled => "Disabled",
            Self::Enabled => "Enabled again",
            Self::RoleChanged => "Role changed",
            Self::SecondFactorAdded => "Authenticator app added",
            Self::SecondFactorRemoved => "Authenticator app removed",
            Self::RecoveryCodesRenewed => "New recovery codes",
            Self::RecoveryCodeUsed => "Signed in with a recovery code",
            Self::SecondFactorRefused => "Wrong sign-in code",
            Self::SecondFactorReset => "Two-step sign-in reset",
            Self::SessionEnded => "Signed out a browser",
        }
    }
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    /// Who did it (`None`: the command line).
    pub actor: Option<String>,
    pub action: AuditAction,
    /// The account's email.
    pub target: String,
    pub detail: String,
}

/// The accounts part of `/admin`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounts {
    pub accounts: Vec<AccountRow>,
    /// The newest entries, of one kind when filtered.
    pub audit: Vec<AuditRow>,
    /// The viewer (who may not disable themself).
    pub me: Uuid,
}

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    Invite,
    Reset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "invite" => Some(Self::Invite),
            "reset" => Some(Self::Reset),
            _ => None,
        }
    }
}

/// A valid link, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    pub email: String,
    pub name: String,
    pub purpose: LinkPurpose,
}

/// Shortest password, in characters (the server's policy; checked as typed too).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a new password is refused: the one policy, for the browser, the
/// server and the CLI, each of which words it for its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakPassword {
    TooShort,
    TooLong,
}

impl WeakPassword {
    /// The rule broken, as "at least 12 characters".
    pub fn rule(self) -> String {
        match self {
            Self::TooShort => format!("at least {MIN_PASSWORD_CHARS} characters"),
            Self::TooLong => format!("at most {MAX_PASSWORD_CHARS} characters"),
        }
    }
}

/// Longest password, in characters (bounds the hashing work).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The password policy: a length in characters, nothing else (NIST 800-63B).
pub fn password_policy(password: &str) -> Result<(), WeakPassword> {
    match password.chars().count() {
        n if n < MIN_PASSWORD_CHARS => Err(WeakPassword::TooShort),
        n if n > MAX_PASSWORD_CHARS => Err(WeakPassword::TooLong),
        _ => Ok(()),
    }
}

/// Checks a new password and its confirmation as typed; the server runs the same.
pub fn check_new_password(password: &str, confirm: &str) -> Result<(), String> {
    password_policy(password).map_err(|w| format!("New password: {}.", w.rule()))?;
    if password != confirm {
        return Err("Confirm password: the two passwords differ.".into());
    }
    Ok(())
}
