//! wrk's summary, read back by `loadgen wrk`. wrk (C, one event loop per
//! thread) loads the server with less CPU than reqwest, which matters when
//! the loader shares the server's two cores.

/// One wrk run's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WrkRun {
    /// Responses received (any status).
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Responses that were not 2xx (the script's count, else wrk's own).
    pub status_errors: u64,
    /// wrk's socket errors: connect, read, write and timeout.
    pub socket_errors: u64,
}

impl WrkRun {
    /// Reads wrk's stdout: its summary, `--latency`'s distribution, and the
    /// line the script's `done()` prints (`p50=1.2ms p99=34.5ms errors(non-2xx)=0`),
    /// which wins over wrk's own latency and status figures.
    pub fn parse(out: &str) -> Result<Self, String> {
        let (mut requests, mut per_sec, mut done) = (None, None, None);
        let (mut p50, mut p99, mut non_2xx, mut socket_errors) = (None, None, 0, 0);
        for line in out.lines().map(str::trim) {
            if let Some(v) = line.strip_prefix("Requests/sec:") {
                per_sec = v.trim().parse::<f64>().ok();
            } else if let Some((n, _)) = line.split_once(" requests in ") {
                requests = n.trim().parse::<u64>().ok();
            } else if let Some(v) = line.strip_prefix("Socket errors:") {
                socket_errors =
                    v.split(',').filter_map(|e| e.split_whitespace().next_back()?.parse::<u64>().ok()).sum::<u64>();
            } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
                non_2xx = v.trim().parse::<u64>().unwrap_or(0);
            } else if line.starts_with("p50=") {
                done = Some(parse_done(line).ok_or_else(|| format!("unreadable line from the script: {line}"))?);
            } else if let Some(v) = line.strip_prefix("50%") {
                p50 = duration_ms(v);
            } else if let Some(v) = line.strip_prefix("99%") {
                p99 = duration_ms(v);
            }
        }
        let requests = requests.ok_or("no `N requests in` line")?;
        let requests_per_sec = per_sec.ok_or("no `Requests/sec:` line")?;
        let (p50_ms, p99_ms, status_errors) = match done {
            Some(d) => d,
            None => (p50.ok_or("no p50 latency")?, p99.ok_or("no p99 latency")?, non_2xx),
        };
        Ok(Self { requests, requests_per_sec, p50_ms, p99_ms, status_errors, socket_errors })
    }

    pub fn errors(&self) -> u64 {
        self.status_errors + self.socket_errors
    }

    pub fn ok(&self) -> u64 {
        self.requests.saturating_sub(self.errors())
    }

    /// Successful requests per second (wrk's rate counts every response).
    pub fn rate(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { self.requests_per_sec * self.ok() as f64 / self.requests as f64 }
    }
}

/// `p50=1.2ms p99=34.5ms errors(non-2xx)=0` as (p50 ms, p99 ms, errors).
fn parse_done(line: &str) -> Option<(f64, f64, u64)> {
    let field = |key: &str| line.split_whitespace().find_map(|t| t.strip_prefix(key));
    Some((duration_ms(field("p50=")?)?, duration_ms(field("p99=")?)?, field("errors(non-2xx)=")?.parse().ok()?))
}

/// A wrk duration (`812.00us`, `1.25ms`, `2.01s`, `1.50m`) in milliseconds.
fn duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let scale = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3_600e3,
        _ => return None,
    };
    Some(n.parse::<f64>().ok()? * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str = "Running 10s test @ http://127.0.0.1:3301/api/leads
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    27.08ms   10.11ms 135.48ms   77.37%
    Req/Sec     1.19k   153.26     1.55k    71.50%
  Latency Distribution
     50%   25.48ms
     75%   30.89ms
     90%   37.23ms
     99%   66.63ms
  23754 requests in 10.02s, 5.53MB read
  Socket errors: connect 0, read 2, write 0, timeout 12
  Non-2xx or 3xx responses: 5
Requests/sec:   2370.81
Transfer/sec:    565.23KB
";

    #[test]
    fn reads_the_scripts_line_over_wrks_figures() {
        let run = WrkRun::parse(&format!("{OUT}p50=24.9ms p99=61.2ms errors(non-2xx)=7\n")).unwrap();
        assert_eq!((run.requests, run.p50_ms, run.p99_ms), (23_754, 24.9, 61.2));
        assert_eq!((run.status_errors, run.socket_errors, run.ok()), (7, 14, 23_733));
        assert!((run.rate() - 2370.81 * 23_733.0 / 23_754.0).abs() < 1e-9);
    }

    #[test]
    fn falls_back_to_wrks_own_figures() {
        let run = WrkRun::parse(OUT).unwrap();
        assert_eq!((run.p50_ms, run.p99_ms, run.status_errors), (25.48, 66.63, 5));
        assert!(duration_ms("812.00us").is_some_and(|ms| (ms - 0.812).abs() < 1e-9));
        assert!(WrkRun::parse("unable to connect to 127.0.0.1:3301 Connection refused").is_err());
    }
}
