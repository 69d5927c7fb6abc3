//! Accounts by id, cached where every change is announced (PostgreSQL's
//! NOTIFY, heard by every instance): the session check on each internal
//! request and each open event stream's re-check then cost no query.
//!
//! Every lookup first applies the announcements received so far, so an
//! account is never served from the cache after its change was heard; while
//! the listener is down nothing is cached, and a reconnect forgets everything.

use super::AccountStore;
use crate::{
    Attorney, DbError, NewMessage, account_admin::NewAudit, events::AccountMessage, events::EventBus, signins::Browser,
    signins::Live, signins::NewSignin, signins::Signin, signins::SigninStore,
};
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
    /// Live sign-ins heard of: sign-in → account. An account's change
    /// (which ending a sign-in announces) drops its sign-ins.
    signins: HashMap<Uuid, Uuid>,
    /// Moves at every change applied. A read that missed the cache stores
    /// its answer only if nothing changed meanwhile: a change heard while
    /// the query ran may have come after the row it read.
    generation: u64,
}

impl State {
    fn drop_account(&mut self, id: Uuid) {
        self.known.remove(&id);
        self.signins.retain(|_, a| *a != id);
        self.generation += 1;
    }

    fn clear(&mut self) {
        self.known.clear();
        self.signins.clear();
        self.generation += 1;
    }

    /// Applies the changes heard so far.
    fn apply_changes(&mut self) {
        loop {
            match self.changes.try_recv() {
                Ok(AccountMessage::Changed(changed)) => self.drop_account(changed),
                Ok(AccountMessage::Resync) | Err(TryRecvError::Lagged(_)) => self.clear(),
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
    }
}

impl<B: AccountStore + SigninStore + EventBus + ?Sized> AccountCache<B> {
    pub fn new(backend: Arc<B>) -> Self {
        let changes = backend.subscribe_accounts();
        let state = State { changes, known: HashMap::new(), signins: HashMap::new(), generation: 0 };
        Self { backend, state: Mutex::new(state) }
    }

    /// Applies the changes heard so far; then the cached account, if any
    /// (and only if `signin`, when given, is one of its live sign-ins), else
    /// the generation to give [`Self::remember`] with what the database says.
    fn cached(&self, id: Uuid, signin: Option<Uuid>) -> Result<Attorney, u64> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.apply_changes();
        if !self.backend.announces_account_changes() {
            s.clear();
            return Err(s.generation);
        }
        if let Some(signin) = signin
            && s.signins.get(&signin) != Some(&id)
        {
            return Err(s.generation);
        }
        s.known.get(&id).cloned().ok_or(s.generation)
    }

    /// Keeps `a` (read from the database at `generation`) unless something changed since.
    fn remember(&self, a: &Attorney, signin: Option<Uuid>, generation: u64) {
        if !self.backend.announces_account_changes() {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.apply_changes();
        if s.generation != generation {
            return;
        }
        if s.known.len() >= MAX || s.signins.len() >= MAX {
            s.clear();
        }
        s.known.insert(a.id, a.clone());
        if let Some(signin) = signin {
            s.signins.insert(signin, a.id);
        }
    }

    /// This instance's own changes apply at once, before their announcement returns.
    fn forget(&self, id: Option<Uuid>) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match id {
            Some(id) => s.drop_account(id),
            None => s.clear(),
        }
    }
}

#[async_trait]
impl<B: AccountStore + SigninStore + EventBus + ?Sized> AccountStore for AccountCache<B> {
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
        let generation = match self.cached(id, None) {
            Ok(a) => return Ok(Some(a)),
            Err(generation) => generation,
        };
        let found = self.backend.by_id(id).await?;
        if let Some(a) = &found {
            self.remember(a, None, generation);
        }
        Ok(found)
    }

    async fn by_signin(&self, id: Uuid, signin: Uuid) -> Result<Option<Attorney>, DbError> {
        let generation = match self.cached(id, Some(signin)) {
            Ok(a) => return Ok(Some(a)),
            Err(generation) => generation,
        };
        let found = self.backend.by_signin(id, signin).await?;
        if let Some(a) = &found {
            self.remember(a, Some(signin), generation);
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

/// Sign-ins go through the cache so that ending one here drops it here at
/// once; other instances hear the announcement.
#[async_trait]
impl<B: AccountStore + SigninStore + EventBus + ?Sized> SigninStore for AccountCache<B> {
    async fn start_signin(
        &self,
        signin: &NewSignin,
        browser_hash: &str,
        email: &NewMessage,
    ) -> Result<Browser, DbError> {
        self.backend.start_signin(signin, browser_hash, email).await
    }

    async fn touch_signin(&self, id: Uuid, now: i64) -> Result<(), DbError> {
        self.backend.touch_signin(id, now).await
    }

    async fn signins(&self, attorney: Uuid, live: Live) -> Result<Vec<Signin>, DbError> {
        self.backend.signins(attorney, live).await
    }

    async fn end_signin(&self, attorney: Uuid, id: Uuid, audit: &NewAudit) -> Result<bool, DbError> {
        let r = self.backend.end_signin(attorney, id, audit).await;
        self.forget(Some(attorney));
        r
    }

    async fn end_other_signins(&self, attorney: Uuid, keep: Uuid, audit: &NewAudit) -> Result<u64, DbError> {
        let r = self.backend.end_other_signins(attorney, keep, audit).await;
        self.forget(Some(attorney));
        r
    }

    async fn prune_signins(&self, live: Live, browsers_before: i64) -> Result<u64, DbError> {
        self.backend.prune_signins(live, browsers_before).await
    }
}
