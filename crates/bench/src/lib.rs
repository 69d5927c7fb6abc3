//! Intake's load benchmark: what the programs in `src/bin` share (names for
//! seeded leads, the servers' CPU and memory from /proc, one run's record)
//! and the README's figures made from those records. Rule: reaches Intake
//! over HTTP (the seeder through `intake-store`); never names the app or Leptos.

pub mod names;
pub mod report;
pub mod wrk;

use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::{sync::oneshot, task::JoinHandle};

/// One run of one scenario: a JSON line of the `--record` file, read back by
/// `loadgen report`. Rates and CPU count successful requests only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// `submit`, `list`, `search-synthetic`, `search-varied`, `search-surname`,
    /// `page`, `logins`, `live` or `limit-durable`.
    pub scenario: String,
    /// Leads in the table (dashboard scenarios).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Clients at once (`live`: open dashboards).
    pub concurrency: u64,
    /// Successful requests per second.
    pub rate: f64,
    pub ok: u64,
    /// Latency percentiles (`live`: submit-to-event delay).
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    /// Server CPU per successful request, all `--server-pid`s together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<f64>,
    /// Database processes' CPU per successful request (`--db-procs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_cpu_ms: Option<f64>,
    /// The largest server's `VmHWM` at the end of the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_peak_mib: Option<f64>,
    /// The largest `RssAnon` and `RssFile` sampled during the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_anon_mib: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_file_mib: Option<f64>,
    /// `loadgen` or `wrk`.
    pub loader: String,
    /// Runs pooled into this figure by the report (not written: a record is one run).
    #[serde(skip_serializing, default = "one")]
    pub runs: usize,
}

fn one() -> usize {
    1
}

impl Record {
    /// Appends the record to `path` as one JSON line.
    pub fn append(&self, path: &str) -> std::io::Result<()> {
        use std::io::Write;
        let line = serde_json::to_string(self).map_err(std::io::Error::other)?;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(file, "{line}")
    }
}

/// `v` rounded to `digits` decimals, so records stay readable.
pub fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

/// CPU seconds (user + system) of a process (`self`: this one), from /proc.
pub fn cpu_seconds(pid: &str) -> f64 {
    stat_seconds(pid, 11)
}

/// CPU seconds of a process's children that ended (e.g. the loader's wrk).
pub fn children_cpu_seconds(pid: &str) -> f64 {
    stat_seconds(pid, 13)
}

/// Two adjacent clock-tick fields of `/proc/PID/stat` (user, system), in seconds.
fn stat_seconds(pid: &str, user_field: usize) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: count fields after its closing parenthesis.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Clock ticks of 1/100 s.
    (ticks(user_field) + ticks(user_field + 1)) / 100.0
}

/// CPU seconds of every process with this name (e.g. all `postgres` backends).
pub fn cpu_of_named(name: &str) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())).map(str::to_owned))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name))
        .map(|pid| cpu_seconds(&pid))
        .sum()
}

/// A field of `/proc/PID/status` in kB (`VmHWM`, `RssAnon`, ...); 0 if absent.
pub fn status_kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A server's memory: the peak resident set (`VmHWM`) and the largest
/// anonymous (heap) and file-backed (mapped database, binary) parts seen.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rss {
    pub peak_kib: u64,
    pub anon_kib: u64,
    pub file_kib: u64,
}

impl Rss {
    /// The process's memory now (0s once it is gone).
    pub fn read(pid: &str) -> Self {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        Self {
            peak_kib: status_kib(&status, "VmHWM"),
            anon_kib: status_kib(&status, "RssAnon"),
            file_kib: status_kib(&status, "RssFile"),
        }
    }

    /// The larger of each figure.
    pub fn max_of(self, other: Self) -> Self {
        Self {
            peak_kib: self.peak_kib.max(other.peak_kib),
            anon_kib: self.anon_kib.max(other.anon_kib),
            file_kib: self.file_kib.max(other.file_kib),
        }
    }
}

/// KiB as MiB.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Samples servers' memory every 100 ms in the background: `RssAnon` and
/// `RssFile` peak at different moments, and only the total keeps a peak.
pub struct RssWatch {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Vec<Rss>>,
}

impl RssWatch {
    pub fn start(pids: Vec<String>) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut seen = vec![Rss::default(); pids.len()];
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = &mut stopped => break,
                }
                for (s, pid) in seen.iter_mut().zip(&pids) {
                    *s = s.max_of(Rss::read(pid));
                }
            }
            // The final sample's VmHWM covers the whole run.
            for (s, pid) in seen.iter_mut().zip(&pids) {
                *s = s.max_of(Rss::read(pid));
            }
            seen
        });
        Self { stop, task }
    }

    /// Each server's memory over the run, in `--server-pid` order.
    pub async fn finish(self) -> Vec<Rss> {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_fields_in_kib() {
        let status = "Name:\tintake\nVmHWM:\t  99328 kB\nRssAnon:\t   61542 kB\nRssFile:\t   30925 kB\n";
        assert_eq!(status_kib(status, "VmHWM"), 99_328);
        assert_eq!(status_kib(status, "RssAnon"), 61_542);
        assert_eq!(status_kib(status, "RssShmem"), 0);
    }

    #[test]
    fn records_leave_out_what_was_not_measured() {
        let r = Record {
            backend: None,
            scenario: "logins".into(),
            size: None,
            concurrency: 16,
            rate: 94.0,
            ok: 256,
            p50_ms: 160.0,
            p99_ms: 250.0,
            errors: 0,
            cpu_ms: None,
            db_cpu_ms: None,
            rss_peak_mib: None,
            rss_anon_mib: None,
            rss_file_mib: None,
            loader: "loadgen".into(),
            runs: 1,
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(!line.contains("backend") && !line.contains("cpu_ms"), "{line}");
        assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), r);
    }
}
