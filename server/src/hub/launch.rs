//! Starting a meeting's task: a new meeting (its first event stored durably
//! first) or one rebuilt from the store, with its fan-out to connections.

use super::config::HubConfig;
use super::door::{Door, DoorRules};
use super::follow::Followers;
use super::handle::{CreatedMeeting, MeetingHandle};
use super::task::{storage_error, MeetingTask};
use crate::clock::Clock;
use crate::fanout::Fanout;
use crate::store::{Grant, Loaded, MeetingIndex, Meta, NewRecord, Store, StoredEvent};
use crate::tokens;
use babahui_shared::{Actor, CommandError, Event, EventKind, MeetingId};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Requests a meeting task's channel holds before senders wait.
const CHANNEL_CAPACITY: usize = 1024;

/// What starting a meeting task needs from the hub.
#[derive(Debug)]
pub(super) struct Spawn {
    /// Cancelled at shutdown.
    pub shutdown: CancellationToken,
    /// Every meeting task, awaited at shutdown.
    pub tasks: TaskTracker,
    /// See [`HubConfig::broadcast_capacity`].
    pub broadcast_capacity: usize,
    /// See [`HubConfig::checkpoint_every`].
    pub checkpoint_every: u64,
    /// See [`HubConfig::door`].
    pub door: DoorRules,
    /// See [`HubConfig::clock`].
    pub clock: Clock,
}

impl Spawn {
    /// What the hub's configuration says, for tasks stopped by `shutdown`.
    pub(super) fn new(config: HubConfig, shutdown: CancellationToken) -> Spawn {
        Spawn {
            shutdown,
            tasks: TaskTracker::new(),
            broadcast_capacity: config.broadcast_capacity.max(1),
            checkpoint_every: config.checkpoint_every.max(1),
            door: config.door,
            clock: config.clock,
        }
    }
}

/// Creates a new meeting: stores its first event durably, then starts its task.
pub(super) async fn create(
    store: Store,
    created: &CreatedMeeting,
    first: EventKind,
    community: Option<String>,
    spawn: &Spawn,
) -> Result<MeetingHandle, CommandError> {
    let event = Event {
        seq: 1,
        at: spawn.clock.now_ms(),
        by: Actor::System,
        event: first,
    };
    let title = match &event.event {
        EventKind::MeetingCreated { title, .. } => title.clone(),
        _ => String::new(),
    };
    let meta = Meta {
        command: None,
        grants: vec![
            Grant {
                hash: tokens::hash_token(&created.moderator_token),
                to: Actor::Moderator,
            },
            Grant {
                hash: tokens::hash_token(&created.projector_token),
                to: Actor::Projector,
            },
        ],
        invite: Some(created.invite.clone()),
    };
    let json = serde_json::to_string(&event).expect("event serialises");
    let index = MeetingIndex {
        id: created.id.clone(),
        title,
        created_at: event.at,
        community,
        origin: None,
    };
    let record = NewRecord {
        seq: 1,
        event_json: json.into(),
        meta: meta.clone(),
    };
    store
        .append(&created.id, 0, vec![record], Some(index))
        .await
        .map_err(storage_error)?;
    Ok(start(
        store,
        created.id.clone(),
        Loaded {
            checkpoint: None,
            records: vec![StoredEvent { event, meta }],
        },
        spawn,
    ))
}

/// Starts the task of a meeting whose log has been read.
pub(super) fn start(store: Store, id: MeetingId, loaded: Loaded, spawn: &Spawn) -> MeetingHandle {
    launch(prepare(store, id, loaded, spawn.clock.clone()), spawn)
}

/// A meeting rebuilt and ready to run.
pub(super) struct Prepared(pub(super) MeetingTask);

/// Rebuilds a meeting from what the store loaded. CPU-bound for a long
/// meeting: the hub calls it off the async threads.
pub(super) fn prepare(store: Store, id: MeetingId, loaded: Loaded, clock: Clock) -> Prepared {
    Prepared(MeetingTask::rebuild(store, id, loaded, broadcast::channel(1).0, clock))
}

/// Starts the task of a prepared meeting.
pub(super) fn launch(prepared: Prepared, spawn: &Spawn) -> MeetingHandle {
    let Prepared(mut task) = prepared;
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    task.tx = broadcast::channel(spawn.broadcast_capacity).0;
    task.checkpoint_every = spawn.checkpoint_every;
    task.door = Door::new(spawn.door);
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    let fanout = Fanout::start(&task.tx, workers, &spawn.tasks);
    task.followers = Followers::new(spawn.broadcast_capacity, workers);
    let follow_fanout = Fanout::start(&task.followers.tx, workers, &spawn.tasks);
    let id = task.id.clone();
    spawn.tasks.spawn(task.run(rx, spawn.shutdown.clone()));
    MeetingHandle {
        id,
        clock: spawn.clock.clone(),
        tx,
        fanout,
        follow_fanout,
        audience: Default::default(),
    }
}
