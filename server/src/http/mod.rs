//! The HTTP side: the router, the shared application state, and the handlers.

pub mod access;
pub mod archive;
pub mod assets;
pub mod error;
pub mod ledger;
pub mod meetings;
pub mod minutes;
pub mod per_address;

use crate::hub::{Hub, HubConfig};
use crate::links::LinkBase;
use crate::listen::Counter;
use crate::rate::Rate;

pub use access::Organiser;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use babahui_shared::limits::HTTP_BODY_MAX_BYTES;
use babahui_shared::ErrorCode;
pub use error::{ApiError, ApiJson};
pub use per_address::PerAddress;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Settings the handlers need.
#[derive(Clone)]
pub struct ServerConfig {
    /// How links are built.
    pub links: LinkBase,
    /// The organiser key: creating meetings, writing the ledger, backups and
    /// deletes need it (see [`access`]). `None` is the `--open` mode, which the
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
        }
    }
}

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
    pub ledger: crate::ledger::Ledger,
    /// Open WebSockets per address.
    pub ws_per_address: Arc<Counter<std::net::IpAddr>>,
    /// Open WebSockets per meeting.
    pub ws_per_meeting: Arc<Counter<babahui_shared::MeetingId>>,
    /// How often one address may join, guess invites and file objections.
    pub per_address: Arc<PerAddress>,
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    // Every request must be whole and answered within a deadline: a body
    // trickled at a byte a second, or an endless chunked one, is cut off with
    // 408 rather than holding a connection and its memory. Whole-server and
    // archive transfers get longer (they are big, and organiser-only).
    let deadline = state.config.limits.request_timeout;
    let timeout = |d| TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, d);
    let transfers = Router::new()
        .route("/api/meetings/{id}/archive.json", get(archive::export))
        .route(
            "/api/meetings/import",
            post(archive::import).layer(DefaultBodyLimit::max(archive::ARCHIVE_MAX_BYTES)),
        )
        .route("/api/backup.json", get(archive::backup))
        .layer(timeout(deadline * TRANSFER_DEADLINE_FACTOR));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/meetings", post(meetings::create).get(meetings::list))
        .route("/api/meetings/{id}/screens", post(meetings::issue_screens))
        .route(
            "/api/meetings/{id}",
            get(meetings::public_state).delete(archive::delete),
        )
        .route("/api/meetings/{id}/qr.svg", get(meetings::qr_svg))
        .route("/api/meetings/{id}/links", get(meetings::links))
        .route("/api/meetings/{id}/minutes.json", get(minutes::json))
        .route("/api/meetings/{id}/minutes.md", get(minutes::markdown))
        .route("/api/meetings/{id}/minutes.html", get(minutes::html))
        .route("/api/meetings/{id}/objections", post(minutes::object))
        .route("/api/meetings/{id}/ledger", post(ledger::import))
        .route("/api/ledger", get(ledger::list).post(ledger::create))
        .route("/api/ledger.xlsx", get(ledger::xlsx))
        .route("/api/ledger.csv", get(ledger::csv))
        .route("/api/ledger/{entry}", get(ledger::get_one))
        .route("/api/ledger/{entry}/updates", post(ledger::update))
        .route("/api/qr.svg", get(meetings::any_qr_svg))
        .route("/api/meetings/{id}/join", post(meetings::join))
        .route("/api/meetings/{id}/ws", get(crate::ws::upgrade))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .layer(timeout(deadline))
        .merge(transfers)
        .fallback(assets::serve)
        .layer(DefaultBodyLimit::max(HTTP_BODY_MAX_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(MatchedPath::as_str)
                .unwrap_or("(static)");
            tracing::info_span!("http", method = %req.method(), route)
        }))
        .with_state(state)
}

/// Every response, every page: scripts only from this server (and WebAssembly
/// compiled from it), nothing from anywhere else, no plugins, no framing (a
/// page inside another site's frame could be clicked through), forms and
/// sockets back to this server only. A name like `<script>` typed into a
/// meeting cannot run even if some page forgot to escape it. Inline styles are
/// allowed: the printable minutes carry their own, and bars set their widths.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async fn api_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such API endpoint")
}
