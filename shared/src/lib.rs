//! The part of Babahui that both the server and the browser client compile:
//! domain types, the wire protocol and the pure meeting state machine.
//!
//! Everything here is plain data and pure functions — no I/O, no clocks, no
//! randomness — so it builds for `wasm32-unknown-unknown` as well as natively,
//! and the server, the client and the tests all fold the same event log.
//!
//! # Layout
//! - [`ids`]: identifier newtypes (meeting, participant, topic, opinion, command).
//! - [`model`]: the things a meeting is made of, one file per part: `meeting`
//!   (setup, phase, settings, Wi-Fi), `agenda` (topics, stages, outcomes), `floor`,
//!   `people`, `opinion`, `vote`, `review` and `record` (commitments, published
//!   minutes, objections); `model` re-exports them all.
//! - [`command`]: what a client asks for, and who is asking ([`Actor`]).
//! - [`event`]: what happened; the durable log is a sequence of these.
//! - [`decide`](mod@decide): command + state → event or error (authorisation and
//!   validation). `decide` makes the checks common to every command, then hands it to
//!   its family's module (`meeting`, `agenda`, `people`, `floor`, `opinions`,
//!   `decisions`, `record`, `review`); shared checks in `checks`, text cleaning in `text`.
//! - [`state`]: the meeting state (`meeting_state`) and the infallible fold
//!   `apply(state, event)` (`apply`), split into the same families as `decide`.
//! - [`views`]: derived read-only views (attendance, speaking time, queue position, timers).
//! - [`votes`]: tallies and pass rules.
//! - [`directory`]: communities, accounts and the audit log (a district server's).
//! - [`ledger`]: the issue ledger (问题台账) entries and their statuses.
//! - [`matters`]: matters residents send between meetings (听群众说事), before the ledger.
//! - [`minutes`]: the minutes (会议纪要): the stored value (`value`), its projection
//!   from the state (`from_state`), the shared wording (`labels`), and the Markdown
//!   (`markdown`) and printable HTML (`html`) renderings.
//! - [`protocol`]: the WebSocket messages in each direction, and its close codes.
//! - [`api`]: the HTTP API's request and answer bodies (the server's and the client's).
//! - [`error`]: stable error codes shared by the WebSocket and HTTP APIs.
//! - [`limits`]: sizes and lengths the server enforces and the client respects.
//!
//! Imports go one way, with no circle: `ids` and `limits` below everything; the
//! model's files and the minutes' stored value below `command` and `event`; `state`
//! above `event`; `views`, `votes` and the minutes' projection and renderings above
//! `state`; `decide` and `protocol` on top. A module's `mod.rs` only declares its
//! children and re-exports them (`decide/mod.rs` also holds `decide` itself), and
//! children import their siblings directly, never items from their parent. The
//! model's own files and the minutes' stored value import model items from the file
//! that defines them (`model::record` holds published minutes); the rest of the
//! crate goes through `model`'s re-exports.

pub mod api;
pub mod command;
pub mod decide;
pub mod directory;
pub mod error;
pub mod event;
pub mod follow;
pub mod ids;
pub mod ledger;
pub mod limits;
pub mod matters;
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
