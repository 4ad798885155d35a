//! `GET /api/meetings/{id}/ws`: the checks before a WebSocket is opened
//! (the meeting exists, the page is ours, the connection limits), then the
//! connection's task.

use super::connection::{Connection, HARD_FRAME_MAX};
use super::upgrade;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use babahui_shared::{ErrorCode, MeetingId};
use std::net::SocketAddr;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tracing::Instrument;

/// `GET /api/meetings/{id}/ws`: upgrades once the meeting is known to exist.
pub async fn open(
    State(app): State<AppState>,
    Path(id): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: upgrade::WsUpgrade,
) -> Result<Response, ApiError> {
    let parsed = MeetingId::parse(&id).ok_or_else(|| ApiError::no_meeting(&id))?;
    crate::http::access::same_origin(&headers, &app.config.allowed_origins)?;
    let handle = app.hub.get(&parsed).await?;
    let exempt = app.config.limits.exempt_loopback && peer.ip().is_loopback();
    let slots = (
        (!exempt)
            .then(|| app.ws_per_address.acquire(peer.ip()))
            .map(|slot| {
                slot.ok_or_else(|| ApiError::new(ErrorCode::RateLimited, "too many connections from this address"))
            })
            .transpose()?,
        app.ws_per_meeting.acquire(parsed.clone()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Overloaded,
                "this meeting has as many connections as it can take",
            )
        })?,
    );
    // Small buffers: thousands of connections each hold them for hours, and
    // tungstenite zeroes the free part of the read buffer before every read.
    // Client messages are small (a command is ~100–300 bytes); a rare long one
    // is read in several goes.
    let config = WebSocketConfig::default()
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_message_size(Some(HARD_FRAME_MAX))
        .max_frame_size(Some(HARD_FRAME_MAX));
    let tracker = app.connections.clone();
    Ok(ws.on_upgrade(config, move |socket| {
        // Debug level: entering a span on every poll of ten thousand connections
        // costs more than the logs inside it (all debug) are worth at info.
        let span = tracing::debug_span!("ws", meeting = %parsed, role = tracing::field::Empty);
        tracker.track_future(Connection::new(socket, handle, app, peer, slots).run().instrument(span))
    }))
}
