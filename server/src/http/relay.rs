//! Any node accepts any request. A request about a meeting another node
//! serves (it holds the meeting's lease: see [`crate::hub::Route`]) is relayed
//! to that node whole — a WebSocket too, byte for byte after its upgrade — so
//! phones, tablets and projectors need not know which node they reached.
//!
//! The relaying node tells the owner who the request came from, with the
//! service's relay secret (a row in the database every node reads), so that
//! the owner's per-address rules apply to the person, not to the node. A
//! request that claims to be relayed without the secret is treated as coming
//! from whoever sent it.

use super::error::ApiError;
use super::relay_client::Relay;
use super::state::AppState;
use crate::hub::Route;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use babahui_shared::{ErrorCode, MeetingId};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;

/// The relay secret, on a relayed request.
pub(super) const RELAY: HeaderName = HeaderName::from_static("x-babahui-relay");
/// The address a relayed request came from.
const CLIENT: HeaderName = HeaderName::from_static("x-babahui-client");

/// The meeting a path is about: `/api/meetings/{id}…` and `/m/{id}…`.
fn meeting_in_path(path: &str) -> Option<MeetingId> {
    let rest = path
        .strip_prefix("/api/meetings/")
        .or_else(|| path.strip_prefix("/m/"))?;
    MeetingId::parse(rest.split('/').next()?)
}

/// The address a request from a trusted reverse proxy came from: the last of
/// its `X-Forwarded-For` (the one the proxy saw; any before it are the
/// client's own say).
fn forwarded_for(req: &Request) -> Option<std::net::IpAddr> {
    req.headers()
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok())
}

/// Middleware, outermost: a request from a trusted reverse proxy is taken to
/// come from the address the proxy names; a relayed request showing the
/// secret, from the address the relaying node names; the relay headers are
/// removed otherwise.
pub async fn trust_relayed(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    if let Some(peer) = peer.filter(|p| state.config.trusted_proxies.contains(&p.ip())) {
        if let Some(ip) = forwarded_for(&req) {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, peer.port())));
        }
    }
    let shown = req
        .headers()
        .get(RELAY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(shown) = shown {
        let trusted = state
            .relay
            .as_ref()
            .is_some_and(|r| constant_time_eq(shown.as_bytes(), r.secret().as_bytes()));
        let from = req
            .headers()
            .get(CLIENT)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<SocketAddr>().ok());
        match (trusted, from) {
            (true, Some(from)) => {
                req.extensions_mut().insert(ConnectInfo(from));
            }
            _ => {
                tracing::warn!("a request claimed to be relayed without the secret");
                req.headers_mut().remove(RELAY);
                req.headers_mut().remove(CLIENT);
            }
        }
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: serves a meeting's request here, or relays it to the node
/// that serves the meeting.
pub async fn to_owner(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (Some(relay), Some(id)) = (&state.relay, meeting_in_path(req.uri().path())) else {
        return next.run(req).await;
    };
    match state.hub.route(&id).await {
        Ok(Route::Here) => next.run(req).await,
        Ok(Route::There(_)) if req.headers().contains_key(RELAY) => {
            // Relayed here by a node that thought this one serves it: the lease
            // moved meanwhile. Refuse rather than relay in circles; the client retries.
            ApiError::new(ErrorCode::Storage, "the meeting is moving between servers; try again").into_response()
        }
        Ok(Route::There(url)) => relay_to(relay, &url, req, &state).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn relay_to(relay: &Relay, base: &str, mut req: Request, state: &AppState) -> Response {
    let unavailable = || {
        ApiError::new(
            ErrorCode::Storage,
            "the server holding this meeting cannot be reached; try again",
        )
        .into_response()
    };
    let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let Ok(uri) = format!("{}{path}", base.trim_end_matches('/')).parse::<Uri>() else {
        return unavailable();
    };
    let from = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let upgrade = req
        .headers()
        .get(axum::http::header::UPGRADE)
        .is_some()
        .then(|| hyper::upgrade::on(&mut req));
    let (mut parts, body) = req.into_parts();
    parts.uri = uri;
    if let Ok(secret) = HeaderValue::from_str(relay.secret()) {
        parts.headers.insert(RELAY, secret);
    }
    if let Some(from) = from.and_then(|f| HeaderValue::from_str(&f.to_string()).ok()) {
        parts.headers.insert(CLIENT, from);
    }
    let outbound = Request::from_parts(parts, body);
    let mut resp = match relay.client().request(outbound).await {
        Ok(resp) => resp,
        Err(e) => {
            tracing::warn!(node = base, error = %e, "relay failed");
            return unavailable();
        }
    };
    if let (Some(client_side), axum::http::StatusCode::SWITCHING_PROTOCOLS) = (upgrade, resp.status()) {
        let owner_side = hyper::upgrade::on(&mut resp);
        let shutdown = state.shutdown.clone();
        state.connections.spawn(async move {
            let (Ok(client_side), Ok(owner_side)) = (client_side.await, owner_side.await) else {
                return;
            };
            let (mut a, mut b) = (TokioIo::new(client_side), TokioIo::new(owner_side));
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut a, &mut b) => {}
                _ = shutdown.cancelled() => {}
            }
        });
    }
    resp.map(Body::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meeting_is_read_from_its_paths() {
        let id = |p: &str| meeting_in_path(p).map(|m| m.to_string());
        assert_eq!(id("/api/meetings/k7m2x9qa/ws").as_deref(), Some("k7m2x9qa"));
        assert_eq!(id("/api/meetings/k7m2x9qa").as_deref(), Some("k7m2x9qa"));
        assert_eq!(id("/m/k7m2x9qa/hand").as_deref(), Some("k7m2x9qa"));
        assert_eq!(id("/api/meetings/import"), None);
        assert_eq!(id("/api/ledger"), None);
        assert_eq!(id("/"), None);
    }
}
