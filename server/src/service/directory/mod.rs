//! Who a server serves and who may act on it: communities, accounts and
//! their sessions, sync tokens, and the audit log, kept as documents in the
//! store (`store::Docs`) so that every node of a district sees the same.
//!
//! A server with no accounts has none of this in use: one implicit community,
//! the organiser key (or `--open`). Once an account exists, named people log
//! in; the organiser key stays for scripts and acts as an administrator.
//!
//! # Layout
//! - [`principal`]: who a request acts as, and what that may touch.
//! - `communities`, `accounts` (argon2id passwords), `sessions` (login,
//!   logout, expiry, the login rate limits), `sync_tokens`, `audit`.

mod accounts;
mod audit;
mod communities;
mod passwords;
pub mod principal;
mod sessions;
mod sync_tokens;

pub use principal::Principal;
pub use sessions::{SESSION_COOKIE, SESSION_LIFETIME};

use super::error::{blocking, ServiceError};
use crate::rate::{PerKey, Rate};
use crate::store::{Docs, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Handle to the directory; cheap to clone.
#[derive(Clone, Debug)]
pub struct Directory {
    store: Store,
    /// Serialises read-modify-write in this process (with the store's lock
    /// for the others: see [`crate::store::Backend::ledger_lock`]).
    lock: Arc<tokio::sync::Mutex<()>>,
    /// Failed logins per account name, and attempts per address.
    limits: Arc<LoginLimits>,
}

/// How often logins may be tried (in this process: each node of a district
/// keeps its own count, so the limits multiply by the nodes).
#[derive(Debug)]
struct LoginLimits {
    per_account: PerKey<String>,
    per_address: PerKey<IpAddr>,
}

/// Failed logins one account may take before it waits (then one every 3 minutes).
pub const FAILURES_PER_ACCOUNT: u32 = 5;
/// Logins one address may try before it waits (then one every 10 seconds).
pub const ATTEMPTS_PER_ADDRESS: u32 = 20;

impl Directory {
    /// The directory kept in `store`.
    pub fn new(store: Store) -> Directory {
        Directory {
            store,
            lock: Arc::default(),
            limits: Arc::new(LoginLimits {
                per_account: PerKey::new(Rate::one_every(Duration::from_secs(180), FAILURES_PER_ACCOUNT)),
                per_address: PerKey::new(Rate::one_every(Duration::from_secs(10), ATTEMPTS_PER_ADDRESS)),
            }),
        }
    }

    /// Holds the directory for one read-modify-write, here and on every node.
    async fn hold(&self) -> Result<(tokio::sync::OwnedMutexGuard<()>, crate::store::LedgerGuard), ServiceError> {
        let local = self.lock.clone().lock_owned().await;
        let shared = self.store.ledger_lock().await?;
        Ok((local, shared))
    }

    /// The community a meeting belongs to (from the store's index of
    /// meetings); none for a meeting of no community, or none at all.
    pub async fn meeting_community(&self, meeting: &babahui_shared::MeetingId) -> Result<Option<String>, ServiceError> {
        let (store, id) = (self.store.clone(), meeting.clone());
        Ok(blocking(move || store.meeting_index(&id))
            .await?
            .and_then(|i| i.community))
    }

    async fn get<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: Docs,
        key: &str,
    ) -> Result<Option<T>, ServiceError> {
        let (store, key) = (self.store.clone(), key.to_owned());
        match blocking(move || store.doc_get(kind, &key)).await? {
            None => Ok(None),
            Some(text) => Ok(Some(decode(kind, &text)?)),
        }
    }

    async fn put<T: Serialize>(&self, kind: Docs, key: &str, value: Option<&T>) -> Result<(), ServiceError> {
        let text = value.map(|v| serde_json::to_string(v).expect("a document serialises"));
        let (store, key) = (self.store.clone(), key.to_owned());
        blocking(move || store.doc_put(kind, &key, text.as_deref())).await
    }

    async fn list<T: DeserializeOwned + Send + 'static>(&self, kind: Docs) -> Result<Vec<(String, T)>, ServiceError> {
        let store = self.store.clone();
        let rows = blocking(move || store.doc_list(kind)).await?;
        rows.into_iter()
            .map(|(k, text)| Ok((k, decode(kind, &text)?)))
            .collect()
    }
}

fn decode<T: DeserializeOwned>(kind: Docs, text: &str) -> Result<T, ServiceError> {
    serde_json::from_str(text).map_err(|e| ServiceError::internal(format!("a stored {} document: {e}", kind.name())))
}
