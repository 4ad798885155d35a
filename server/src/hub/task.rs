//! The task that owns one live meeting. It is the only thing that changes the
//! meeting's state: requests arrive on a channel, commands are decided and
//! applied, events are persisted as one batch (group commit), then broadcast —
//! serialised once, the same bytes to every connection — and only then
//! acknowledged.
//!
//! Reads (connect, snapshot, public state) are served between batches, never
//! with uncommitted events in view: a read that arrives while a batch is being
//! built commits the batch first. Rebuilding the task from the store (at load,
//! after a failed write) is in [`super::rebuild`]; starting it, in [`super::launch`].

use super::door::Door;
use super::follow::{FollowBatch, Followers};
use super::handle::{Ack, Connected, Joined, Request, Screens};
use crate::clock::Clock;
use crate::store::{Grant, Meta, NewRecord, Store};
use crate::tokens;
use crate::wire::{events_frame, Frame, Wire};
use babahui_shared::decide::{decide, join};
use babahui_shared::{
    Actor, Command, CommandError, CommandId, ErrorCode, Event, EventKind, MeetingId, MeetingState, OpinionAuthor,
    ParticipantId, Seq,
};
use sha2::Digest;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::sync::CancellationToken;

/// Most requests one batch takes.
const MAX_BATCH: usize = 512;
/// Recent events kept serialised for resume; a client further behind gets a snapshot.
pub(super) const RECENT_EVENTS: usize = 2048;

/// A reply that waits for its batch to be durable.
pub(super) enum Reply {
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
pub(super) struct Batch {
    records: Vec<NewRecord>,
    json: Vec<Arc<str>>,
    replies: Vec<Reply>,
    removed: Vec<(ParticipantId, bool)>,
    /// The same events as followers get them.
    follow: FollowBatch,
}

/// A live meeting: its state and everything it needs to serve and store it.
pub(super) struct MeetingTask {
    pub(super) id: MeetingId,
    pub(super) store: Store,
    pub(super) state: MeetingState,
    /// Token hash → who it makes its holder.
    pub(super) tokens: HashMap<String, Actor>,
    pub(super) invite: String,
    /// (sender, command id) → the result it had, for idempotent resends.
    pub(super) done: HashMap<(Actor, CommandId), Ack>,
    /// Each sender's remembered command ids, oldest first (bounds `done`).
    pub(super) done_order: HashMap<Actor, VecDeque<CommandId>>,
    /// Sequence number of the last checkpoint written, and its size.
    pub(super) checkpointed: (Seq, u64),
    /// See [`HubConfig::checkpoint_every`](super::HubConfig).
    pub(super) checkpoint_every: u64,
    /// The last events, serialised; `recent.back()` is `state.seq`.
    pub(super) recent: VecDeque<Arc<str>>,
    /// Highest sequence number known durable.
    pub(super) committed: Seq,
    pub(super) tx: broadcast::Sender<Frame>,
    /// The stream for people following from home (线上旁听).
    pub(super) followers: Followers,
    pub(super) snapshot: Option<(Seq, Wire)>,
    pub(super) public: Option<(Seq, Utf8Bytes)>,
    /// Set when asked to stop: answered once the batch in hand is stored.
    pub(super) stop: Option<oneshot::Sender<()>>,
    /// Bans and posting rates (memory only).
    pub(super) door: Door,
    /// The server's clock: every event's `at`, an objection's notice period.
    pub(super) clock: Clock,
    /// The committed state as handed to readers (see [`Request::State`]).
    pub(super) shared: Option<Arc<MeetingState>>,
}

pub(super) fn storage_error(e: crate::store::StoreError) -> CommandError {
    tracing::error!(error = %e, "store write failed");
    CommandError::new(
        ErrorCode::Storage,
        "the server could not store this; nothing was changed. Try again.",
    )
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
    pub(super) async fn run(mut self, mut rx: mpsc::Receiver<Request>, shutdown: CancellationToken) {
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
            Request::Follow { since, reply } => {
                let head = self.state.seq;
                let _ = reply.send(Connected {
                    actor: Actor::Public,
                    head,
                    catch_up: (since != Some(head)).then(|| self.followers.snapshot_frame(&self.state)),
                    rx: self.followers.tx.subscribe(),
                    following: None,
                });
            }
            Request::Snapshot { reply } => {
                let _ = reply.send(self.snapshot_frame());
            }
            Request::PublicState { reply } => {
                let _ = reply.send(self.public_state());
            }
            Request::State { reply } => {
                let _ = reply.send(self.shared_state());
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
        command: Command,
        reply: oneshot::Sender<Result<Ack, CommandError>>,
        batch: &mut Batch,
    ) {
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
            at: self.clock.now_ms().max(self.state.last_at),
            by,
            event: kind,
        };
        self.state.apply(&event);
        let json: Arc<str> = serde_json::to_string(&event).expect("event serialises").into();
        self.followers.add(&mut batch.follow, &event, &json, &self.state);
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
            follow,
        } = batch;
        if records.is_empty() {
            replies.into_iter().for_each(Reply::succeed);
            return true;
        }
        let last_seq = self.state.seq;
        match self.store.append(&self.id, self.committed, records, None).await {
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
                self.followers.send(follow, &self.state);
                replies.into_iter().for_each(Reply::succeed);
                self.maybe_checkpoint();
                true
            }
            Err(e @ crate::store::StoreError::NotOwner { .. }) => {
                // Another node serves this meeting now: stop (connections close
                // and resume there).
                let err = storage_error(e);
                replies.into_iter().for_each(|r| r.fail(err.clone()));
                false
            }
            Err(e) => {
                let err = storage_error(e);
                replies.into_iter().for_each(|r| r.fail(err.clone()));
                self.reload().await
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
            following: None,
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

    fn shared_state(&mut self) -> Arc<MeetingState> {
        match &self.shared {
            Some(state) if state.seq == self.state.seq => state.clone(),
            _ => {
                let state = Arc::new(self.state.clone());
                self.shared = Some(state.clone());
                state
            }
        }
    }
}
