//! A connection's start: wait for `hello`, authenticate, subscribe; refuse
//! with an error and a close code otherwise.

use super::socket::Socket;
use super::socket::SEND_TIMEOUT;
use crate::http::state::AppState;
use crate::hub::{Connected, MeetingHandle};
use babahui_shared::follow::FOLLOW_TOKEN;
use babahui_shared::limits::FRAME_MAX_BYTES;
use babahui_shared::protocol::close_code as close;
use babahui_shared::{ClientMsg, ErrorCode, ServerMsg};
use std::net::SocketAddr;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Waits for `hello`, authenticates and subscribes. Anything else before
/// `hello` gets an error; silence past the deadline closes the connection.
pub(super) async fn handshake(
    socket: &mut Socket,
    handle: &MeetingHandle,
    app: &AppState,
    peer: SocketAddr,
) -> Option<(Connected, String)> {
    let deadline = Instant::now() + app.config.hello_timeout;
    loop {
        let msg = match tokio::time::timeout_at(deadline, socket.recv()).await {
            Err(_) => {
                refuse(socket, ErrorCode::Unauthenticated, "no hello in time", close::POLICY).await;
                return None;
            }
            Ok(Some(Ok(msg))) => msg,
            Ok(_) => return None,
        };
        let Message::Text(text) = msg else { continue };
        let hello = if text.len() > FRAME_MAX_BYTES {
            Err(format!("messages are limited to {FRAME_MAX_BYTES} bytes"))
        } else {
            serde_json::from_str::<ClientMsg>(&text).map_err(|e| format!("not a valid message: {e}"))
        };
        let Ok(ClientMsg::Hello { token, since }) = hello else {
            let (code, message) = match hello {
                Err(why) => (ErrorCode::Malformed, why),
                Ok(_) => (ErrorCode::Unauthenticated, "send hello with your token first".into()),
            };
            let reply = ServerMsg::Error {
                id: None,
                code,
                message,
            };
            let text = serde_json::to_string(&reply).expect("serialises");
            if socket.send(Message::Text(text.into())).await.is_err() {
                return None;
            }
            continue;
        };
        // Following from home: no token, the public stream, read only.
        let connected = if token == FOLLOW_TOKEN {
            handle.follow(since).await
        } else {
            handle.connect(&token, since, peer.ip()).await
        };
        return match connected {
            Ok(connected) => Some((connected, token)),
            Err(e) => {
                let code = match e.code {
                    ErrorCode::Forbidden => close::REMOVED,
                    ErrorCode::NotFound => close::NOT_FOUND,
                    _ => close::UNAUTHENTICATED,
                };
                refuse(socket, e.code, &e.message, code).await;
                None
            }
        };
    }
}

async fn refuse(socket: &mut Socket, code: ErrorCode, message: &str, close_code: u16) {
    let reply = ServerMsg::Error {
        id: None,
        code,
        message: message.to_owned(),
    };
    let text = serde_json::to_string(&reply).expect("serialises");
    let _ = timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await;
    let frame = CloseFrame {
        code: CloseCode::from(close_code),
        reason: Utf8Bytes::from(code.as_str()),
    };
    let _ = timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
}
