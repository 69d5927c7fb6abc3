//! Accounts by id, cached where every change is announced (PostgreSQL's
//! NOTIFY, heard by every instance): the session check on each internal
//! request and each open event stream's re-check then cost no query.
//!
//! Every lookup first applies the announcements received so far, so an
//! account is never served from the cache after its change was heard; while
//! the listener is down nothing is cached, and a reconnect forgets everything.

use super::AccountStore;
use crate::{Attorney, DbError, events::AccountMessage, events::EventBus};
use async_trait::async_trait;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::broadcast::{Receiver, error::TryRecvError};
use uuid::Uuid;

/// Accounts kept at most (a firm has tens); beyond, the cache starts over.
const MAX: usize = 10_000;

pub struct AccountCache<B: ?Sized> {
    backend: Arc<B>,
    state: Mutex<State>,
}

struct State {
    changes: Receiver<AccountMessage>,
    known: HashMap<Uuid, Attorney>,
}

impl<B: AccountStore + EventBus + ?Sized> AccountCache<B> {
    pub fn new(backend: Arc<B>) -> Self {
        let changes = backend.subscribe_accounts();
        Self { backend, state: Mutex::new(State { changes, known: HashMap::new() }) }
    }

    /// Applies the changes heard so far; then the cached account, if any.
    fn cached(&self, id: Uuid) -> Option<Attorney> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match s.changes.try_recv() {
                Ok(AccountMessage::Changed(changed)) => {
                    s.known.remove(&changed);
                }
                Ok(AccountMessage::Resync) | Err(TryRecvError::Lagged(_)) => s.known.clear(),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        if !self.backend.announces_account_changes() {
            s.known.clear();
            return None;
        }
        s.known.get(&id).cloned()
    }

    fn remember(&self, a: &Attorney) {
        if !self.backend.announces_account_changes() {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.known.len() >= MAX {
            s.known.clear();
        }
        s.known.insert(a.id, a.clone());
    }

    /// This instance's own changes apply at once, before their announcement returns.
    fn forget(&self, id: Option<Uuid>) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match id {
            Some(id) => {
                s.known.remove(&id);
            }
            None => s.known.clear(),
        }
    }
}

#[async_trait]
impl<B: AccountStore + EventBus + ?Sized> AccountStore for AccountCache<B> {
    async fn count(&self) -> Result<i64, DbError> {
        self.backend.count().await
    }

    async fn create(&self, a: &Attorney) -> Result<(), DbError> {
        self.backend.create(a).await
    }

    async fn by_email(&self, email: &str) -> Result<Option<Attorney>, DbError> {
        self.backend.by_email(email).await
    }

    async fn by_id(&self, id: Uuid) -> Result<Option<Attorney>, DbError> {
        if let Some(a) = self.cached(id) {
            return Ok(Some(a));
        }
        let found = self.backend.by_id(id).await?;
        if let Some(a) = &found {
            self.remember(a);
        }
        Ok(found)
    }

    async fn list(&self) -> Result<Vec<Attorney>, DbError> {
        self.backend.list().await
    }

    async fn end_sessions(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        let r = self.backend.end_sessions(id, now).await;
        self.forget(Some(id));
        r
    }

    async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, DbError> {
        let r = self.backend.set_password_hash(email, hash).await;
        self.forget(None);
        r
    }

    async fn set_role(&self, email: &str, role: super::Role) -> Result<bool, DbError> {
        let r = self.backend.set_role(email, role).await;
        self.forget(None);
        r
    }

    async fn set_disabled(&self, email: &str, disabled: bool) -> Result<bool, DbError> {
        let r = self.backend.set_disabled(email, disabled).await;
        self.forget(None);
        r
    }
}
