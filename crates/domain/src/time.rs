//! Formatting stored times (Unix milliseconds, UTC) for people, without a date library in the WASM bundle.

/// `2026-11-24 09:05 UTC`.
pub fn format_utc(ms: i64) -> String {
    let t = Parts::of(ms);
    t.fast(" ", " UTC", false)
        .unwrap_or_else(|| format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year, t.month, t.day, t.hour, t.minute))
}

/// ISO 8601 for `<time datetime>`.
pub fn iso_utc(ms: i64) -> String {
    let t = Parts::of(ms);
    t.fast("T", "Z", true).unwrap_or_else(|| {
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second)
    })
}

/// A UTC instant's calendar fields.
struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Parts {
    fn of(ms: i64) -> Self {
        let secs = ms.div_euclid(1000);
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400) as u32;
        Self { year, month, day, hour: rem / 3600, minute: rem % 3600 / 60, second: rem % 60 }
    }

    /// The digits written directly: every listed lead shows two times, and
    /// `format!`'s padding machinery was 8% of a dashboard page's CPU. `None`
    /// for a year outside 0–9999 (the caller formats it the slow way).
    fn fast(&self, between: &str, end: &str, seconds: bool) -> Option<String> {
        let year = u32::try_from(self.year).ok().filter(|y| *y <= 9999)?;
        let mut s = String::with_capacity(24);
        let two = |s: &mut String, n: u32| {
            s.push(char::from(b'0' + (n / 10 % 10) as u8));
            s.push(char::from(b'0' + (n % 10) as u8));
        };
        two(&mut s, year / 100);
        two(&mut s, year % 100);
        s.push('-');
        two(&mut s, self.month);
        s.push('-');
        two(&mut s, self.day);
        s.push_str(between);
        two(&mut s, self.hour);
        s.push(':');
        two(&mut s, self.minute);
        if seconds {
            s.push(':');
            two(&mut s, self.second);
        }
        s.push_str(end);
        Some(s)
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn relative(ms: i64, now_ms: i64) -> String {
    let s = (now_ms - ms).max(0) / 1000;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match s {
        0..=44 => "just now".into(),
        45..=3599 => plural((s / 60).max(1), "minute"),
        3600..=86_399 => plural(s / 3600, "hour"),
        _ => plural(s / 86_400, "day"),
    }
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_795_999_500_000), "2026-11-30 00:45 UTC");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn the_fast_path_matches_format_everywhere() {
        for ms in [-62_167_219_200_000_i64, -1, 0, 59_999, 946_684_799_999, 4_102_444_800_000, 253_402_300_799_999] {
            let (secs, t) = (ms.div_euclid(1000), Parts::of(ms));
            let slow = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year,
                t.month,
                t.day,
                secs.rem_euclid(86_400) / 3600,
                secs.rem_euclid(3600) / 60,
                secs.rem_euclid(60)
            );
            assert_eq!(iso_utc(ms), slow, "{ms}");
            assert_eq!(format_utc(ms), format!("{} {} UTC", &slow[..10], &slow[11..16]), "{ms}");
        }
        // Beyond year 9999: the slow way, still right.
        assert_eq!(format_utc(253_402_300_800_000), "10000-01-01 00:00 UTC");
        assert_eq!(iso_utc(-62_167_219_200_001), "-001-12-31T23:59:59Z");
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = 10_000_000_000;
        assert_eq!(relative(now - 5_000, now), "just now");
        assert_eq!(relative(now - 60_000, now), "1 minute ago");
        assert_eq!(relative(now - 7_200_000, now), "2 hours ago");
        assert_eq!(relative(now - 3 * 86_400_000, now), "3 days ago");
        assert_eq!(relative(now + 5_000, now), "just now");
    }
}
