//! 线上旁听: a meeting's stream for the people following it from home.
//!
//! Followers are not in the courtyard, so they get their own broadcast: the
//! public copy of the meeting ([`babahui_shared::follow`] decides what that is,
//! event by event), with its own fan-out. Nothing is built for it while nobody
//! follows. A follower is never a participant: not in attendance, the queue or
//! the votes; they are counted by their connections ([`Audience`]).

use crate::wire::{events_frame, Frame, Wire};
use babahui_shared::follow::{for_followers, state_for_followers, ForFollowers};
use babahui_shared::{Event, MeetingState, Seq};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The meeting task's side: the followers' broadcast and what goes on it.
#[derive(Debug)]
pub(super) struct Followers {
    pub(super) tx: broadcast::Sender<Frame>,
    /// Receivers that are the fan-out's own tasks, not followers.
    shards: usize,
    /// The followers' snapshot, and the sequence number it is of.
    snapshot: Option<(Seq, Wire)>,
}

impl Default for Followers {
    /// A stream nobody can follow (a task being rebuilt, before it starts).
    fn default() -> Self {
        Followers {
            tx: broadcast::channel(1).0,
            shards: 0,
            snapshot: None,
        }
    }
}

/// A batch's events as followers get them.
#[derive(Debug, Default)]
pub(super) struct FollowBatch {
    json: Vec<Arc<str>>,
    /// An event could not be rewritten: send the whole public state.
    resync: bool,
}

impl Followers {
    /// A stream of `capacity` frames, read by `shards` fan-out tasks.
    pub(super) fn new(capacity: usize, shards: usize) -> Followers {
        Followers {
            tx: broadcast::channel(capacity).0,
            shards,
            snapshot: None,
        }
    }

    /// Whether anyone follows (otherwise nothing is built for them).
    pub(super) fn any(&self) -> bool {
        self.tx.receiver_count() > self.shards
    }

    /// Adds `event` (already applied to `after`, serialised as `json`) to the batch.
    pub(super) fn add(&self, batch: &mut FollowBatch, event: &Event, json: &Arc<str>, after: &MeetingState) {
        if batch.resync || !self.any() {
            return;
        }
        match for_followers(&event.event, after) {
            ForFollowers::Same => batch.json.push(json.clone()),
            ForFollowers::Changed(kind) => {
                let event = Event {
                    event: *kind,
                    ..event.clone()
                };
                batch
                    .json
                    .push(serde_json::to_string(&event).expect("event serialises").into());
            }
            ForFollowers::Resync => batch.resync = true,
        }
    }

    /// Sends a committed batch (ending at `state.seq`) to the followers.
    pub(super) fn send(&mut self, batch: FollowBatch, state: &MeetingState) {
        if !self.any() || (batch.json.is_empty() && !batch.resync) {
            return;
        }
        let wire = if batch.resync {
            self.snapshot_frame(state)
        } else {
            Wire::text(events_frame(&batch.json))
        };
        let _ = self.tx.send(Frame {
            last_seq: state.seq,
            wire,
            removed: Arc::new([]),
        });
    }

    /// The followers' `snapshot` message of `state` (kept while it is current:
    /// a crowd reconnecting after the Wi-Fi drops gets it serialised once).
    pub(super) fn snapshot_frame(&mut self, state: &MeetingState) -> Wire {
        if let Some((seq, wire)) = &self.snapshot {
            if *seq == state.seq {
                return wire.clone();
            }
        }
        let public = serde_json::to_string(&state_for_followers(state)).expect("state serialises");
        let wire = Wire::text(format!(r#"{{"type":"snapshot","data":{{"state":{public}}}}}"#));
        self.snapshot = Some((state.seq, wire.clone()));
        wire
    }
}

/// How many people follow a meeting from home right now (线上 N人): one per
/// follow connection, counted while its [`Following`] lives.
#[derive(Debug, Default)]
pub struct Audience(AtomicUsize);

impl Audience {
    /// The count now.
    pub fn now(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts one follower until the returned guard is dropped.
    pub fn count(self: &Arc<Self>) -> Following {
        self.0.fetch_add(1, Ordering::Relaxed);
        Following(self.clone())
    }
}

/// One follower counted in an [`Audience`].
#[derive(Debug)]
pub struct Following(Arc<Audience>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, Ordering::Relaxed);
    }
}
