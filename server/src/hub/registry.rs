//! The registry of live meetings: one task per meeting, loaded on first use,
//! created, deleted and listed here.

use super::config::HubConfig;
use super::handle::{CreatedMeeting, MeetingHandle};
use super::held::{Held, PeerAddresses};
use super::launch::{self, Spawn};
use super::task::storage_error as storage;
use super::task::RECENT_EVENTS;
use crate::clock::Clock;
use crate::store::{MeetingIndex, NewRecord, Store};
use crate::tokens;
use babahui_shared::decide::create_meeting;
use babahui_shared::{CommandError, ErrorCode, MeetingId, MeetingSetup};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

/// Shared handle to all meetings; cheap to clone.
#[derive(Clone, Debug)]
pub struct Hub {
    inner: Arc<HubInner>,
}

#[derive(Debug)]
struct HubInner {
    store: Store,
    /// One cell per meeting, so that two requests for a meeting that is not
    /// loaded yet load it once.
    live: Mutex<HashMap<MeetingId, Arc<OnceCell<MeetingHandle>>>>,
    /// Meetings being deleted: not loaded again meanwhile.
    deleting: Mutex<std::collections::HashSet<MeetingId>>,
    spawn: Spawn,
    /// The leases this node holds (on a shared store; see [`super::cluster`]).
    held: Held,
}

impl Hub {
    /// A hub over `store`; its meeting tasks stop when `shutdown` is cancelled.
    /// On a store several nodes share, it renews this node's leases until
    /// then, and keeps `peers` (the nodes' addresses) current.
    pub fn new(store: Store, shutdown: CancellationToken, config: HubConfig, peers: PeerAddresses) -> Hub {
        let hub = Hub {
            inner: Arc::new(HubInner {
                store,
                live: Mutex::new(HashMap::new()),
                deleting: Mutex::default(),
                spawn: Spawn::new(config, shutdown),
                held: Held::default(),
            }),
        };
        hub.keep_leases(peers);
        hub
    }

    pub(super) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(super) fn held(&self) -> &Held {
        &self.inner.held
    }

    pub(super) fn shutdown_token(&self) -> CancellationToken {
        self.inner.spawn.shutdown.clone()
    }

    /// Lets go of a meeting this node may no longer serve: forgets its lease,
    /// and stops its task (what it still has in hand is refused by the store),
    /// which closes its connections; they resume through the node that serves it.
    pub(super) fn evict(&self, id: &MeetingId) {
        self.inner.held.forget(id);
        let cell = self.inner.live.lock().expect("hub lock").remove(id);
        if let Some(handle) = cell.and_then(|c| c.get().cloned()) {
            tokio::spawn(async move {
                let _ = handle.stop().await;
            });
        }
    }

    /// The server's clock, as the meetings read it.
    pub fn clock(&self) -> &Clock {
        &self.inner.spawn.clock
    }

    /// Creates a meeting: validates, stores its first event (with the hashes of
    /// its moderator and projector tokens) durably, and starts its task.
    pub async fn create(&self, req: &MeetingSetup) -> Result<CreatedMeeting, CommandError> {
        let id = tokens::new_meeting_id();
        let first = create_meeting(id.clone(), req)?;
        let created = CreatedMeeting {
            id: id.clone(),
            moderator_token: tokens::new_token(),
            projector_token: tokens::new_token(),
            invite: tokens::new_code(tokens::INVITE_LEN),
        };
        self.claim_new(&id).await?;
        let handle = launch::create(
            self.inner.store.clone(),
            &created,
            first,
            req.community.clone(),
            &self.inner.spawn,
        )
        .await?;
        let cell = Arc::new(OnceCell::new_with(Some(handle)));
        self.inner.live.lock().expect("hub lock").insert(id, cell);
        Ok(created)
    }

    /// Meeting `id`'s committed state for a report across meetings: from its
    /// task if it is live here, else read from the store and folded without
    /// starting a task (on a shared store another node may be serving it).
    pub async fn read_state(&self, id: &MeetingId) -> Result<Arc<babahui_shared::MeetingState>, CommandError> {
        let live = self
            .inner
            .live
            .lock()
            .expect("hub lock")
            .get(id)
            .and_then(|c| c.get().cloned());
        if let Some(handle) = live.filter(|h| !h.is_closed()) {
            return handle.state().await;
        }
        let (store, wanted, clock) = (self.inner.store.clone(), id.clone(), self.inner.spawn.clock.clone());
        let state = tokio::task::spawn_blocking(move || {
            let loaded = store.load_live(&wanted, RECENT_EVENTS as u64)?;
            let launch::Prepared(task) = launch::prepare(store, wanted, loaded, clock);
            Ok::<_, crate::store::StoreError>(task.state)
        })
        .await
        .map_err(task_failed)?
        .map_err(storage)?;
        Ok(Arc::new(state))
    }

