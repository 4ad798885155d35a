//! The directory's handle: its documents in the store, read and written as
//! JSON, and the lock for a read-modify-write.

use crate::rate::{PerKey, Rate};
use crate::service::error::{blocking, ServiceError};
use crate::store::{Docs, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Handle to the directory; cheap to clone.
#[derive(Clone, Debug)]
pub struct Directory {
    pub(super) store: Store,
    /// Serialises read-modify-write in this process (with the store's lock
    /// for the others: see [`crate::store::Backend::ledger_lock`]).
    lock: Arc<tokio::sync::Mutex<()>>,
    /// Failed logins per account name, and attempts per address.
    pub(super) limits: Arc<LoginLimits>,
}

/// How often logins may be tried (in this process: each node of a district
/// keeps its own count, so the limits multiply by the nodes).
#[derive(Debug)]
pub(super) struct LoginLimits {
    pub(super) per_account: PerKey<String>,
    pub(super) per_address: PerKey<IpAddr>,
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
    pub(crate) async fn hold(
        &self,
    ) -> Result<(tokio::sync::OwnedMutexGuard<()>, crate::store::LedgerGuard), ServiceError> {
        let local = self.lock.clone().lock_owned().await;
        let shared = self.store.ledger_lock().await?;
        Ok((local, shared))
    }

    /// The community a meeting belongs to (from the store's index of
    /// meetings); none for a meeting of no community, or none at all.
    pub async fn meeting_community(&self, meeting: &babahui_shared::MeetingId) -> Result<Option<String>, ServiceError> {
        Ok(self.meeting_index(meeting).await?.and_then(|i| i.community))
    }

    /// A meeting's entry in the store's index of meetings (its community;
    /// on a district, the laptop it is a copy from).
    pub async fn meeting_index(
        &self,
        meeting: &babahui_shared::MeetingId,
    ) -> Result<Option<babahui_shared::api::MeetingIndex>, ServiceError> {
        let (store, id) = (self.store.clone(), meeting.clone());
        blocking(move || store.meeting_index(&id)).await
    }

    /// One document of `kind`, decoded.
    pub(crate) async fn get<T: DeserializeOwned + Send + 'static>(
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

    /// Writes (or, with `None`, removes) one document, durably.
    pub(crate) async fn put<T: Serialize>(&self, kind: Docs, key: &str, value: Option<&T>) -> Result<(), ServiceError> {
        let text = value.map(|v| serde_json::to_string(v).expect("a document serialises"));
        let (store, key) = (self.store.clone(), key.to_owned());
        blocking(move || store.doc_put(kind, &key, text.as_deref())).await
    }

    /// Every document of `kind`, by key.
    pub(crate) async fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        kind: Docs,
    ) -> Result<Vec<(String, T)>, ServiceError> {
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
