//! `intake backup <file>` and `intake restore <file>` for SQLite, through
//! SQLite's online backup API: a backup is one consistent snapshot taken
//! while the server runs (one read transaction; writers are not blocked
//! under WAL). PostgreSQL has its own tools (see the README).

use rusqlite::{Connection, OpenFlags, backup::Backup};
use sqlx::sqlite::SqliteConnectOptions;
use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

/// The SQLite file `DATABASE_URL` names, or why there is none.
fn database_file(url: &str) -> Result<PathBuf, String> {
    if !url.starts_with("sqlite:") {
        return Err(
            "backup and restore handle SQLite; on PostgreSQL use pg_dump and pg_restore (see the README)".into()
        );
    }
    let options = SqliteConnectOptions::from_str(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    Ok(options.get_filename().to_owned())
}

/// Copies every page of `from` into `to` in one step, so the copy is one snapshot.
fn copy(from: &Connection, to: &mut Connection) -> Result<(), String> {
    use rusqlite::backup::StepResult;
    let backup = Backup::new(from, to).map_err(|e| format!("copy failed: {e}"))?;
    for _ in 0..100 {
        match backup.step(-1).map_err(|e| format!("copy failed: {e}"))? {
            StepResult::Done => return Ok(()),
            // Another connection holds a lock for a moment (a checkpoint): try again.
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Err("copy failed: the database stayed locked for 10 s".into())
}

/// Refuses a file that is not a sound Intake database.
fn check(conn: &Connection, what: &str) -> Result<i64, String> {
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| format!("{what}: {e}"))?;
    if ok != "ok" {
        return Err(format!("{what} is damaged: {ok}"));
    }
    conn.query_row("SELECT COUNT(*) FROM leads", [], |r| r.get(0))
        .map_err(|_| format!("{what} is not an Intake database (no leads table)"))
}

/// Writes a consistent copy of the database to `dest`, which must not exist.
pub fn backup(url: &str, dest: &Path) -> Result<String, String> {
    let source = database_file(url)?;
    if dest.exists() {
        return Err(format!("{} already exists; choose a new file", dest.display()));
    }
    let from = Connection::open_with_flags(&source, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", source.display()))?;
    from.busy_timeout(Duration::from_secs(10)).map_err(|e| e.to_string())?;
    // Written beside the destination, then renamed: a failed backup leaves no half file.
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut to = Connection::open(&partial).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    let result = copy(&from, &mut to).and_then(|()| {
        to.pragma_update(None, "journal_mode", "DELETE").map_err(|e| e.to_string())?;
        check(&to, "the copy")
    });
    drop(to);
    let leads = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, dest).map_err(|e| e.to_string())?;
    Ok(format!("backed up {leads} leads to {}", dest.display()))
}

/// Held (shared) by every server on a SQLite database for as long as it
/// runs, so that a restore can tell; the system releases it when the process
/// ends, crash or not. `None` on PostgreSQL.
pub fn instance_lock(url: &str) -> std::io::Result<Option<std::fs::File>> {
    let Ok(db) = database_file(url) else { return Ok(None) };
    let lock = std::fs::File::create(lock_path(&db))?;
    lock.lock_shared()?;
    Ok(Some(lock))
}

fn lock_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.lock", db.display()))
}

/// Replaces the database with the backup `src`. The server must be stopped;
/// one that runs holds [`instance_lock`], and one that starts meanwhile waits.
pub fn restore(url: &str, src: &Path) -> Result<String, String> {
    let target = database_file(url)?;
    let lock = std::fs::File::create(lock_path(&target)).map_err(|e| e.to_string())?;
    if lock.try_lock().is_err() {
        return Err(format!("{} is in use by a running server: stop the server first", target.display()));
    }
    let from = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", src.display()))?;
    let leads = check(&from, &src.display().to_string())?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    // Into a new file, then renamed over the old one: the old file is never
    // rewritten or shortened in place, so a process that still maps it (a
    // server's readers map the database) reads its old pages, never a hole.
    let staged = PathBuf::from(format!("{}.restoring", target.display()));
    let _ = std::fs::remove_file(&staged);
    let mut to = Connection::open(&staged).map_err(|e| format!("cannot open {}: {e}", staged.display()))?;
    copy(&from, &mut to)?;
    // Back to the server's journal mode; the copy came from a DELETE-mode file.
    to.pragma_update(None, "journal_mode", "WAL").map_err(|e| e.to_string())?;
    check(&to, "the restored database")?;
    drop(to);
    // The old file's WAL and index belong to the old file: a stopped server left them empty or gone.
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", target.display()));
    }
    std::fs::rename(&staged, &target).map_err(|e| format!("cannot move the restored database into place: {e}"))?;
    Ok(format!("restored {leads} leads from {} into {}", src.display(), target.display()))
}
