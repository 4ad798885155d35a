//! One task per live meeting. It owns the meeting's state and is the only
//! thing that changes it: requests arrive on a channel, commands are decided
//! and applied, events are persisted as one batch (group commit), then
//! broadcast — serialised once, the same bytes to every connection — and only
//! then acknowledged.
//!
//! Reads (connect, snapshot, public state) are served between batches, never
//! with uncommitted events in view: a read that arrives while a batch is being
//! built commits the batch first.

use super::door::{Door, DoorRules};
use crate::fanout::Fanout;
use crate::store::{CheckpointRef, DoneCommand, Grant, Loaded, Meta, NewRecord, Store, StoredEvent};
use crate::tokens;
use crate::wire::Wire;
use babahui_shared::decide::{decide, join};
use babahui_shared::{
    Actor, Command, CommandError, CommandId, ErrorCode, Event, EventKind, MeetingId, MeetingState, OpinionAuthor,
    ParticipantId, Seq,
};
use sha2::Digest;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Requests a meeting task's channel holds before senders wait.
const CHANNEL_CAPACITY: usize = 1024;
/// Most requests one batch takes.
const MAX_BATCH: usize = 512;
/// Recent events kept serialised for resume; a client further behind gets a snapshot.
pub(super) const RECENT_EVENTS: usize = 2048;
/// Commands remembered per sender for idempotent resends. A connection has at
/// most 64 commands in flight, so a resend is always among its sender's last
/// few; the bound keeps memory (and checkpoints) flat in a long meeting.
const DONE_PER_SENDER: usize = 1024;
/// A checkpoint is written once the log has grown by at least (the last
/// checkpoint's size in bytes / this) events, and by `checkpoint_every`: at
/// most ~1 KB of checkpoint is written per event, whatever the state's size.
/// (Serialised on the meeting's task: ~1 ms for a real meeting's state of a
/// few hundred KB; a 100 MB state pauses the meeting ~0.3 s every 100,000 events.)
const CHECKPOINT_BYTES_PER_EVENT: u64 = 1000;

/// Server time now, ms since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What every connection of a meeting receives: one serialised `events`
/// message, shared by reference count.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Sequence number of the last event in the frame.
    pub last_seq: Seq,
    /// `{"type":"events","data":[…]}`, encoded as a WebSocket frame.
    pub wire: Wire,
    /// Participants removed by these events (their connections close), and
    /// whether they are banned (their address may not join again).
    pub removed: Arc<[(ParticipantId, bool)]>,
}

/// A command's acknowledgement: durable at `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// Sequence number of the command's event.
    pub seq: Seq,
    /// What it created.
    pub created: Option<u32>,
    /// Whether this answers a resend.
    pub duplicate: bool,
}

/// Fresh moderator and projector tokens, shown once to the organiser.
#[derive(Debug, Clone)]
pub struct Screens {
    /// The moderator's token.
    pub moderator: String,
    /// The projector's token.
    pub projector: String,
    /// The join invite in force.
    pub invite: String,
}

/// A successful join from a phone.
#[derive(Debug, Clone)]
pub struct Joined {
    /// The new participant.
    pub participant: ParticipantId,
    /// Their personal token (shown once; only its hash is stored).
    pub token: String,
}

/// A connection's start: who it is, what it missed, and its subscription.
#[derive(Debug)]
pub struct Connected {
    /// Who the token makes the client.
    pub actor: Actor,
    /// Head of the log when subscribed.
    pub head: Seq,
    /// What the client missed: an `events` or `snapshot` message, or nothing.
    pub catch_up: Option<Wire>,
    /// Every frame after `head`.
    pub rx: broadcast::Receiver<Frame>,
}

enum Request {
    Command {
        actor: Actor,
        id: CommandId,
        command: Command,
        reply: oneshot::Sender<Result<Ack, CommandError>>,
    },
    Join {
        invite: String,
        name: Option<String>,
        category: String,
        publish_name: bool,
        from: IpAddr,
        previous_token_hash: Option<String>,
        reply: oneshot::Sender<Result<Joined, CommandError>>,
    },
    Connect {
        token_hash: String,
        since: Option<Seq>,
        from: IpAddr,
        reply: oneshot::Sender<Result<Connected, CommandError>>,
    },
    Snapshot {
        reply: oneshot::Sender<(Seq, Wire)>,
    },
    PublicState {
        reply: oneshot::Sender<Utf8Bytes>,
    },
    Authenticate {
        token_hash: String,
        reply: oneshot::Sender<Option<Actor>>,
    },
    Invite {
        reply: oneshot::Sender<String>,
    },
    /// New moderator and projector tokens (for the organiser who lost the links).
    IssueScreens {
        reply: oneshot::Sender<Result<Screens, CommandError>>,
    },
    /// Finish the batch in hand, then stop (the meeting is being deleted).
    Stop {
        reply: oneshot::Sender<()>,
    },
}

