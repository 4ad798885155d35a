//! The state every handler and connection gets: the hub, the services, the
//! settings and the counters the limits keep.

use super::per_address::PerAddress;
use crate::config::ServerConfig;
use crate::hub::Hub;
use crate::listen::Counter;
use crate::service::{Archives, Directory, Ledger, Matters, Meetings};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The state every handler gets; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The live meetings.
    pub hub: Hub,
    /// Settings.
    pub config: Arc<ServerConfig>,
    /// Cancelled when the server shuts down; WebSocket tasks watch it.
    pub shutdown: CancellationToken,
    /// WebSocket connection tasks, awaited at shutdown (axum does not wait for upgraded sockets).
    pub connections: TaskTracker,
    /// The issue ledger.
    pub ledger: Ledger,
    /// Matters residents send between meetings, and their photos (behind an
    /// `Arc`: every phone's connection task holds this state).
    pub matters: Arc<Matters>,
    /// Communities, accounts, sessions, the audit log (behind an `Arc`: see `relay`).
    pub directory: Arc<Directory>,
    /// Commands into meetings (every transport's one path).
    pub meetings: Meetings,
    /// Archives, backups and deletes of meetings.
    pub archives: Archives,
    /// Open WebSockets per address.
    pub ws_per_address: Arc<Counter<std::net::IpAddr>>,
    /// Open WebSockets per meeting.
    pub ws_per_meeting: Arc<Counter<babahui_shared::MeetingId>>,
    /// How often one address may join, guess invites and file objections.
    pub per_address: Arc<PerAddress>,
    /// Relaying requests to the node that serves a meeting (a shared store
    /// only). Behind an `Arc`: every connection task holds this state, and
    /// its size is memory per phone.
    pub relay: Option<Arc<super::relay_client::Relay>>,
}
