//! The part of Babahui that both the server and the browser client compile:
//! domain types, the wire protocol and the pure meeting state machine.
//!
//! Everything here is plain data and pure functions — no I/O, no clocks, no
//! randomness — so it builds for `wasm32-unknown-unknown` as well as natively,
//! and the server, the client and the tests all fold the same event log.
//!
//! # Layout
//! - [`ids`]: identifier newtypes (meeting, participant, topic, opinion, command).
//! - [`model`]: the things a meeting is made of (topics, participants, opinions, the floor).
//! - [`command`]: what a client asks for, and who is asking ([`Actor`]).
//! - [`event`]: what happened; the durable log is a sequence of these.
//! - [`decide`](mod@decide): command + state → event or error (authorisation and validation).
//! - [`state`]: the meeting state and the infallible fold `apply(state, event)`.
//! - [`views`]: derived read-only views (attendance, speaking time, queue position, timers).
//! - [`votes`]: tallies and pass rules.
//! - [`ledger`]: the issue ledger (问题台账) entries and their statuses.
//! - [`minutes`]: the minutes (会议纪要): structure, Markdown, printable HTML.
//! - [`protocol`]: the WebSocket messages in each direction.
//! - [`error`]: stable error codes shared by the WebSocket and HTTP APIs.
//! - [`limits`]: sizes and lengths the server enforces and the client respects.

pub mod api;
pub mod command;
pub mod decide;
pub mod error;
pub mod event;
pub mod ids;
pub mod ledger;
pub mod limits;
pub mod minutes;
pub mod model;
pub mod protocol;
pub mod state;
pub mod views;
pub mod votes;

pub use command::{Actor, Command, OpinionAuthor};
pub use decide::decide;
pub use error::{CommandError, ErrorCode};
pub use event::{Event, EventKind};
pub use ids::{CommandId, CommitmentId, MeetingId, OpinionId, ParticipantId, ReviewId, Seq, TopicId, VoteId};
pub use model::*;
pub use protocol::{ClientMsg, ServerMsg};
pub use state::MeetingState;
