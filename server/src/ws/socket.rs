//! A server-side WebSocket: tokio-tungstenite reads and sends the small,
//! per-connection messages; frames encoded once for everyone ([`Wire`]) are
//! written straight to the connection.
//!
//! Writing around the library keeps memory flat: tungstenite assembles each
//! outgoing message in a buffer that keeps its largest size, so one snapshot
//! of a meeting of thousands would leave a megabyte behind in every connection.

use crate::wire::Wire;
use futures::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::WebSocketStream;

/// One upgraded connection.
#[derive(Debug)]
pub struct Socket {
    inner: WebSocketStream<TokioIo<Upgraded>>,
}

impl Socket {
    /// Wraps an upgraded connection.
    pub fn new(inner: WebSocketStream<TokioIo<Upgraded>>) -> Socket {
        Socket { inner }
    }

    /// The next message (pings are answered inside); `None` once closed.
    pub async fn recv(&mut self) -> Option<Result<Message, Error>> {
        self.inner.next().await
    }

    /// Sends one message through tungstenite.
    pub async fn send(&mut self, msg: Message) -> Result<(), Error> {
        self.inner.send(msg).await
    }

    /// Writes frames encoded beforehand, several in one system call. Anything
    /// tungstenite still holds (an automatic pong) is written first, so frames
    /// never interleave.
    pub async fn send_wires(&mut self, frames: &[&Wire]) -> Result<(), Error> {
        self.inner.flush().await?;
        let io = self.inner.get_mut();
        match frames {
            [one] => io.write_all(one.as_bytes()).await?,
            many => {
                let mut joined = Vec::with_capacity(many.iter().map(|w| w.as_bytes().len()).sum());
                for w in many {
                    joined.extend_from_slice(w.as_bytes());
                }
                io.write_all(&joined).await?;
            }
        }
        io.flush().await?;
        Ok(())
    }
}
