//! Rebuilding a meeting's task from what the store holds: at load (from a
//! checkpoint and the log after it) and after a failed write (from the log up
//! to what was committed). Also what the task keeps for later rebuilds: the
//! commands it answered (resends) and its checkpoints.

use super::door::Door;
use super::handle::Ack;
use super::task::{MeetingTask, RECENT_EVENTS};
use crate::clock::Clock;
use crate::store::{CheckpointRef, DoneCommand, Grant, Loaded, Store, StoredEvent};
use crate::wire::Frame;
use babahui_shared::{Actor, CommandId, MeetingId, MeetingState};
use std::collections::{HashMap, VecDeque};
use tokio::sync::broadcast;

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

impl MeetingTask {
    /// Rebuilds everything from a checkpoint and the log after it: state,
    /// tokens, invite, resend results, recent events.
    pub(super) fn rebuild(
        store: Store,
        id: MeetingId,
        loaded: Loaded,
        tx: broadcast::Sender<Frame>,
        clock: Clock,
    ) -> Self {
        let mut task = MeetingTask {
            id,
            store,
            state: MeetingState::default(),
            tokens: HashMap::new(),
            invite: String::new(),
            done: HashMap::new(),
            done_order: HashMap::new(),
            checkpointed: (0, 0),
            checkpoint_every: super::config::HubConfig::default().checkpoint_every,
            recent: VecDeque::new(),
            committed: 0,
            tx,
            followers: Default::default(),
            snapshot: None,
            public: None,
            stop: None,
            door: Door::default(),
            clock,
            shared: None,
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
    pub(super) fn remember(&mut self, by: Actor, id: CommandId, ack: Ack) {
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
    pub(super) fn maybe_checkpoint(&mut self) {
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

    /// After a failed write: forget everything not durable by re-reading the
    /// log (see [`crate::store::Backend::load_after_failed_append`]). Returns
    /// false when the task must stop instead.
    /// Connections saw nothing of the refused batch (it was never broadcast), so
    /// they stay consistent without a resync.
    pub(super) async fn reload(&mut self) -> bool {
        let (store, id) = (self.store.clone(), self.id.clone());
        let committed = self.committed;
        // Only what was committed is read: what failed to be stored must not
        // come back, even while the store has not yet taken it back (sled
        // refuses everything after ENOSPC until reopened), and a failed write's
        // leftovers beyond it can never make the log look broken.
        // (The whole log, not a checkpoint: this path is rare and must be plain.)
        match tokio::task::spawn_blocking(move || store.load_after_failed_append(&id, committed)).await {
            Ok(Ok(log)) if log.len() as u64 > committed => {
                // The failed append was stored after all (its COMMIT's answer
                // was lost), or another node wrote: connections have not seen
                // these events. Stop: the meeting is loaded afresh (and its
                // connections resume from it) wherever it is served now.
                tracing::warn!(meeting = %self.id, committed, head = log.len(), "the log is longer than this task knew");
                false
            }
            Ok(Ok(log)) => {
                let loaded = Loaded {
                    checkpoint: None,
                    records: log,
                };
                let every = self.checkpoint_every;
                let door = std::mem::take(&mut self.door);
                let followers = std::mem::take(&mut self.followers);
                *self = MeetingTask::rebuild(
                    self.store.clone(),
                    self.id.clone(),
                    loaded,
                    self.tx.clone(),
                    self.clock.clone(),
                );
                self.checkpoint_every = every;
                self.door = door;
                // Followers saw nothing of the refused batch either.
                self.followers = followers;
                true
            }
            other => {
                tracing::error!(meeting = %self.id, ?other, "could not reload meeting after a failed write");
                false
            }
        }
    }
}
