//! The hub: the registry of live meetings, each owned by one task
//! ([`meeting`]). Handlers and WebSocket connections talk to a meeting only
//! through its [`MeetingHandle`]; nothing else touches meeting state.

pub mod door;
pub mod meeting;

use crate::store::{MeetingIndex, Store};
use crate::tokens;
use babahui_shared::decide::create_meeting;
use babahui_shared::{CommandError, ErrorCode, MeetingId};
pub use meeting::{Ack, Connected, Frame, Joined, MeetingHandle};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What the organiser sends to create a meeting.
pub use babahui_shared::MeetingSetup as NewMeeting;

/// The secrets of a new meeting, shown once to the organiser.
#[derive(Debug, Clone)]
pub struct CreatedMeeting {
    /// Id.
    pub id: MeetingId,
    /// Moderator token.
    pub moderator_token: String,
    /// Projector token.
    pub projector_token: String,
    /// Join invite code.
    pub invite: String,
}

/// Tuning of the hub.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Frames each meeting's broadcast ring holds; a connection further behind
    /// than this gets a snapshot instead of the frames it missed.
    pub broadcast_capacity: usize,
    /// Fewest events between two checkpoints of a meeting's state (more when
    /// the state is large: see `meeting::CHECKPOINT_BYTES_PER_EVENT`).
    pub checkpoint_every: u64,
    /// Bans and how fast one participant may post (see [`door`]).
    pub door: door::DoorRules,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            broadcast_capacity: 256,
            checkpoint_every: 10_000,
            door: door::DoorRules::default(),
        }
    }
}

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
    spawn: meeting::Spawn,
}

impl Hub {
    /// A hub over `store`; its meeting tasks stop when `shutdown` is cancelled.
    pub fn new(store: Store, shutdown: CancellationToken, config: HubConfig) -> Hub {
        Hub {
            inner: Arc::new(HubInner {
                store,
                live: Mutex::new(HashMap::new()),
                deleting: Mutex::default(),
                spawn: meeting::Spawn {
                    shutdown,
                    tasks: TaskTracker::new(),
                    broadcast_capacity: config.broadcast_capacity.max(1),
                    checkpoint_every: config.checkpoint_every.max(1),
                    door: config.door,
                },
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Creates a meeting: validates, stores its first event (with the hashes of
    /// its moderator and projector tokens) durably, and starts its task.
    pub async fn create(&self, req: &NewMeeting) -> Result<CreatedMeeting, CommandError> {
        let id = tokens::new_meeting_id();
        let first = create_meeting(id.clone(), req)?;
        let created = CreatedMeeting {
            id: id.clone(),
            moderator_token: tokens::new_token(),
            projector_token: tokens::new_token(),
            invite: tokens::new_code(tokens::INVITE_LEN),
        };
        let handle = meeting::create(self.inner.store.clone(), &created, first, &self.inner.spawn).await?;
        let cell = Arc::new(OnceCell::new_with(Some(handle)));
        self.inner.live.lock().expect("hub lock").insert(id, cell);
        Ok(created)
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
                let log = tokio::task::spawn_blocking(move || {
                    if !store.contains(&wanted)? {
                        return Ok(None);
                    }
                    let started = std::time::Instant::now();
                    let loaded = store.load_live(&wanted, meeting::RECENT_EVENTS as u64)?;
                    let read_ms = started.elapsed().as_millis();
                    let from = loaded.checkpoint.as_ref().map(|c| c.seq);
                    let read = loaded.records.len();
                    let prepared = meeting::prepare(store, wanted.clone(), loaded);
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
                .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
                .map_err(|e| CommandError::new(ErrorCode::Storage, e.to_string()))?;
                match log {
                    None => Err(not_found(id)),
                    Some(prepared) => Ok(meeting::launch(prepared, &self.inner.spawn)),
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
            Err(e) if e.code == ErrorCode::Storage && self.inner.store.contains(id).unwrap_or(false) => {
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
            self.inner
                .store
                .delete(id)
                .await
                .map_err(|e| CommandError::new(ErrorCode::Storage, e.to_string()))
        }
        .await;
        self.inner.live.lock().expect("hub lock").remove(id);
        self.inner.deleting.lock().expect("hub lock").remove(id);
        result
    }

    /// All meetings in the store.
    pub async fn list(&self) -> Result<Vec<MeetingIndex>, CommandError> {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || store.list())
            .await
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| CommandError::new(ErrorCode::Storage, e.to_string()))
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
