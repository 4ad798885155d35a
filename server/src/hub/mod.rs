//! The hub: the registry of live meetings ([`Hub`]), each owned by one task.
//! Handlers, WebSocket connections and services talk to a meeting only through
//! its [`MeetingHandle`]; nothing else touches meeting state.
//!
//! # Layout
//! - [`registry`](Hub): load on first use, create, delete, list.
//! - `handle`: [`MeetingHandle`], the requests it sends and what comes back.
//! - `task`: the meeting task (decide, apply, group commit, broadcast, reads).
//! - `rebuild`: the task rebuilt from the store; resends remembered; checkpoints.
//! - `launch`: starting a task (a new meeting, or one read from the store).
//! - `follow`: the stream for people following from home (线上旁听).
//! - [`door`]: bans and posting rates, in memory only.
//! - `cluster`: which node serves a meeting ([`Route`]), leases renewed.
//! - `held`: the leases this node holds, as it knows them; the nodes' addresses.
//! - `config`: [`HubConfig`].

mod cluster;
mod config;
pub mod door;
mod follow;
mod handle;
mod held;
mod launch;
mod rebuild;
mod registry;
mod task;

pub use cluster::Route;
pub use config::HubConfig;
pub use follow::{Audience, Following};
pub use handle::{Ack, Connected, CreatedMeeting, Joined, MeetingHandle, Screens};
pub use held::PeerAddresses;
pub use registry::Hub;

/// What the organiser sends to create a meeting.
pub use babahui_shared::MeetingSetup as NewMeeting;
