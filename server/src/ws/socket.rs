//! A server-side WebSocket: tokio-tungstenite reads and sends the small,
//! per-connection messages; frames encoded once for everyone ([`Wire`](crate::wire::Wire)) are
//! queued as they are. Every byte goes out through the connection's
//! [`Outlet`], which the meeting's fan-out writes to as well.
//!
//! Writing around the library keeps memory flat: tungstenite assembles each
//! outgoing message in a buffer that keeps its largest size, so one snapshot
//! of a meeting of thousands would leave a megabyte behind in every connection.

use crate::fanout::{Outlet, OutletIo};
use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::WebSocketStream;

/// A send that takes longer means the client is not reading: drop it.
pub(super) const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// One upgraded connection.
#[derive(Debug)]
pub struct Socket {
    inner: WebSocketStream<OutletIo>,
    outlet: Arc<Outlet>,
}

impl Socket {
    /// Wraps an upgraded connection writing through `outlet`.
    pub fn new(inner: WebSocketStream<OutletIo>, outlet: Arc<Outlet>) -> Socket {
        Socket { inner, outlet }
    }

    /// The connection's way out, shared with the meeting's fan-out.
    pub fn outlet(&self) -> &Arc<Outlet> {
        &self.outlet
    }

    /// The next message (pings are answered inside); `None` once closed.
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        self.inner.next().await
    }

    /// Sends one message through tungstenite, and waits until it is written.
    pub async fn send(&mut self, msg: Message) -> Result<(), Error> {
        self.inner.send(msg).await
    }

    /// Writes frames encoded beforehand (after anything already queued) in one
    /// go, and waits until they are written.
    pub async fn send_frames(&mut self, frames: Vec<Bytes>) -> Result<(), Error> {
        self.outlet.push_all(frames);
        self.outlet.drain().await?;
        Ok(())
    }
}
