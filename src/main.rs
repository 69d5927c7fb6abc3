//! The `intake` server binary.

use intake::server::startup::Application;
use intake_core::config::Config;
use tracing_subscriber::EnvFilter;

/// mimalloc: the dashboard and submission profiles spent about 13% in glibc
/// malloc/free (small, short-lived allocations from rows and JSON).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // The resume text reader's child: it starts nothing else (no runtime, no
    // configuration, no logging) and confines itself once its input is read.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("extract") {
        return intake_extract::sandbox::child_main(&args[1..]);
    }
    limit_malloc_retention();
    tune_mimalloc();
    intake_store::sqlite::tune_process();
    let blocking = match blocking_threads() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("intake: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(blocking).build();
    match runtime {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("intake: cannot start the async runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Read here, before the configuration, so that its errors are logged in the same format.
    match std::env::var("INTAKE_LOG_FORMAT").as_deref() {
        Ok("json") => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init(),
        Ok("text") | Err(_) => tracing_subscriber::fmt().with_env_filter(filter).init(),
        Ok(other) => {
            eprintln!("intake: INTAKE_LOG_FORMAT must be text or json, not {other:?}");
            return std::process::ExitCode::from(2);
        }
    }

    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("intake: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => {}
        Some("user" | "token" | "webhook" | "digest" | "form" | "backup" | "restore") => {
            return std::process::ExitCode::from(intake::server::cli::run(&args, &config).await);
        }
        Some(_) => {
            eprintln!("{}", intake::server::cli::USAGE);
            return std::process::ExitCode::from(2);
        }
    }
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let app = match Application::build(config, &site_root).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("intake: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    release_startup_memory();
    tracing::info!("Intake listening on http://{}", app.state().leptos_options.site_addr);
    if let Err(e) = app.run_until(shutdown_signal()).await {
        eprintln!("intake: server error: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Start-up's Argon2 hashes (the login dummy's, and a first account's) free
/// 19 MiB blocks each; mimalloc returns freed memory only after a delay, on
/// later allocator activity, which an idle server never has: it sat at 35 MiB
/// anonymous instead of 17.
fn release_startup_memory() {
    // SAFETY: a collection request; mimalloc keeps every live allocation.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Blocking threads do file writes and fsyncs (resumes, .eml files) and
/// scans: `INTAKE_BLOCKING_THREADS`, default 32, bounded well below tokio's
/// 512. Each keeps its own allocator heap: at 64 concurrent uploads, 32
/// threads held 88–95 MiB anonymous and 16 held 80–82, but 16 also took
/// about 10% off the rate (fewer fsyncs in flight for the journal to batch). Read here, not with the configuration: the runtime
/// exists before the configuration is read.
fn blocking_threads() -> Result<usize, String> {
    parse_blocking_threads(std::env::var("INTAKE_BLOCKING_THREADS").ok().as_deref())
}

fn parse_blocking_threads(value: Option<&str>) -> Result<usize, String> {
    match value {
        None => Ok(32),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n @ 1..=512) => Ok(n),
            _ => Err(format!("INTAKE_BLOCKING_THREADS must be a whole number from 1 to 512, not {v:?}")),
        },
    }
}

/// glibc raises its mmap threshold after large frees, so large blocks then
/// come from per-thread arenas and are never returned (before mimalloc, the
/// 19 MiB blocks of 64 concurrent password hashes grew the process to
/// gigabytes). Rust code now allocates from mimalloc; SQLite still uses glibc
/// malloc, so keep large blocks in mmap, returned to the system on free.
fn limit_malloc_retention() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator tuning; called before other threads allocate.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

/// mimalloc commits arena memory eagerly; committing on demand keeps less
/// resident under 64 concurrent uploads at the same throughput. (Purging
/// freed memory at once, `MIMALLOC_PURGE_DELAY=0`, was tried too: it made no
/// difference to the peak under uploads, and its `madvise` calls and the TLB
/// flushes they cause on every core were 7% of a dashboard page's CPU, so
/// mimalloc's own delay stands.) The option number is that of mimalloc v3's
/// `mi_option_e` (libmimalloc-sys bundles v3; not exported as constants).
fn tune_mimalloc() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    // SAFETY: a plain option setter, called before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::parse_blocking_threads;

    #[test]
    fn blocking_threads_are_bounded() {
        assert_eq!(parse_blocking_threads(None), Ok(32));
        assert_eq!(parse_blocking_threads(Some(" 8 ")), Ok(8));
        assert_eq!(parse_blocking_threads(Some("512")), Ok(512));
        for bad in ["0", "513", "-1", "eight", ""] {
            let e = parse_blocking_threads(Some(bad)).unwrap_err();
            assert!(e.contains("INTAKE_BLOCKING_THREADS") && e.contains("1 to 512"), "{bad}: {e}");
        }
    }
}
