//! Form versions, each read and parsed once: a saved version never changes,
//! so nothing is ever invalidated. Which version is the newest is still asked
//! of the database on every call (one indexed lookup), so a version saved by
//! another instance counts at once. Every submission and every load of the
//! public page reads the form; this spares each the definition's JSON.

use super::{FormStore, FormVersion};
use crate::DbError;
use async_trait::async_trait;
use intake_domain::questions::IntakeForm;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use uuid::Uuid;

/// Versions kept at most (a firm saves a handful); beyond, the cache starts over.
const MAX: usize = 256;

pub struct FormCache<B: ?Sized> {
    backend: Arc<B>,
    known: Mutex<HashMap<i64, Arc<FormVersion>>>,
}

impl<B: ?Sized> FormCache<B> {
    pub fn new(backend: Arc<B>) -> Self {
        Self { backend, known: Mutex::default() }
    }

    fn cached(&self, version: i64) -> Option<Arc<FormVersion>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).get(&version).cloned()
    }

    fn keep(&self, v: FormVersion) -> Arc<FormVersion> {
        let v = Arc::new(v);
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= MAX {
            known.clear();
        }
        known.insert(v.version, v.clone());
        v
    }
}

#[async_trait]
impl<B: FormStore + ?Sized> FormStore for FormCache<B> {
    async fn current_form(&self) -> Result<Option<FormVersion>, DbError> {
        let Some(newest) = self.backend.newest_version().await? else { return Ok(None) };
        self.form_version(newest).await
    }

    async fn newest_version(&self) -> Result<Option<i64>, DbError> {
        self.backend.newest_version().await
    }

    async fn form_version(&self, version: i64) -> Result<Option<FormVersion>, DbError> {
        if let Some(v) = self.cached(version) {
            return Ok(Some((*v).clone()));
        }
        Ok(self.backend.form_version(version).await?.map(|v| (*self.keep(v)).clone()))
    }

    async fn form_versions(&self) -> Result<Vec<FormVersion>, DbError> {
        self.backend.form_versions().await
    }

    async fn save_form(
        &self,
        form: &IntakeForm,
        after: Option<i64>,
        by: Uuid,
        now: i64,
    ) -> Result<Option<i64>, DbError> {
        self.backend.save_form(form, after, by, now).await
    }
}
