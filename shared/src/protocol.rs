//! The WebSocket protocol: two closed enums, one per direction, each tagged
//! `{"type": …, "data": …}`. `docs/protocol.md` documents every message.
//!
//! A connection starts with [`ClientMsg::Hello`]; the server answers
//! [`ServerMsg::Welcome`] then either [`ServerMsg::Events`] (what the client
//! missed since `since`) or a [`ServerMsg::Snapshot`], and from then on every
//! new event as it happens.

use crate::command::{Actor, Command};
use crate::error::ErrorCode;
use crate::event::Event;
use crate::ids::{CommandId, MeetingId, Seq};
use crate::state::MeetingState;
use serde::{Deserialize, Serialize};

/// Protocol version, sent in `welcome`.
pub const PROTOCOL_VERSION: u32 = 1;

/// Client → server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum ClientMsg {
    /// First message: authenticate and say where to resume from.
    Hello {
        /// Moderator, projector or attendee token.
        token: String,
        /// The last sequence number this client has applied; none for a fresh start.
        #[serde(default)]
        since: Option<Seq>,
    },
    /// A command with its client-generated id.
    Command {
        /// Unique per sender; a resend with the same id is applied once.
        id: CommandId,
        /// What to do.
        command: Command,
    },
    /// Clock sync and liveness; answered with `pong`.
    Ping {
        /// Client's own timestamp, echoed back.
        t: u64,
    },
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Answer to `hello`.
    Welcome {
        /// The meeting.
        meeting: MeetingId,
        /// Who the server takes this client to be.
        you: Actor,
        /// Server time, ms, for countdowns.
        server_time: u64,
        /// Current head of the log.
        head: Seq,
        /// [`PROTOCOL_VERSION`].
        protocol: u32,
    },
    /// The whole state at `state.seq`; replaces whatever the client had.
    Snapshot {
        /// The state.
        state: Box<MeetingState>,
    },
    /// Events in sequence order, gap-free after what the client has.
    Events(Vec<Event>),
    /// A command was accepted and stored durably at `seq`.
    Ack {
        /// The command's id.
        id: CommandId,
        /// Sequence number of its event.
        seq: Seq,
        /// Id of what it created (participant, topic or opinion), if anything.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created: Option<u32>,
        /// True when this answers a resend of an already applied command.
        #[serde(default)]
        duplicate: bool,
    },
    /// A message or command was refused; nothing changed.
    Error {
        /// The command's id, when the error answers a command.
        #[serde(default)]
        id: Option<CommandId>,
        /// Stable code.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
    },
    /// Answer to `ping`.
    Pong {
        /// The client's timestamp.
        t: u64,
        /// Server time, ms.
        server_time: u64,
    },
}

/// The codes a WebSocket is closed with (4000–4999 are the application's
/// own; what the page does with each is in docs/protocol.md).
pub mod close_code {
    /// The server shuts down, the meeting stopped, or a send failed: reconnect.
    pub const GOING_AWAY: u16 = 1001;
    /// No heartbeat, or too many messages: reconnect.
    pub const POLICY: u16 = 1008;
    /// A message over the hard frame limit.
    pub const TOO_BIG: u16 = 1009;
    /// Unknown token for this meeting.
    pub const UNAUTHENTICATED: u16 = 4001;
    /// Removed by the moderator.
    pub const REMOVED: u16 = 4003;
    /// The meeting does not exist (any more).
    pub const NOT_FOUND: u16 = 4004;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::ids::{OpinionId, ParticipantId};

    #[test]
    fn client_messages_round_trip() {
        let msgs = vec![
            ClientMsg::Hello {
                token: "t".into(),
                since: Some(4),
            },
            ClientMsg::Command {
                id: CommandId("c1".into()),
                command: Command::Second {
                    seen_open: false,
                    opinion: OpinionId(1),
                    who: None,
                },
            },
            ClientMsg::Ping { t: 5 },
        ];
        for m in msgs {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<ClientMsg>(&json).unwrap(), m, "{json}");
        }
    }

    #[test]
    fn server_messages_round_trip() {
        let msgs = vec![
            ServerMsg::Ack {
                id: CommandId("c1".into()),
                seq: 9,
                created: Some(3),
                duplicate: false,
            },
            ServerMsg::Error {
                id: None,
                code: ErrorCode::Malformed,
                message: "x".into(),
            },
            ServerMsg::Events(vec![Event {
                seq: 2,
                at: 10,
                by: Actor::Participant(ParticipantId(1)),
                event: EventKind::HandRaised {
                    participant: ParticipantId(1),
                },
            }]),
            ServerMsg::Snapshot {
                state: Box::new(crate::MeetingState {
                    id: crate::MeetingId::parse("k7m2x9qa").unwrap(),
                    ..Default::default()
                }),
            },
        ];
        for m in msgs {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<ServerMsg>(&json).unwrap(), m, "{json}");
        }
    }

    #[test]
    fn hello_without_since_is_accepted() {
        let m: ClientMsg = serde_json::from_str(r#"{"type":"hello","data":{"token":"abc"}}"#).unwrap();
        assert_eq!(
            m,
            ClientMsg::Hello {
                token: "abc".into(),
                since: None
            }
        );
    }
}
