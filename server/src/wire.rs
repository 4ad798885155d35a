//! WebSocket frames encoded once and written as they are to every connection.
//!
//! A server's frames are not masked, so the bytes of one `events` message are
//! the same for every phone in the courtyard: the meeting task encodes them
//! once, and each connection only writes them. Per recipient there is no
//! serialising, no framing and no copy — the cost left is the write itself.

use babahui_shared::{ParticipantId, Seq};
use bytes::Bytes;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;

/// One complete, final text frame: header and payload.
#[derive(Debug, Clone)]
pub struct Wire(Bytes);

impl Wire {
    /// Encodes `payload` as a text frame.
    pub fn text(payload: String) -> Wire {
        let frame = WsFrame::message(payload, OpCode::Data(Data::Text), true);
        let mut out = Vec::with_capacity(frame.len());
        frame.format(&mut out).expect("writing to a Vec cannot fail");
        Wire(out.into())
    }

    /// The frame's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The frame's bytes, shared (no copy).
    pub fn bytes(&self) -> Bytes {
        self.0.clone()
    }
}

/// What every connection of a meeting receives: one serialised `events`
/// message, shared by reference count.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Sequence number of the last event in the frame.
    pub last_seq: Seq,
    /// `{"type":"events","data":[…]}`, encoded as a WebSocket frame.
    pub wire: Wire,
    /// Participants removed by these events (their connections close), and
    /// whether they are banned (their address may not join again).
    pub removed: Arc<[(ParticipantId, bool)]>,
}

/// `{"type":"events","data":[e1,e2,…]}` from already serialised events.
pub fn events_frame<'a>(events: impl IntoIterator<Item = &'a Arc<str>>) -> String {
    let mut out = String::from(r#"{"type":"events","data":["#);
    for (i, e) in events.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::Wire;

    #[test]
    fn short_and_long_frames_have_the_right_headers() {
        assert_eq!(Wire::text("hi".into()).as_bytes(), b"\x81\x02hi");
        let long = "x".repeat(300);
        let w = Wire::text(long.clone());
        assert_eq!(&w.as_bytes()[..4], &[0x81, 126, 1, 44]);
        assert_eq!(&w.as_bytes()[4..], long.as_bytes());
        let huge = "y".repeat(70_000);
        let w = Wire::text(huge);
        assert_eq!(&w.as_bytes()[..2], &[0x81, 127]);
        assert_eq!(u64::from_be_bytes(w.as_bytes()[2..10].try_into().unwrap()), 70_000);
    }
}
