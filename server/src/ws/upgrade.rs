//! The WebSocket opening handshake (RFC 6455 §4.2), as axum's `WebSocketUpgrade`
//! does it, but handing over a plain tokio-tungstenite stream so that
//! [`Socket`] can write shared, pre-encoded frames.

use super::socket::Socket;
use crate::fanout::{Outlet, OutletIo};
use crate::http::error::ApiError;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use babahui_shared::ErrorCode;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

/// A request to open a WebSocket, checked.
#[derive(Debug)]
pub struct WsUpgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

fn not_websocket(why: &str) -> ApiError {
    ApiError::new(ErrorCode::Malformed, format!("not a WebSocket request: {why}"))
}

impl<S: Send + Sync> FromRequestParts<S> for WsUpgrade {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        if parts.method != Method::GET {
            return Err(not_websocket("use GET"));
        }
        if !has_token(&parts.headers, header::CONNECTION, "upgrade")
            || !has_token(&parts.headers, header::UPGRADE, "websocket")
        {
            return Err(not_websocket("Connection: upgrade and Upgrade: websocket are required"));
        }
        if parts.headers.get(header::SEC_WEBSOCKET_VERSION).map(|v| v.as_bytes()) != Some(b"13") {
            return Err(not_websocket("Sec-WebSocket-Version must be 13"));
        }
        let key = parts
            .headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or_else(|| not_websocket("Sec-WebSocket-Key is missing"))?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or_else(|| not_websocket("this connection cannot be upgraded"))?;
        Ok(WsUpgrade { key, on_upgrade })
    }
}

impl WsUpgrade {
    /// Answers `101 Switching Protocols` and runs `callback` on the socket once upgraded.
    pub fn on_upgrade<F, Fut>(self, config: WebSocketConfig, callback: F) -> Response
    where
        F: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let accept = derive_accept_key(self.key.as_bytes());
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    // Our listener serves plain TCP streams (`crate::listen`).
                    let Ok(parts) = upgraded.downcast::<TokioIo<TcpStream>>() else {
                        tracing::error!("a WebSocket over something other than a TCP stream");
                        return;
                    };
                    // Whatever the client sent after its request. Copied out: the
                    // shared bytes would keep hyper's whole read buffer (kilobytes)
                    // alive for as long as the connection lasts.
                    let early = parts.read_buf.to_vec();
                    drop(parts.read_buf);
                    let tcp = Arc::new(parts.io.into_inner());
                    let outlet = Outlet::new(tcp.clone());
                    let io = OutletIo::new(tcp, outlet.clone());
                    let stream = WebSocketStream::from_partially_read(io, early, Role::Server, Some(config)).await;
                    // A task of its own: this one's state (the upgrade, the
                    // callback's captures) is freed instead of kept for hours.
                    tokio::spawn(callback(Socket::new(stream, outlet)));
                }
                Err(e) => tracing::debug!(error = %e, "WebSocket upgrade failed"),
            }
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .body(Body::empty())
            .expect("a valid response")
    }
}
