//! The server's settings in one struct ([`ServerConfig`]), with the abuse
//! limits ([`Limits`]); built by the command line from its flags.

use crate::hub::HubConfig;
use crate::links::LinkBase;
use crate::rate::Rate;
use std::time::Duration;

/// Settings the handlers need.
#[derive(Clone)]
pub struct ServerConfig {
    /// How links are built.
    pub links: LinkBase,
    /// The organiser key: creating meetings, writing the ledger, backups and
    /// deletes need it (see `http::access`). `None` is the `--open` mode, which the
    /// binary never picks by itself (it makes and keeps a key); the in-process
    /// test servers use it where a test is not about access.
    pub organiser_key: Option<String>,
    /// Interval of WebSocket pings.
    pub heartbeat: Duration,
    /// A connection silent for this long is closed (half-open detection).
    pub idle_timeout: Duration,
    /// Time a new connection has to send `hello`.
    pub hello_timeout: Duration,
    /// Hub tuning.
    pub hub: HubConfig,
    /// Abuse limits.
    pub limits: Limits,
    /// Origins (`https://bbh.example.org`) besides the server's own that may open
    /// WebSockets: for deployments behind a proxy that rewrites the Host.
    pub allowed_origins: Vec<String>,
    /// The address other nodes reach this one at (`--node-url`), on a store
    /// several nodes share. Default: the address it listens on.
    pub node_url: Option<String>,
    /// Reverse proxies (nginx, HAProxy) in front of this server: a request
    /// from one of these addresses is taken to come from the last address in
    /// its `X-Forwarded-For`, so per-address limits apply to the person.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Whether `/dashboard` shows the street office's numbers (without names
    /// of people) to anyone (`--public-dashboard`).
    pub public_dashboard: bool,
}

/// How many times the request deadline an archive or backup transfer may take.
pub const TRANSFER_DEADLINE_FACTOR: u32 = 20;

/// What one address, one meeting or one connection may take. 0 means no limit
/// (for benchmarks, or behind a proxy where every phone has the same address).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time a client has to send a whole HTTP request head (slow-loris).
    pub header_timeout: Duration,
    /// Time a request (head, body and handler) has to be answered; a body
    /// trickled slower than its size allows is cut off with 408. Archive and
    /// backup transfers get [`TRANSFER_DEADLINE_FACTOR`] times as long.
    pub request_timeout: Duration,
    /// Open HTTP connections from one address (before any upgrade).
    pub http_per_address: usize,
    /// Open WebSockets from one address.
    pub ws_per_address: usize,
    /// Open WebSockets in one meeting.
    pub ws_per_meeting: usize,
    /// Messages per second one WebSocket may send, sustained…
    pub messages_per_sec: u32,
    /// …and in a burst (a phone's outbox sends everything typed offline at once).
    pub message_burst: u32,
    /// Joins from one address (a family shares a phone; a script floods).
    pub joins_per_address: Rate,
    /// Joins with a wrong meeting or invite code from one address: once used
    /// up, the address may not join at all until it refills (no guessing).
    pub wrong_invites_per_address: Rate,
    /// Objections (异议) from one address.
    pub objections_per_address: Rate,
    /// Opinions from outside the courtyard (the notice before the meeting, the
    /// follow view during it) from one address.
    pub outside_opinions_per_address: Rate,
    /// Loopback addresses are not limited per address: there it is this machine,
    /// or a reverse proxy in front that sees the real addresses.
    pub exempt_loopback: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            http_per_address: 64,
            ws_per_address: 32,
            ws_per_meeting: 15_000,
            messages_per_sec: 20,
            message_burst: 200,
            joins_per_address: Rate::one_every(Duration::from_secs(30), 20),
            wrong_invites_per_address: Rate::one_every(Duration::from_secs(30), 10),
            objections_per_address: Rate::one_every(Duration::from_secs(300), 5),
            outside_opinions_per_address: Rate::one_every(Duration::from_secs(60), 10),
            exempt_loopback: true,
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("links", &self.links)
            .field("organiser_key", &self.organiser_key.as_ref().map(|_| "<redacted>"))
            .field("heartbeat", &self.heartbeat)
            .field("idle_timeout", &self.idle_timeout)
            .field("limits", &self.limits)
            .field("allowed_origins", &self.allowed_origins)
            .field("node_url", &self.node_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            links: LinkBase::default(),
            organiser_key: None,
            heartbeat: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            hello_timeout: Duration::from_secs(10),
            hub: HubConfig::default(),
            limits: Limits::default(),
            allowed_origins: Vec::new(),
            node_url: None,
            trusted_proxies: Vec::new(),
            public_dashboard: false,
        }
    }
}
