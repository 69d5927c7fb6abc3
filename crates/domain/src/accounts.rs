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
    /// How many passkeys it has.
    #[serde(default)]
    pub passkeys: u32,
}

impl AccountRow {
    /// Its second factors in a few words ("Authenticator app, 2 passkeys").
    pub fn factors(&self) -> String {
        let keys = match self.passkeys {
            0 => None,
            1 => Some("1 passkey".to_owned()),
            n => Some(format!("{n} passkeys")),
        };
        match (self.two_step, keys) {
            (false, None) => "Password only".into(),
            (true, None) => "Authenticator app".into(),
            (false, Some(k)) => k,
            (true, Some(k)) => format!("Authenticator app, {k}"),
        }
    }

    /// Whether it has any second factor.
    pub fn has_second_factor(&self) -> bool {
        self.two_step || self.passkeys > 0
    }
}

/// One of the account's passkeys, as listed on `/account`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: Uuid,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The longest passkey name, in characters.
pub const PASSKEY_NAME_MAX: usize = 60;

/// A passkey's name as its owner types it ("Work laptop", "YubiKey 5"):
/// trimmed, 1 to [`PASSKEY_NAME_MAX`] characters, no control characters.
pub fn passkey_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Give the passkey a name, such as “Work laptop”, to tell it from others.".into());
    }
    if name.chars().count() > PASSKEY_NAME_MAX {
        return Err(format!("A passkey's name can be at most {PASSKEY_NAME_MAX} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A passkey's name cannot hold control characters.".into());
    }
    Ok(name.to_owned())
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
    SsoSignIn,
}

impl AuditAction {
    pub const ALL: [Self; 16] = [
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
        Self::SsoSignIn,
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
            Self::SsoSignIn => "sso_sign_in",
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
            Self::SecondFactorAdded => "Second factor added",
            Self::SecondFactorRemoved => "Second factor removed",
            Self::RecoveryCodesRenewed => "New recovery codes",
            Self::RecoveryCodeUsed => "Signed in with a recovery code",
            Self::SecondFactorRefused => "Second factor refused",
            Self::SecondFactorReset => "Two-step sign-in reset",
            Self::SessionEnded => "Signed out a browser",
            Self::SsoSignIn => "Signed in with single sign-on",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passkey_names_are_checked() {
        assert_eq!(passkey_name("  Work laptop ").as_deref(), Ok("Work laptop"));
        assert_eq!(passkey_name("Clé de Zoë 🔑").as_deref(), Ok("Clé de Zoë 🔑"));
        assert!(passkey_name("   ").is_err());
        assert!(passkey_name("a\u{0}b").is_err());
        assert!(passkey_name(&"é".repeat(PASSKEY_NAME_MAX)).is_ok(), "characters, not bytes");
        assert!(passkey_name(&"é".repeat(PASSKEY_NAME_MAX + 1)).is_err());
    }

    #[test]
    fn factors_in_a_few_words() {
        let mut a = AccountRow {
            id: Uuid::nil(),
            email: "a@firm.test".into(),
            name: "A".into(),
            role: "attorney".into(),
            status: AccountStatus::Active,
            created_at: 0,
            two_step: false,
            passkeys: 0,
        };
        assert_eq!(a.factors(), "Password only");
        a.passkeys = 2;
        assert_eq!(a.factors(), "2 passkeys");
        a.two_step = true;
        a.passkeys = 1;
        assert_eq!(a.factors(), "Authenticator app, 1 passkey");
    }
}
