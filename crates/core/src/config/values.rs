//! Reading variables and parsing their values: sizes, durations, periods, rates.

use super::{ConfigError, Rate};
use lettre::message::Mailbox;
use std::{collections::HashMap, time::Duration};

/// The variables, trimmed; an empty one counts as unset.
pub(super) struct Vars<'a>(pub &'a HashMap<String, String>);

impl Vars<'_> {
    pub fn get(&self, k: &str) -> Option<String> {
        self.0.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// A whole number above 0.
    pub fn count(&self, var: &'static str, default: usize) -> Result<usize, ConfigError> {
        match self.get(var) {
            Some(v) => {
                v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| err(var, "must be a whole number above 0"))
            }
            None => Ok(default),
        }
    }

    /// A short, non-zero duration: `500ms`, `10s`, `1m`.
    pub fn duration(&self, var: &'static str, default: Duration) -> Result<Duration, ConfigError> {
        match self.get(var) {
            Some(v) => parse_duration(&v)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| err(var, "must be a duration like 500ms, 10s or 1m")),
            None => Ok(default),
        }
    }

    /// A time of at least a minute, short (`90m`, `12h`) or long (`7d`, `2w`); `why` says what is expected.
    pub fn time(&self, var: &'static str, default: Duration, why: &str) -> Result<Duration, ConfigError> {
        match self.get(var) {
            Some(v) => parse_duration(&v)
                .or_else(|| parse_period(&v))
                .filter(|d| *d >= Duration::from_secs(60))
                .ok_or_else(|| err(var, why)),
            None => Ok(default),
        }
    }

    pub fn bytes(&self, var: &'static str, default: u64) -> Result<u64, ConfigError> {
        match self.get(var) {
            Some(v) => parse_bytes(&v).map_err(|r| err(var, r)),
            None => Ok(default),
        }
    }

    /// A rate (`10/min`); `0` or `off`: no limit.
    pub fn rate(&self, var: &'static str, default: Rate) -> Result<Option<Rate>, ConfigError> {
        match self.get(var) {
            Some(v) => parse_rate(&v).map_err(|r| err(var, r)),
            None => Ok(Some(default)),
        }
    }
}

pub(super) fn err(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError { var, reason: reason.into() }
}

pub(super) fn parse_mailbox(s: &str) -> Result<Mailbox, String> {
    s.parse::<Mailbox>().map_err(|e| format!("{s:?} is not an email address ({e})"))
}

/// Parses `10485760`, `512K`, `10M`, `10MiB`, `1G`.
pub(super) fn parse_bytes(s: &str) -> Result<u64, String> {
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

/// Parses `500ms`, `6s`, `2m`, `1h` (a bare number is seconds).
pub(super) fn parse_duration(s: &str) -> Option<Duration> {
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
pub(super) fn parse_period(s: &str) -> Option<Duration> {
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
pub(super) fn parse_rate(s: &str) -> Result<Option<Rate>, String> {
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