impl Request {
    /// Reads must not see events that are not yet durable.
    fn is_read(&self) -> bool {
        !matches!(
            self,
            Request::Command { .. } | Request::Join { .. } | Request::IssueScreens { .. }
        )
    }
}

/// The way to talk to a live meeting; cheap to clone.
#[derive(Debug, Clone)]
pub struct MeetingHandle {
    id: MeetingId,
    tx: mpsc::Sender<Request>,
    /// Writes the meeting's frames to its connections.
    fanout: Arc<Fanout>,
}

fn unavailable() -> CommandError {
    CommandError::new(
        ErrorCode::Overloaded,
        "the meeting is not available right now; try again",
    )
}

impl MeetingHandle {
    /// The meeting's id.
    pub fn id(&self) -> &MeetingId {
        &self.id
    }

    /// The meeting's fan-out, to which each connection adds its outlet.
    pub fn fanout(&self) -> &Arc<Fanout> {
        &self.fanout
    }

    /// Whether the meeting's task has stopped.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Request) -> Result<T, CommandError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| unavailable())?;
        rx.await.map_err(|_| unavailable())
    }

    /// Runs a command; resolves once its event is durable (or it was refused).
    pub async fn command(&self, actor: Actor, id: CommandId, command: Command) -> Result<Ack, CommandError> {
        self.ask(|reply| Request::Command {
            actor,
            id,
            command,
            reply,
        })
        .await?
    }

    /// Joins from a phone at address `from` with the invite code of the join link.
    pub async fn join(
        &self,
        invite: String,
        name: Option<String>,
        category: String,
        publish_name: bool,
        from: IpAddr,
        previous_token: Option<String>,
    ) -> Result<Joined, CommandError> {
        let previous_token_hash = previous_token.as_deref().map(tokens::hash_token);
        self.ask(|reply| Request::Join {
            invite,
            name,
            category,
            publish_name,
            from,
            previous_token_hash,
            reply,
        })
        .await?
    }

    /// Issues new moderator and projector tokens, stored (hashed) before they
    /// are handed out; the old ones keep working.
    pub async fn issue_screens(&self) -> Result<Screens, CommandError> {
        self.ask(|reply| Request::IssueScreens { reply }).await?
    }

    /// Authenticates a token from address `from` and subscribes, with what was
    /// missed since `since`.
    pub async fn connect(&self, token: &str, since: Option<Seq>, from: IpAddr) -> Result<Connected, CommandError> {
        let token_hash = tokens::hash_token(token);
        self.ask(|reply| Request::Connect {
            token_hash,
            since,
            from,
            reply,
        })
        .await?
    }

    /// A `snapshot` message of the current state, and its sequence number.
    pub async fn snapshot(&self) -> Result<(Seq, Wire), CommandError> {
        self.ask(|reply| Request::Snapshot { reply }).await
    }

    /// The public state as JSON.
    pub async fn public_state(&self) -> Result<Utf8Bytes, CommandError> {
        self.ask(|reply| Request::PublicState { reply }).await
    }

    /// Who a token makes its holder in this meeting, if anyone (no subscription).
    pub async fn authenticate(&self, token: &str) -> Result<Option<Actor>, CommandError> {
        let token_hash = tokens::hash_token(token);
        self.ask(|reply| Request::Authenticate { token_hash, reply }).await
    }

    /// The current join invite code.
    pub async fn invite(&self) -> Result<String, CommandError> {
        self.ask(|reply| Request::Invite { reply }).await
    }

    /// Stops the meeting's task once what it has in hand is stored; its
    /// connections are then closed. Resolves when it has stopped.
    pub async fn stop(&self) -> Result<(), CommandError> {
        self.ask(|reply| Request::Stop { reply }).await
    }
}

/// A reply that waits for its batch to be durable.
enum Reply {
    Command(oneshot::Sender<Result<Ack, CommandError>>, Ack),
    Join(oneshot::Sender<Result<Joined, CommandError>>, Joined),
    Screens(oneshot::Sender<Result<Screens, CommandError>>, Screens),
}

