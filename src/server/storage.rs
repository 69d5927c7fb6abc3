//! Resume files on local disk.
//!
//! An upload streams into `resumes/.staging/<key>`; once the lead's row has
//! committed, [`StagedResume::commit`] renames it to `resumes/<key>`. A staged
//! file that outlives its request (a crash between commit and rename) is
//! settled by [`ResumeStore::recover`] at the next start: kept if a lead
//! refers to it, deleted otherwise.

use crate::server::db::{Db, DbError};
use std::path::PathBuf;
use tokio::{fs, io::AsyncWriteExt};
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct ResumeStore {
    dir: PathBuf,
    staging: PathBuf,
}

/// What start-up recovery did with leftover staged files.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    pub completed: usize,
    pub discarded: usize,
}

impl ResumeStore {
    pub async fn open(dir: PathBuf) -> std::io::Result<Self> {
        let staging = dir.join(".staging");
        fs::create_dir_all(&staging).await?;
        Ok(Self { dir, staging })
    }

    /// Creates an empty staged file under a fresh, unguessable key.
    pub async fn stage(&self) -> std::io::Result<StagedResume> {
        let key = Uuid::now_v7().simple().to_string();
        let path = self.staging.join(&key);
        let final_path = self.dir.join(&key);
        let file = fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok(StagedResume { key, path, final_path, file: Some(file), done: false })
    }

    /// The stored file for `key`, if the key is well-formed.
    pub fn path_for(&self, key: &str) -> Option<PathBuf> {
        valid_key(key).then(|| self.dir.join(key))
    }

    /// Settles staged files left by a previous run.
    pub async fn recover(&self, db: &Db) -> Result<Recovery, DbError> {
        let mut report = Recovery::default();
        let mut entries = fs::read_dir(&self.staging).await.map_err(io_to_db)?;
        while let Some(entry) = entries.next_entry().await.map_err(io_to_db)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if valid_key(&name) && db.resume_key_exists(&name).await? {
                fs::rename(entry.path(), self.dir.join(&name)).await.map_err(io_to_db)?;
                report.completed += 1;
            } else {
                fs::remove_file(entry.path()).await.map_err(io_to_db)?;
                report.discarded += 1;
            }
        }
        Ok(report)
    }
}

fn valid_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

fn io_to_db(e: std::io::Error) -> DbError {
    DbError::Other(sqlx::Error::Io(e))
}

/// A resume being received. Dropped without [`commit`](Self::commit), its file is deleted.
#[derive(Debug)]
pub struct StagedResume {
    key: String,
    path: PathBuf,
    final_path: PathBuf,
    file: Option<fs::File>,
    done: bool,
}

impl StagedResume {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.write_all(chunk).await,
            None => Err(std::io::Error::other("staged resume already finished")),
        }
    }

    /// Flushes the file to disk, so a committed lead never points at lost bytes.
    pub async fn finish(&mut self) -> std::io::Result<()> {
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            f.sync_all().await?;
        }
        Ok(())
    }

    /// Moves the file into place; call only after the lead's row has committed.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.done = true;
        std::fs::rename(&self.path, &self.final_path)
    }
}

impl Drop for StagedResume {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
