//! The way to talk to a live meeting: [`MeetingHandle`] sends requests to the
//! meeting's task ([`super::task`]) and waits for its answers; and what the
//! answers hold.

use super::follow::{Audience, Following};
use crate::clock::Clock;
use crate::fanout::Fanout;
use crate::tokens;
use crate::wire::{Frame, Wire};
use babahui_shared::{Actor, Command, CommandError, CommandId, ErrorCode, MeetingId, MeetingState, ParticipantId, Seq};
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;

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
    /// For a follower (线上旁听): counted while the connection lasts.
    pub following: Option<Following>,
}

/// What a meeting's task is asked to do.
pub(super) enum Request {
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
    /// Subscribes a follower (no token: the public stream).
    Follow {
        since: Option<Seq>,
        reply: oneshot::Sender<Connected>,
    },
    Snapshot {
        reply: oneshot::Sender<(Seq, Wire)>,
    },
    PublicState {
        reply: oneshot::Sender<Utf8Bytes>,
    },
    /// The committed state itself, shared (for the services: minutes, ledger).
    State {
        reply: oneshot::Sender<Arc<MeetingState>>,
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
    pub(super) fn is_read(&self) -> bool {
        !matches!(
            self,
            Request::Command { .. } | Request::Join { .. } | Request::IssueScreens { .. }
        )
    }
}

/// The way to talk to a live meeting; cheap to clone.
#[derive(Debug, Clone)]
pub struct MeetingHandle {
    pub(super) id: MeetingId,
    /// The server's clock, as the meeting reads it.
    pub(super) clock: Clock,
    pub(super) tx: mpsc::Sender<Request>,
    /// Writes the meeting's frames to its connections.
    pub(super) fanout: Arc<Fanout>,
    /// Writes the followers' frames to theirs.
    pub(super) follow_fanout: Arc<Fanout>,
    /// How many follow it from home.
    pub(super) audience: Arc<Audience>,
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

    /// The server's clock, as this meeting reads it.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The meeting's fan-out, to which each connection adds its outlet.
    pub fn fanout(&self) -> &Arc<Fanout> {
        &self.fanout
    }

    /// The followers' fan-out, to which each follower's connection adds its outlet.
    pub fn follow_fanout(&self) -> &Arc<Fanout> {
        &self.follow_fanout
    }

    /// How many people follow the meeting from home right now (线上 N人).
    pub fn followers(&self) -> usize {
        self.audience.now()
    }

    /// Subscribes a follower from home: the public stream, from `since` (a
    /// snapshot unless it is the head); counted until the connection ends.
    pub async fn follow(&self, since: Option<Seq>) -> Result<Connected, CommandError> {
        let mut connected = self.ask(|reply| Request::Follow { since, reply }).await?;
        connected.following = Some(self.audience.count());
        Ok(connected)
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

    /// The committed state, typed and shared: the meeting task keeps one copy
    /// per sequence number and hands out references to it.
    pub async fn state(&self) -> Result<Arc<MeetingState>, CommandError> {
        self.ask(|reply| Request::State { reply }).await
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