impl Reply {
    fn succeed(self) {
        let _ = match self {
            Reply::Command(tx, ack) => tx.send(Ok(ack)).map_err(drop),
            Reply::Join(tx, joined) => tx.send(Ok(joined)).map_err(drop),
            Reply::Screens(tx, screens) => tx.send(Ok(screens)).map_err(drop),
        };
    }

    fn fail(self, err: CommandError) {
        let _ = match self {
            Reply::Command(tx, _) => tx.send(Err(err)).map_err(drop),
            Reply::Join(tx, _) => tx.send(Err(err)).map_err(drop),
            Reply::Screens(tx, _) => tx.send(Err(err)).map_err(drop),
        };
    }
}

/// A batch being built.
#[derive(Default)]
struct Batch {
    records: Vec<NewRecord>,
    json: Vec<Arc<str>>,
    replies: Vec<Reply>,
    removed: Vec<(ParticipantId, bool)>,
}

struct MeetingTask {
    id: MeetingId,
    store: Store,
    state: MeetingState,
    /// Token hash → who it makes its holder.
    tokens: HashMap<String, Actor>,
    invite: String,
    /// (sender, command id) → the result it had, for idempotent resends.
    done: HashMap<(Actor, CommandId), Ack>,
    /// Each sender's remembered command ids, oldest first (bounds `done`).
    done_order: HashMap<Actor, VecDeque<CommandId>>,
    /// Sequence number of the last checkpoint written, and its size.
    checkpointed: (Seq, u64),
    /// See [`HubConfig::checkpoint_every`](super::HubConfig).
    checkpoint_every: u64,
    /// The last events, serialised; `recent.back()` is `state.seq`.
    recent: VecDeque<Arc<str>>,
    /// Highest sequence number known durable.
    committed: Seq,
    tx: broadcast::Sender<Frame>,
    snapshot: Option<(Seq, Wire)>,
    public: Option<(Seq, Utf8Bytes)>,
    /// Set when asked to stop: answered once the batch in hand is stored.
    stop: Option<oneshot::Sender<()>>,
    /// Bans and posting rates (memory only).
    door: Door,
}

/// What starting a meeting task needs from the hub.
#[derive(Debug)]
pub(super) struct Spawn {
    /// Cancelled at shutdown.
    pub shutdown: CancellationToken,
    /// Every meeting task, awaited at shutdown.
    pub tasks: TaskTracker,
    /// See [`HubConfig::broadcast_capacity`](super::HubConfig).
    pub broadcast_capacity: usize,
    /// See [`HubConfig::checkpoint_every`](super::HubConfig).
    pub checkpoint_every: u64,
    /// See [`HubConfig::door`](super::HubConfig).
    pub door: DoorRules,
}

/// Creates a new meeting: stores its first event durably, then starts its task.
pub(super) async fn create(
    store: Store,
    created: &super::CreatedMeeting,
    first: EventKind,
    spawn: &Spawn,
) -> Result<MeetingHandle, CommandError> {
    let event = Event {
        seq: 1,
        at: now_ms(),
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
    let index = crate::store::MeetingIndex {
        id: created.id.clone(),
        title,
        created_at: event.at,
    };
    let record = NewRecord {
        seq: 1,
        event_json: json.into(),
        meta: meta.clone(),
    };
    store
        .append(&created.id, vec![record], Some(index))
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
    launch(prepare(store, id, loaded), spawn)
}

/// A meeting rebuilt and ready to run.
pub(super) struct Prepared(MeetingTask);

/// Rebuilds a meeting from what the store loaded. CPU-bound for a long
/// meeting: the hub calls it off the async threads.
pub(super) fn prepare(store: Store, id: MeetingId, loaded: Loaded) -> Prepared {
    Prepared(MeetingTask::rebuild(store, id, loaded, broadcast::channel(1).0))
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
    let id = task.id.clone();
    spawn.tasks.spawn(task.run(rx, spawn.shutdown.clone()));
    MeetingHandle { id, tx, fanout }
}

fn storage_error(e: crate::store::StoreError) -> CommandError {
    tracing::error!(error = %e, "store write failed");
    CommandError::new(
        ErrorCode::Storage,
        "the server could not store this; nothing was changed. Try again.",
    )
}

/// `{"type":"events","data":[e1,e2,…]}` from already serialised events.
fn events_frame<'a>(events: impl IntoIterator<Item = &'a Arc<str>>) -> String {
    let mut out = String::from(r#"{"type":"events","data":["#);
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e);
    }
    out.push_str("]}");
    out
}

