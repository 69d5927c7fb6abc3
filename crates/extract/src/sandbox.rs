//! The child process that reads a file's text (`intake extract <format>`:
//! the file on its standard input, the text on its standard output), and the
//! parent's side of it. Parsers of hostile files can loop, recurse or
//! allocate without end; in a child, that costs the child.
//!
//! - Before the child's program starts (`setrlimit` between fork and exec):
//!   CPU time (`RLIMIT_CPU`: SIGXCPU, then SIGKILL a second later), address
//!   space (`RLIMIT_AS`), no file written (`RLIMIT_FSIZE` 0), no core dump.
//! - Once its input is read, the child lowers `RLIMIT_NOFILE` to the three
//!   descriptors it holds: it can open no file and no socket from then on,
//!   on any Unix.
//! - The parent gives it no environment (no secret reaches it), kills it when
//!   its wall-clock time is up, and reads at most [`MAX_OUTPUT`] bytes of text.

use crate::{ExtractError, Format, extract};
use std::{
    io::{Read, Write},
    path::Path,
    process::{ExitCode, Stdio},
    time::Duration,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A file larger than this is not read (the upload limit is far below it).
pub const MAX_INPUT: u64 = 64 * 1024 * 1024;
/// Bytes of text read back from the child, at most (4 bytes a character).
pub const MAX_OUTPUT: u64 = 4 * crate::MAX_TEXT_CHARS as u64 + 1024;

/// What the OS allows a child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// CPU time.
    pub cpu: Duration,
    /// Address space, in bytes (the program's own mappings included).
    pub memory: u64,
    /// Wall-clock time, waiting included.
    pub wall: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { cpu: Duration::from_secs(10), memory: 1024 * 1024 * 1024, wall: Duration::from_secs(30) }
    }
}

/// Why a child gave no text.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The file was read and refused: damaged, encrypted, not handled.
    #[error(transparent)]
    Refused(ExtractError),
    #[error("reading the file took longer than allowed")]
    TimedOut,
    /// Stopped by the OS: a limit was reached, or the parser crashed.
    #[error("reading the file was stopped ({0})")]
    Stopped(&'static str),
    #[error("the reader could not run: {0}")]
    Failed(String),
}

/// Runs `program extract <format>` on `input` under `limits`.
pub async fn run(program: &Path, format: Format, input: &[u8], limits: &Limits) -> Result<String, RunError> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.arg("extract").arg(format.as_str());
    run_command(cmd, input, limits).await
}

/// Runs a prepared command as a confined child (also how the tests try the limits on other programs).
pub async fn run_command(mut cmd: tokio::process::Command, input: &[u8], limits: &Limits) -> Result<String, RunError> {
    let cpu = limits.cpu.as_secs().max(1);
    let memory = limits.memory;
    cmd.env_clear()
        // mimalloc would reserve a 1 GiB arena up front; the address-space limit counts reservations.
        .env("MIMALLOC_ARENA_RESERVE", "32MiB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: between fork and exec only async-signal-safe calls are allowed;
    // `setrlimit` is one, and nothing here allocates or takes a lock.
    unsafe {
        cmd.pre_exec(move || {
            limit(libc::RLIMIT_CPU, cpu, cpu + 1)?;
            limit(libc::RLIMIT_AS, memory, memory)?;
            limit(libc::RLIMIT_FSIZE, 0, 0)?;
            limit(libc::RLIMIT_CORE, 0, 0)?;
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| RunError::Failed(e.to_string()))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(RunError::Failed("no pipes to the child".into()));
    };
    let outcome = tokio::time::timeout(limits.wall, async {
        let write = async {
            // A child that stops reading (it refused the file early) is not an error here.
            let _ = stdin.write_all(input).await;
            drop(stdin);
        };
        let (mut text, mut said) = (Vec::new(), Vec::new());
        let (mut stdout, mut stderr) = (stdout.take(MAX_OUTPUT), stderr.take(4096));
        let read = stdout.read_to_end(&mut text);
        let why = stderr.read_to_end(&mut said);
        let ((), read, _) = tokio::join!(write, read, why);
        read.map_err(|e| RunError::Failed(e.to_string()))?;
        let status = child.wait().await.map_err(|e| RunError::Failed(e.to_string()))?;
        Ok::<_, RunError>((status, text, said))
    })
    .await;
    let (status, text, said) = match outcome {
        Ok(done) => done?,
        Err(_) => {
            let _ = child.kill().await;
            return Err(RunError::TimedOut);
        }
    };
    use std::os::unix::process::ExitStatusExt;
    if let Some(signal) = status.signal() {
        return Err(RunError::Stopped(match signal {
            libc::SIGXCPU | libc::SIGKILL => "it used all its CPU time",
            libc::SIGXFSZ => "it tried to write a file",
            libc::SIGSEGV | libc::SIGBUS | libc::SIGABRT => "it crashed or ran out of memory",
            _ => "a signal",
        }));
    }
    let said = String::from_utf8_lossy(&said).trim().to_owned();
    match status.code() {
        Some(0) => Ok(String::from_utf8_lossy(&text).into_owned()),
        Some(3) => Err(RunError::Refused(ExtractError::Damaged(said))),
        Some(4) => Err(RunError::Refused(ExtractError::Encrypted)),
        Some(5) => Err(RunError::Refused(ExtractError::Unsupported)),
        Some(6) => Err(RunError::Refused(ExtractError::TooLarge)),
        Some(code) => Err(RunError::Failed(format!("exit status {code}: {said}"))),
        None => Err(RunError::Failed("no exit status".into())),
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

fn limit(resource: Resource, soft: u64, hard: u64) -> std::io::Result<()> {
    let l = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
    // SAFETY: a plain system call on a value we own.
    if unsafe { libc::setrlimit(resource, &l) } == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// The child: `extract <format>`, the file on standard input. Exit status 0
/// with the text on standard output, or [`ExtractError::exit_code`] with the
/// reason on standard error; 2 for a wrong command line.
pub fn child_main(args: &[String]) -> ExitCode {
    // A parser's panic is caught and reported as a damaged file: its message would only repeat that.
    std::panic::set_hook(Box::new(|_| {}));
    let Some(format) = args.first().and_then(|a| Format::parse(a)) else {
        eprintln!("usage: intake extract pdf|docx|doc|odt|rtf|txt < FILE");
        return ExitCode::from(2);
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut input) {
        eprintln!("cannot read the file: {e}");
        return ExitCode::from(2);
    }
    if input.len() as u64 > MAX_INPUT {
        return refused(&ExtractError::TooLarge);
    }
    // From here on, no file and no socket can be opened: every new descriptor is refused.
    if let Err(e) = limit(libc::RLIMIT_NOFILE, 3, 3) {
        eprintln!("cannot confine the reader: {e}");
        return ExitCode::from(2);
    }
    match extract(&input, format) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => refused(&e),
    }
}

fn refused(e: &ExtractError) -> ExitCode {
    eprintln!("{e}");
    ExitCode::from(e.exit_code())
}
