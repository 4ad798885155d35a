//! `GET /api/meetings/{id}/ws`: the checks before a WebSocket is opened
//! (the meeting exists, the page is ours, the connection limits), then the
//! connection's task.

use super::connection::{Connection, HARD_FRAME_MAX};
use super::upgrade;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap};
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
    check_origin(&headers, &app.config.allowed_origins)?;
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

/// A browser always says which page opened a WebSocket: only our own pages (same
/// host) and the configured origins may. Without `Origin` it is not a browser (a
/// script, a test, the load generator) and cross-site request forgery does not apply.
fn check_origin(headers: &HeaderMap, allowed: &[String]) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default().trim_end_matches('/');
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let same_host = origin
        .split_once("://")
        .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host));
    if same_host
        || allowed
            .iter()
            .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        Ok(())
    } else {
        tracing::warn!(origin, host, "WebSocket from a foreign page refused");
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "this page may not connect to this server",
        ))
    }
}