/// For a secret ballot or a review rating: who to remember the command under
/// for resends — the system, with an id derived from the unlinkable ballot (or
/// rating) key and the client's command id. Replaying the log (whose sealed
/// events are the system's and carry that derived id) remembers it the same
/// way, so a resend is answered once also after a restart; and neither the
/// participant nor the client's own command id (whose clock part could
/// fingerprint a device) is kept anywhere. `None` for every other command.
fn sealed_sender(state: &MeetingState, command: &Command, id: &CommandId) -> Option<(Actor, CommandId)> {
    let key = match command {
        Command::CastVote {
            vote,
            ballot_key: Some(key),
            ..
        } if state.vote(*vote).is_some_and(|v| v.secret) => key,
        Command::RateReview { key: Some(key), .. } => key,
        _ => return None,
    };
    let digest = sha2::Sha256::digest(format!("{key}\0{}", id.0).as_bytes());
    Some((
        Actor::System,
        CommandId(format!("sealed-{}", data_encoding::HEXLOWER.encode(&digest[..16]))),
    ))
}

impl MeetingTask {
    /// Rebuilds everything from a checkpoint and the log after it: state,
    /// tokens, invite, resend results, recent events.
    fn rebuild(store: Store, id: MeetingId, loaded: Loaded, tx: broadcast::Sender<Frame>) -> Self {
        let mut task = MeetingTask {
            id,
            store,
            state: MeetingState::default(),
            tokens: HashMap::new(),
            invite: String::new(),
            done: HashMap::new(),
            done_order: HashMap::new(),
            checkpointed: (0, 0),
            checkpoint_every: super::HubConfig::default().checkpoint_every,
            recent: VecDeque::new(),
            committed: 0,
            tx,
            snapshot: None,
            public: None,
            stop: None,
            door: Door::default(),
        };
        let Loaded { checkpoint, records } = loaded;
        if let Some(c) = checkpoint {
            task.checkpointed = (c.seq, 0);
            task.state = c.state;
            task.tokens = c.grants.into_iter().map(|g| (g.hash, g.to)).collect();
            task.invite = c.invite;
            for d in c.done {
                let ack = Ack {
                    seq: d.seq,
                    created: d.created,
                    duplicate: true,
                };
                task.remember(d.by, d.command, ack);
            }
        }
        let tail_from = records.len().saturating_sub(RECENT_EVENTS);
        for (i, record) in records.into_iter().enumerate() {
            let StoredEvent { event, meta } = record;
            if i >= tail_from {
                task.recent
                    .push_back(serde_json::to_string(&event).expect("event serialises").into());
            }
            if event.seq <= task.state.seq {
                // Already in the checkpoint; read only for `recent`.
                continue;
            }
            task.state.apply(&event);
            for g in meta.grants {
                task.tokens.insert(g.hash, g.to);
            }
            if let Some(invite) = meta.invite {
                task.invite = invite;
            }
            if let Some(cmd) = meta.command {
                let ack = Ack {
                    seq: event.seq,
                    created: event.event.created_id(),
                    duplicate: true,
                };
                task.remember(event.by, cmd, ack);
            }
        }
        task.committed = task.state.seq;
        task
    }

    /// Remembers a command's result for resends, forgetting the sender's oldest
    /// beyond [`DONE_PER_SENDER`].
    fn remember(&mut self, by: Actor, id: CommandId, ack: Ack) {
        let order = self.done_order.entry(by).or_default();
        order.push_back(id.clone());
        if order.len() > DONE_PER_SENDER {
            if let Some(old) = order.pop_front() {
                self.done.remove(&(by, old));
            }
        }
        self.done.insert((by, id), ack);
    }

