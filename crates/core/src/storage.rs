//! Resume files: on local disk (the default) or in an S3-compatible bucket.
//!
//! An upload streams into a local spool file. Before the lead's row commits
//! it is put in place as `staging/<key>` (a local rename, or an object put);
//! once the row has committed, [`StagedResume::commit`] moves it to `<key>`.
//! A staged file that outlives its request (a crash between commit and move)
//! is settled by [`ResumeStore::recover`] at the next start: kept if a lead
//! refers to it, deleted otherwise.

use bytes::Bytes;
use futures::{StreamExt, stream::BoxStream};
use intake_store::{Db, DbError};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path as ObjectPath};
use std::{path::PathBuf, sync::Arc};
use tokio::{
    fs,
    io::{AsyncWriteExt, BufWriter},
};

use uuid::Uuid;

/// Uploads up to this size are held in memory and written, synced and closed
/// in one blocking call: each tokio file operation is a hop to the blocking
/// pool, and those hops dominated the submission profile. Larger uploads
/// spill to the spool file as they arrive.
const MEMORY_LIMIT: usize = 256 * 1024;

/// Where finished resumes live.
#[derive(Clone, Debug)]
enum Backend {
    /// `dir/<key>`; staged files are in `dir/.staging/`, on the same file system.
    Local { dir: PathBuf },
    /// `prefix/<key>`; staged objects are under `prefix/staging/`.
    Object { store: Arc<dyn ObjectStore>, prefix: ObjectPath },
}

#[derive(Clone, Debug)]
pub struct ResumeStore {
    /// Local directory for uploads in progress.
    spool: PathBuf,
    backend: Backend,
}

/// What start-up recovery did with leftover staged files.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    pub completed: usize,
    pub discarded: usize,
}