    /// The live meeting `id`, loading it from the store if needed.
    pub async fn get(&self, id: &MeetingId) -> Result<MeetingHandle, CommandError> {
        if self.inner.deleting.lock().expect("hub lock").contains(id) {
            return Err(not_found(id));
        }
        let cell = {
            let mut live = self.inner.live.lock().expect("hub lock");
            let cell = live.entry(id.clone()).or_default();
            if cell.get().is_some_and(MeetingHandle::is_closed) {
                // Its task stopped after a storage failure: load it afresh.
                *cell = Arc::default();
            }
            cell.clone()
        };
        let result = cell
            .get_or_try_init(|| async {
                let store = self.inner.store.clone();
                let wanted = id.clone();
                let clock = self.inner.spawn.clock.clone();
                let log = tokio::task::spawn_blocking(move || {
                    if !store.contains(&wanted)? {
                        return Ok(None);
                    }
                    let started = std::time::Instant::now();
                    let loaded = store.load_live(&wanted, RECENT_EVENTS as u64)?;
                    let read_ms = started.elapsed().as_millis();
                    let from = loaded.checkpoint.as_ref().map(|c| c.seq);
                    let read = loaded.records.len();
                    let prepared = launch::prepare(store, wanted.clone(), loaded, clock);
                    tracing::info!(
                        meeting = %wanted,
                        checkpoint = ?from,
                        events_read = read,
                        read_ms,
                        total_ms = started.elapsed().as_millis(),
                        "meeting loaded"
                    );
                    Ok::<_, crate::store::StoreError>(Some(prepared))
                })
                .await
                .map_err(task_failed)?
                .map_err(storage)?;
                match log {
                    None => Err(not_found(id)),
                    Some(prepared) => Ok(launch::launch(prepared, &self.inner.spawn)),
                }
            })
            .await
            .cloned();
        if result.is_err() {
            // Do not keep an empty cell for ids that do not exist.
            let mut live = self.inner.live.lock().expect("hub lock");
            if live.get(id).is_some_and(|c| !c.initialized()) {
                live.remove(id);
            }
        }
        result
    }

    /// Deletes meeting `id` entirely: its task stops once what it has in hand
    /// is stored (its connections close), then its log and index are removed
    /// from the store. Returns how many events were removed.
    /// A meeting whose log cannot be read (so has no task) is deleted all the
    /// same: damage must never make a meeting impossible to remove.
    pub async fn delete(&self, id: &MeetingId) -> Result<u64, CommandError> {
        let handle = match self.get(id).await {
            Ok(handle) => Some(handle),
            Err(e) if e.code == ErrorCode::Storage && self.contains(id).await => {
                tracing::warn!(meeting = %id, error = %e.message, "deleting a meeting that cannot be read");
                None
            }
            Err(e) => return Err(e),
        };
        self.inner.deleting.lock().expect("hub lock").insert(id.clone());
        let result = async {
            if let Some(handle) = handle {
                handle.stop().await?;
            }
            self.inner.store.delete(id).await.map_err(storage)
        }
        .await;
        self.inner.live.lock().expect("hub lock").remove(id);
        self.inner.held.forget(id);
        self.inner.deleting.lock().expect("hub lock").remove(id);
        result
    }

    /// Stores a whole meeting log read from an archive, as meeting
    /// `index.id`; refused if that meeting exists, is loaded or is being
    /// deleted. (Checking the log is whole is the caller's.)
    pub async fn import(&self, index: MeetingIndex, records: Vec<NewRecord>) -> Result<(), CommandError> {
        let id = index.id.clone();
        let exists = || CommandError::conflict(format!("meeting {id} already exists on this server"));
        // Held while the import is stored: a request for the id meanwhile waits
        // on the cell, then finds the meeting whole.
        {
            let mut live = self.inner.live.lock().expect("hub lock");
            if live.contains_key(&id) || self.inner.deleting.lock().expect("hub lock").contains(&id) {
                return Err(exists());
            }
            live.insert(id.clone(), Arc::default());
        };
        let stored = async {
            let store = self.inner.store.clone();
            let wanted = id.clone();
            let found = tokio::task::spawn_blocking(move || store.contains(&wanted))
                .await
                .map_err(task_failed)?
                .map_err(storage)?;
            if found {
                return Err(exists());
            }
            self.claim_new(&id).await?;
            self.inner
                .store
                .append(&id, 0, records, Some(index))
                .await
                .map_err(storage)
        }
        .await;
        let mut live = self.inner.live.lock().expect("hub lock");
        if live.get(&id).is_some_and(|c| !c.initialized()) {
            live.remove(&id);
        }
        stored
    }

    /// Whether the store holds meeting `id` (false if it cannot tell).
    async fn contains(&self, id: &MeetingId) -> bool {
        let (store, id) = (self.inner.store.clone(), id.clone());
        tokio::task::spawn_blocking(move || store.contains(&id).unwrap_or(false))
            .await
            .unwrap_or(false)
    }

    /// All meetings in the store.
    pub async fn list(&self) -> Result<Vec<MeetingIndex>, CommandError> {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || store.list())
            .await
            .map_err(task_failed)?
            .map_err(storage)
    }

    /// Waits for every meeting task to finish (after shutdown was signalled).
    pub async fn wait_stopped(&self) {
        self.inner.spawn.tasks.close();
        self.inner.spawn.tasks.wait().await;
    }
}

fn not_found(id: &MeetingId) -> CommandError {
    CommandError::not_found(format!("no meeting {id}"))
}

/// A blocking job that panicked: logged here, a generic error for the client.
fn task_failed(e: tokio::task::JoinError) -> CommandError {
    tracing::error!(error = %e, "a blocking job of the hub failed");
    CommandError::new(ErrorCode::Internal, "something went wrong on the server; try again")
}