    /// Writes a checkpoint when the log has grown enough since the last one.
    /// Serialised here, between batches, so it is exactly the committed state.
    fn maybe_checkpoint(&mut self) {
        let (last, size) = self.checkpointed;
        let grown = self.state.seq - last;
        if grown < self.checkpoint_every.max(size / CHECKPOINT_BYTES_PER_EVENT) {
            return;
        }
        let done = self
            .done_order
            .iter()
            .flat_map(|(by, ids)| ids.iter().map(move |id| (*by, id)))
            .filter_map(|(by, id)| {
                let ack = self.done.get(&(by, id.clone()))?;
                Some(DoneCommand {
                    by,
                    command: id.clone(),
                    seq: ack.seq,
                    created: ack.created,
                })
            })
            .collect();
        let checkpoint = CheckpointRef {
            seq: self.state.seq,
            state: &self.state,
            grants: self
                .tokens
                .iter()
                .map(|(hash, to)| Grant {
                    hash: hash.clone(),
                    to: *to,
                })
                .collect(),
            invite: &self.invite,
            done,
        };
        let bytes = serde_json::to_vec(&checkpoint).expect("checkpoints serialise");
        self.checkpointed = (self.state.seq, bytes.len() as u64);
        tracing::debug!(meeting = %self.id, seq = self.state.seq, bytes = bytes.len(), "checkpoint");
        self.store.checkpoint(&self.id, bytes);
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Request>, shutdown: CancellationToken) {
        tracing::debug!(meeting = %self.id, seq = self.state.seq, "meeting task started");
        loop {
            let first = tokio::select! {
                r = rx.recv() => match r { Some(r) => r, None => break },
                _ = shutdown.cancelled() => break,
            };
            let mut batch = Batch::default();
            let mut next = Some(first);
            let mut taken = 0;
            let mut alive = true;
            while let Some(req) = next.take() {
                if req.is_read() && !batch.replies.is_empty() {
                    alive = self.commit(std::mem::take(&mut batch)).await;
                }
                self.handle(req, &mut batch);
                taken += 1;
                if taken < MAX_BATCH {
                    next = rx.try_recv().ok();
                }
            }
            if !(alive && self.commit(batch).await) {
                // The store could not be re-read: stop, so that the hub loads the
                // meeting afresh on the next request rather than serve a guess.
                break;
            }
            if let Some(reply) = self.stop.take() {
                let _ = reply.send(());
                break;
            }
        }
        tracing::debug!(meeting = %self.id, seq = self.state.seq, "meeting task stopped");
    }

    fn handle(&mut self, req: Request, batch: &mut Batch) {
        match req {
            Request::Command {
                actor,
                id,
                command,
                reply,
            } => self.handle_command(actor, id, command, reply, batch),
            Request::Join {
                invite,
                name,
                category,
                publish_name,
                from,
                previous_token_hash,
                reply,
            } => {
                let banned_device = previous_token_hash
                    .and_then(|h| self.tokens.get(&h).copied())
                    .and_then(|a| a.participant())
                    .and_then(|p| self.state.participant(p))
                    .is_some_and(|p| p.banned);
                if banned_device || self.door.is_banned(from) {
                    let err = CommandError::forbidden("the moderator has removed you from this meeting");
                    let _ = reply.send(Err(err));
                    return;
                }
                if invite != self.invite {
                    let err = CommandError::new(
                        ErrorCode::InviteInvalid,
                        "this join link is no longer valid; scan the QR code again",
                    );
                    let _ = reply.send(Err(err));
                    return;
                }
                match join(&self.state, name.as_deref(), &category, publish_name) {
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                    Ok(kind) => {
                        let participant = ParticipantId(kind.created_id().expect("join creates a participant"));
                        let token = tokens::new_token();
                        let hash = tokens::hash_token(&token);
                        let actor = Actor::Participant(participant);
                        self.tokens.insert(hash.clone(), actor);
                        self.door.saw(participant, from);
                        let meta = Meta {
                            grants: vec![Grant { hash, to: actor }],
                            ..Meta::default()
                        };
                        self.append(Actor::System, kind, meta, batch);
                        batch.replies.push(Reply::Join(reply, Joined { participant, token }));
                    }
                }
            }
            Request::Connect {
                token_hash,
                since,
                from,
                reply,
            } => {
                let connected = self.connect(&token_hash, since);
                if let Ok(Connected {
                    actor: Actor::Participant(p),
                    ..
                }) = &connected
                {
                    self.door.saw(*p, from);
                }
                let _ = reply.send(connected);
            }
            Request::Snapshot { reply } => {
                let _ = reply.send(self.snapshot_frame());
            }
            Request::PublicState { reply } => {
                let _ = reply.send(self.public_state());
            }
            Request::Invite { reply } => {
                let _ = reply.send(self.invite.clone());
            }
            Request::IssueScreens { reply } => {
                let screens = Screens {
                    moderator: tokens::new_token(),
                    projector: tokens::new_token(),
                    invite: self.invite.clone(),
                };
                let mut grants = Vec::new();
                for (token, actor) in [
                    (&screens.moderator, Actor::Moderator),
                    (&screens.projector, Actor::Projector),
                ] {
                    let hash = tokens::hash_token(token);
                    self.tokens.insert(hash.clone(), actor);
                    grants.push(Grant { hash, to: actor });
                }
                let meta = Meta {
                    grants,
                    ..Meta::default()
                };
                self.append(Actor::System, EventKind::ScreensIssued, meta, batch);
                batch.replies.push(Reply::Screens(reply, screens));
            }
            Request::Stop { reply } => self.stop = Some(reply),
            Request::Authenticate { token_hash, reply } => {
                let _ = reply.send(self.tokens.get(&token_hash).copied());
            }
        }
    }