/// Storage failures (I/O or the object store), logged by callers.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("object store: {0}")]
    Object(#[from] object_store::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl ResumeStore {
    /// Files under `dir` (`<data dir>/resumes`).
    pub async fn local(dir: PathBuf) -> std::io::Result<Self> {
        let spool = dir.join(".staging");
        fs::create_dir_all(&spool).await?;
        Ok(Self { spool, backend: Backend::Local { dir } })
    }

    /// Objects in a bucket, e.g. `s3://bucket/prefix`; credentials, region and
    /// endpoint come from the usual `AWS_*` variables. Uploads spool in `spool`.
    pub async fn s3(url: &str, spool: PathBuf) -> Result<Self, String> {
        let (bucket_url, prefix) = match url.strip_prefix("s3://").and_then(|r| r.split_once('/')) {
            Some((bucket, prefix)) => (format!("s3://{bucket}"), prefix.trim_matches('/').to_owned()),
            None => (url.trim_end_matches('/').to_owned(), String::new()),
        };
        let store =
            object_store::aws::AmazonS3Builder::from_env().with_url(bucket_url).build().map_err(|e| e.to_string())?;
        fs::create_dir_all(&spool).await.map_err(|e| e.to_string())?;
        Ok(Self { spool, backend: Backend::Object { store: Arc::new(store), prefix: ObjectPath::from(prefix) } })
    }

    /// Starts receiving a resume under a fresh, unguessable key.
    pub fn stage(&self) -> StagedResume {
        let key = Uuid::now_v7().simple().to_string();
        let path = self.spool.join(&key);
        StagedResume {
            key,
            path,
            held: Vec::new(),
            file: None,
            on_disk: false,
            backend: self.backend.clone(),
            state: State::Spooling,
        }
    }

    /// Whether resumes can be stored now: the spool and the destination are
    /// writable (a probe file is created and removed), or the bucket answers.
    pub async fn check(&self) -> Result<(), StorageError> {
        let probe = format!(".ready-{}", uuid::Uuid::now_v7());
        let local = self.spool.join(&probe);
        fs::write(&local, b"").await?;
        fs::remove_file(&local).await?;
        match &self.backend {
            Backend::Local { dir } => {
                let path = dir.join(&probe);
                fs::write(&path, b"").await?;
                fs::remove_file(&path).await?;
            }
            Backend::Object { store, prefix } => match store.head(&prefix.clone().join(probe.as_str())).await {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            },
        }
        Ok(())
    }

    /// Streams a stored resume: its length and its bytes.
    pub async fn open(&self, key: &str) -> Result<(u64, BoxStream<'static, std::io::Result<Bytes>>), StorageError> {
        if !valid_key(key) {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "bad key").into());
        }
        match &self.backend {
            Backend::Local { dir } => {
                let file = fs::File::open(dir.join(key)).await?;
                let len = file.metadata().await?.len();
                Ok((len, tokio_util::io::ReaderStream::new(file).boxed()))
            }
            Backend::Object { store, prefix } => {
                let got = store.get(&prefix.clone().join(key)).await?;
                let len = got.meta.size;
                Ok((len, got.into_stream().map(|r| r.map_err(std::io::Error::other)).boxed()))
            }
        }
    }

    /// Deletes a stored resume (an erasure); one already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        if !valid_key(key) {
            return Ok(());
        }
        match &self.backend {
            Backend::Local { dir } => match fs::remove_file(dir.join(key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
            Backend::Object { store, prefix } => match store.delete(&prefix.clone().join(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// Settles staged files left by a previous run.
    pub async fn recover(&self, db: &Db) -> Result<Recovery, StorageError> {
        let mut report = Recovery::default();
        match &self.backend {
            Backend::Local { dir } => {
                let mut entries = fs::read_dir(&self.spool).await?;
                while let Some(entry) = entries.next_entry().await? {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if valid_key(&name) && db.leads().resume_key_exists(&name).await? {
                        fs::rename(entry.path(), dir.join(&name)).await?;
                        report.completed += 1;
                    } else {
                        fs::remove_file(entry.path()).await?;
                        report.discarded += 1;
                    }
                }
            }
            Backend::Object { store, prefix } => {
                // Spooled uploads never reached the store: their requests failed.
                let mut entries = fs::read_dir(&self.spool).await?;
                while let Some(entry) = entries.next_entry().await? {
                    fs::remove_file(entry.path()).await?;
                }
                let staging = prefix.clone().join("staging");
                let staged: Vec<_> = store.list(Some(&staging)).collect().await;
                for meta in staged {
                    let meta = meta?;
                    let name = meta.location.filename().unwrap_or_default().to_owned();
                    if valid_key(&name) && db.leads().resume_key_exists(&name).await? {
                        store.rename(&meta.location, &prefix.clone().join(name.as_str())).await?;
                        report.completed += 1;
                    } else {
                        store.delete(&meta.location).await?;
                        report.discarded += 1;
                    }
                }
            }
        }
        Ok(report)
    }
}

fn valid_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    Spooling,
    Staged,
    Committed,
}

/// A resume being received. Dropped without [`commit`](Self::commit), it is deleted.
#[derive(Debug)]
pub struct StagedResume {
    key: String,
    /// The spool file (local staging place), once written.
    path: PathBuf,
    /// Bytes not yet in the spool file.
    held: Vec<u8>,
    file: Option<BufWriter<fs::File>>,
    /// Whether a spool file may exist (to delete if the upload is abandoned).
    on_disk: bool,
    backend: Backend,
    state: State,
}

impl StagedResume {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        if self.state != State::Spooling {
            return Err(std::io::Error::other("staged resume already finished"));
        }
        if self.file.is_none() && self.held.len() + chunk.len() <= MEMORY_LIMIT {
            self.held.extend_from_slice(chunk);
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                self.on_disk = true;
                let f = fs::OpenOptions::new().write(true).create_new(true).open(&self.path).await?;
                self.file.insert(BufWriter::with_capacity(MEMORY_LIMIT, f))
            }
        };
        if !self.held.is_empty() {
            file.write_all(&std::mem::take(&mut self.held)).await?;
        }
        file.write_all(chunk).await
    }

    /// Identifies the received file's format from its whole content (see
    /// [`crate::sniff`]), off the async threads.
    pub async fn identify(&mut self) -> std::io::Result<Option<crate::sniff::ResumeKind>> {
        use crate::sniff::identify;
        let run = |f: Box<dyn FnOnce() -> std::io::Result<_> + Send>| async move {
            // A parser panic on hostile input refuses the file; it never takes the server down.
            tokio::task::spawn_blocking(f).await.unwrap_or(Ok(None))
        };
        match &mut self.file {
            Some(f) => {
                f.flush().await?;
                let path = self.path.clone();
                run(Box::new(move || {
                    let file = std::fs::File::open(path)?;
                    let size = file.metadata()?.len();
                    Ok(identify(std::io::BufReader::new(file), size))
                }))
                .await
            }
            None => {
                let held = self.held.clone();
                run(Box::new(move || Ok(identify(std::io::Cursor::new(&held), held.len() as u64)))).await
            }
        }
    }

    /// Makes the file durable in its staging place, so a committed lead never points at lost bytes.
    pub async fn finish(&mut self) -> Result<(), StorageError> {
        let held = std::mem::take(&mut self.held);
        match (&self.backend, self.file.take()) {
            (Backend::Object { store, prefix }, None) => {
                store.put(&staging_path(prefix, &self.key), PutPayload::from(held)).await?;
            }
            (Backend::Object { store, prefix }, Some(mut f)) => {
                f.flush().await?;
                drop(f);
                // At most the resume limit (10 MiB by default) is read here.
                let bytes = fs::read(&self.path).await?;
                store.put(&staging_path(prefix, &self.key), PutPayload::from(bytes)).await?;
                let _ = fs::remove_file(&self.path).await;
            }
            (Backend::Local { .. }, None) => {
                self.on_disk = true;
                let path = self.path.clone();
                tokio::task::spawn_blocking(move || {
                    use std::io::Write;
                    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
                    f.write_all(&held)?;
                    f.sync_all()
                })
                .await
                .map_err(std::io::Error::other)??;
            }
            (Backend::Local { .. }, Some(mut f)) => {
                f.flush().await?;
                f.get_mut().sync_all().await?;
            }
        }
        self.state = State::Staged;
        Ok(())
    }

    /// Moves the file into place; call only after the lead's row has committed.
    pub async fn commit(mut self) -> Result<(), StorageError> {
        self.state = State::Committed;
        match &self.backend {
            // A rename within one directory tree, without fsync: metadata only, a few
            // microseconds, cheaper in place than a trip to the blocking pool.
            Backend::Local { dir } => std::fs::rename(&self.path, dir.join(&self.key))?,
            Backend::Object { store, prefix } => {
                store.rename(&staging_path(prefix, &self.key), &prefix.clone().join(self.key.as_str())).await?
            }
        }
        Ok(())
    }
}

fn staging_path(prefix: &ObjectPath, key: &str) -> ObjectPath {
    prefix.clone().join("staging").join(key)
}

impl Drop for StagedResume {
    fn drop(&mut self) {
        if self.state == State::Committed {
            return;
        }
        if self.on_disk {
            let _ = std::fs::remove_file(&self.path);
        }
        if let (State::Staged, Backend::Object { store, prefix }) = (&self.state, &self.backend) {
            let (store, path) = (store.clone(), staging_path(prefix, &self.key));
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = store.delete(&path).await;
                });
            }
        }
    }
}