    fn handle_command(
        &mut self,
        actor: Actor,
        id: CommandId,
        mut command: Command,
        reply: oneshot::Sender<Result<Ack, CommandError>>,
        batch: &mut Batch,
    ) {
        // The notice period is checked against the server's clock, never a client's.
        if let Command::FileObjection { now, .. } = &mut command {
            *now = now_ms();
        }
        // Resends are recognised by sender and command id — except a secret
        // ballot's or a rating's, which are remembered under their unlinkable
        // key instead (see `sealed_sender`), so nothing kept in memory, in a
        // checkpoint or in the log ties them to the person who cast them.
        let (sender, id) = sealed_sender(&self.state, &command, &id).unwrap_or((actor, id));
        if let Some(ack) = self.done.get(&(sender, id.clone())) {
            let ack = Ack {
                duplicate: true,
                ..*ack
            };
            if ack.seq <= self.committed {
                let _ = reply.send(Ok(ack));
            } else {
                // The original is in this very batch: answer when it is durable.
                batch.replies.push(Reply::Command(reply, ack));
            }
            return;
        }
        // One person may not flood the meeting with opinions in their own name
        // (a recorder typing for others is not limited).
        if let (
            Command::SubmitOpinion {
                author: OpinionAuthor::Me,
                ..
            },
            Actor::Participant(p),
        ) = (&command, actor)
        {
            if let Err(wait) = self.door.opinion(p) {
                let err = CommandError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "too many opinions at once; the next one is sent by itself ({})",
                        crate::rate::wait_words(wait)
                    ),
                );
                let _ = reply.send(Err(err));
                return;
            }
        }
        match decide(&self.state, actor, &command) {
            Err(e) => {
                let _ = reply.send(Err(e));
            }
            Ok(kind) => {
                let mut meta = Meta {
                    command: Some(id.clone()),
                    ..Meta::default()
                };
                match &kind {
                    EventKind::ParticipantRemoved { participant, ban } => {
                        if *ban {
                            self.door.ban(*participant);
                        }
                        batch.removed.push((*participant, *ban));
                    }
                    EventKind::InviteRotated => {
                        // The new code lives only in the private part of the record.
                        self.invite = tokens::new_code(tokens::INVITE_LEN);
                        meta.invite = Some(self.invite.clone());
                    }
                    _ => {}
                }
                let created = kind.created_id();
                // A secret ballot or a rating is recorded as the system's: the log must not say who cast it.
                let by = if matches!(kind, EventKind::SealedBallotCast { .. } | EventKind::ReviewRated { .. }) {
                    Actor::System
                } else {
                    actor
                };
                debug_assert!(by == sender || sender == Actor::System);
                let seq = self.append(by, kind, meta, batch);
                let ack = Ack {
                    seq,
                    created,
                    duplicate: false,
                };
                self.remember(sender, id, ack);
                batch.replies.push(Reply::Command(reply, ack));
            }
        }
    }

    /// Stamps, applies and queues one event; returns its sequence number.
    fn append(&mut self, by: Actor, kind: EventKind, meta: Meta, batch: &mut Batch) -> Seq {
        let event = Event {
            seq: self.state.seq + 1,
            at: now_ms().max(self.state.last_at),
            by,
            event: kind,
        };
        self.state.apply(&event);
        let json: Arc<str> = serde_json::to_string(&event).expect("event serialises").into();
        batch.records.push(NewRecord {
            seq: event.seq,
            event_json: json.clone(),
            meta,
        });
        batch.json.push(json);
        event.seq
    }

    /// Persists a batch; on success broadcasts it and answers its senders; on
    /// failure answers them with a storage error and rebuilds from the store.
    /// Returns false if the task cannot go on (the store could not be re-read).
    async fn commit(&mut self, batch: Batch) -> bool {
        let Batch {
            records,
            json,
            replies,
            removed,
        } = batch;
        if records.is_empty() {
            replies.into_iter().for_each(Reply::succeed);
            return true;
        }
        let last_seq = self.state.seq;
        match self.store.append(&self.id, records, None).await {
            Ok(()) => {
                self.committed = last_seq;
                let frame = Frame {
                    last_seq,
                    wire: Wire::text(events_frame(&json)),
                    removed: removed.into(),
                };
                for e in json {
                    if self.recent.len() == RECENT_EVENTS {
                        self.recent.pop_front();
                    }
                    self.recent.push_back(e);
                }
                let _ = self.tx.send(frame);
                replies.into_iter().for_each(Reply::succeed);
                self.maybe_checkpoint();
                true
            }
            Err(e) => {
                let err = storage_error(e);
                replies.into_iter().for_each(|r| r.fail(err.clone()));
                self.reload().await
            }
        }
    }

    /// After a failed write: forget everything not durable by re-reading the log.
    /// Connections saw nothing of the refused batch (it was never broadcast), so
    /// they stay consistent without a resync.
    async fn reload(&mut self) -> bool {
        let (store, id) = (self.store.clone(), self.id.clone());
        let committed = self.committed;
        // Only what was committed is read: what failed to be stored must not
        // come back, even while the store has not yet taken it back (sled
        // refuses everything after ENOSPC until reopened), and a failed write's
        // leftovers beyond it can never make the log look broken.
        // (The whole log, not a checkpoint: this path is rare and must be plain.)
        match tokio::task::spawn_blocking(move || store.load_upto(&id, committed)).await {
            Ok(Ok(log)) => {
                let loaded = Loaded {
                    checkpoint: None,
                    records: log,
                };
                let every = self.checkpoint_every;
                let door = std::mem::take(&mut self.door);
                *self = MeetingTask::rebuild(self.store.clone(), self.id.clone(), loaded, self.tx.clone());
                self.checkpoint_every = every;
                self.door = door;
                true
            }
            other => {
                tracing::error!(meeting = %self.id, ?other, "could not reload meeting after a failed write");
                false
            }
        }
    }

    fn connect(&mut self, token_hash: &str, since: Option<Seq>) -> Result<Connected, CommandError> {
        let Some(&actor) = self.tokens.get(token_hash) else {
            return Err(CommandError::new(
                ErrorCode::Unauthenticated,
                "unknown token for this meeting",
            ));
        };
        if let Some(p) = actor.participant().and_then(|p| self.state.participant(p)) {
            if p.removed {
                return Err(CommandError::forbidden("you were removed from this meeting"));
            }
        }
        let rx = self.tx.subscribe();
        let head = self.state.seq;
        let catch_up = match since {
            Some(s) if s == head => None,
            Some(s) if s < head && s + 1 >= self.recent_first_seq() => {
                let skip = (s + 1 - self.recent_first_seq()) as usize;
                Some(Wire::text(events_frame(self.recent.iter().skip(skip))))
            }
            _ => Some(self.snapshot_frame().1),
        };
        Ok(Connected {
            actor,
            head,
            catch_up,
            rx,
        })
    }

    fn recent_first_seq(&self) -> Seq {
        self.state.seq + 1 - self.recent.len() as Seq
    }

    fn snapshot_frame(&mut self) -> (Seq, Wire) {
        let seq = self.state.seq;
        if let Some((s, bytes)) = &self.snapshot {
            if *s == seq {
                return (seq, bytes.clone());
            }
        }
        let state = self.public_state();
        let bytes = Wire::text(format!(
            r#"{{"type":"snapshot","data":{{"state":{}}}}}"#,
            state.as_str()
        ));
        self.snapshot = Some((seq, bytes.clone()));
        (seq, bytes)
    }

    fn public_state(&mut self) -> Utf8Bytes {
        let seq = self.state.seq;
        if let Some((s, bytes)) = &self.public {
            if *s == seq {
                return bytes.clone();
            }
        }
        let bytes: Utf8Bytes = serde_json::to_string(&self.state).expect("state serialises").into();
        self.public = Some((seq, bytes.clone()));
        bytes
    }
}
