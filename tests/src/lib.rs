//! Helpers shared by the end-to-end tests and the load generator: a real
//! WebSocket client that speaks Babahui's protocol and folds the events it
//! receives with the same `apply` as the server, thin HTTP helpers, and the
//! load generator itself.
//!
//! # Layout
//! - [`WsClient`]: connect with a token, send commands, follow the log, detect gaps and duplicates.
//! - [`http`]: create meetings and join them over the HTTP API.
//! - [`netns`]: other devices on the Wi-Fi (network namespaces), as the server sees them.
//! - [`postgres`]: a throwaway PostgreSQL cluster for the district backend's tests.
//! - [`session`]: someone calling the HTTP API with a session cookie, a key, or nothing.
//! - [`proxy`]: a TCP proxy that delays and cuts connections (fault tests).
//! - [`load`]: the load generator behind `loadgen` (see BENCHMARKS.md).
//! - [`structure`]: a reading of the source tree for the house rules (imports, lengths).

pub mod audio;
pub mod http;
pub mod load;
pub mod netns;
pub mod photos;
pub mod postgres;
pub mod proxy;
pub mod session;
pub mod structure;

use anyhow::{anyhow, bail, Context, Result};
use babahui_shared::{Actor, ClientMsg, Command, CommandId, ErrorCode, MeetingId, MeetingState, Seq, ServerMsg};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for any one message before failing.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(15);

/// An acknowledgement as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acked {
    /// Sequence number of the event.
    pub seq: Seq,
    /// Id of what was created.
    pub created: Option<u32>,
    /// Answer to a resend.
    pub duplicate: bool,
}

/// A refusal as the client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Code.
    pub code: ErrorCode,
    /// Message.
    pub message: String,
}

/// A connected client that keeps its own copy of the meeting state.
#[derive(Debug)]
pub struct WsClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The state folded from what the server sent.
    pub state: MeetingState,
    /// Who the server says this client is.
    pub actor: Actor,
    /// Events received that were already applied (must stay 0).
    pub duplicate_events: usize,
    /// Every sequence number received in `events` messages, in order.
    pub seen: Vec<Seq>,
    /// Errors received that answered no command of ours.
    pub stray_errors: Vec<Refused>,
    /// Results that arrived while waiting for something else.
    results: Vec<(CommandId, Result<Acked, Refused>)>,
    next_id: u64,
    name: String,
    snapshots: usize,
    /// Every text message received, as sent (to check what a client can read).
    received: String,
}

impl WsClient {
    /// Connects to `meeting` on the server at `http_base` (e.g. `http://127.0.0.1:1234`),
    /// says hello, and reads until caught up with the head the server announced.
    pub async fn connect(http_base: &str, meeting: &MeetingId, token: &str, since: Option<Seq>) -> Result<Self> {
        Self::connect_with_state(http_base, meeting, token, since, MeetingState::default()).await
    }

    /// Like [`connect`](Self::connect), resuming from a state the client already had.
    pub async fn connect_with_state(
        http_base: &str,
        meeting: &MeetingId,
        token: &str,
        since: Option<Seq>,
        state: MeetingState,
    ) -> Result<Self> {
        let url = format!("{}/api/meetings/{meeting}/ws", http_base.replacen("http", "ws", 1));
        let (ws, _) = tokio_tungstenite::connect_async(&url)
            .await
            .with_context(|| format!("connect {url}"))?;
        Self::handshake(ws, token, since, state).await
    }

    /// Like [`connect`](Self::connect), over a socket whose receive buffer is
    /// `recv_buffer` bytes: with a small buffer, a client that stops reading
    /// stalls the server's sends to it quickly (a slow phone on bad Wi-Fi).
    pub async fn connect_small_buffer(
        http_base: &str,
        meeting: &MeetingId,
        token: &str,
        recv_buffer: u32,
    ) -> Result<Self> {
        let addr: std::net::SocketAddr = http_base.trim_start_matches("http://").parse()?;
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_recv_buffer_size(recv_buffer)?;
        let stream = socket.connect(addr).await?;
        let url = format!("ws://{addr}/api/meetings/{meeting}/ws");
        let (ws, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream)).await?;
        Self::handshake(ws, token, None, MeetingState::default()).await
    }

    async fn handshake(
        ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
        token: &str,
        since: Option<Seq>,
        state: MeetingState,
    ) -> Result<Self> {
        let mut client = WsClient {
            ws,
            state,
            actor: Actor::System,
            duplicate_events: 0,
            seen: Vec::new(),
            stray_errors: Vec::new(),
            results: Vec::new(),
            next_id: 0,
            name: format!("{:08x}", rand_u32()),
            snapshots: 0,
            received: String::new(),
        };
        client
            .send(&ClientMsg::Hello {
                token: token.to_owned(),
                since,
            })
            .await?;
        let head = match client.recv().await? {
            ServerMsg::Welcome { you, head, .. } => {
                client.actor = you;
                head
            }
            ServerMsg::Error { code, message, .. } => bail!("refused at hello: {code:?} {message}"),
            other => bail!("expected welcome, got {other:?}"),
        };
        client.sync_to(head).await?;
        Ok(client)
    }

    /// Sends a protocol message.
    pub async fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        self.send_text(serde_json::to_string(msg)?).await
    }

    /// Sends raw text (for malformed-input tests).
    pub async fn send_text(&mut self, text: String) -> Result<()> {
        self.ws.send(Message::Text(text.into())).await.context("send")
    }

    /// Sends a raw WebSocket message.
    pub async fn send_message(&mut self, msg: Message) -> Result<()> {
        self.ws.send(msg).await.context("send")
    }

    /// A fresh command id.
    pub fn new_id(&mut self) -> CommandId {
        self.next_id += 1;
        CommandId(format!("{}-{}", self.name, self.next_id))
    }

    /// Sends a command without waiting for its answer; returns its id.
    pub async fn submit(&mut self, command: Command) -> Result<CommandId> {
        let id = self.new_id();
        self.submit_with_id(id.clone(), command).await?;
        Ok(id)
    }

    /// Sends a command with a chosen id (for resends).
    pub async fn submit_with_id(&mut self, id: CommandId, command: Command) -> Result<()> {
        self.send(&ClientMsg::Command { id, command }).await
    }

    /// Sends a command and waits for its ack or error, then until its event has arrived.
    pub async fn command(&mut self, command: Command) -> Result<Result<Acked, Refused>> {
        let id = self.submit(command).await?;
        self.wait_result(&id).await
    }

    /// Sends a command that must be accepted.
    pub async fn ok(&mut self, command: Command) -> Result<Acked> {
        let what = format!("{command:?}");
        self.command(command)
            .await?
            .map_err(|r| anyhow!("{what} refused: {r:?}"))
    }

    /// Sends a command that must be refused; returns the code.
    pub async fn refused(&mut self, command: Command) -> Result<ErrorCode> {
        let what = format!("{command:?}");
        match self.command(command).await? {
            Ok(ack) => bail!("{what} was accepted at {}", ack.seq),
            Err(r) => Ok(r.code),
        }
    }

    /// Waits for the answer to command `id`; on success also until its event is applied.
    pub async fn wait_result(&mut self, id: &CommandId) -> Result<Result<Acked, Refused>> {
        loop {
            if let Some(i) = self.results.iter().position(|(rid, _)| rid == id) {
                let (_, result) = self.results.remove(i);
                if let Ok(ack) = &result {
                    self.sync_to(ack.seq).await?;
                }
                return Ok(result);
            }
            self.recv().await?;
        }
    }

    /// Takes every result received so far.
    pub fn take_results(&mut self) -> Vec<(CommandId, Result<Acked, Refused>)> {
        std::mem::take(&mut self.results)
    }

    /// Reads until the state has reached `seq`.
    pub async fn sync_to(&mut self, seq: Seq) -> Result<()> {
        while self.state.seq < seq {
            self.recv().await?;
        }
        Ok(())
    }

    /// How many snapshots this client has received (the first catch-up included).
    pub fn snapshots(&self) -> usize {
        self.snapshots
    }

    /// Receives and handles one message: events and snapshots are applied,
    /// acks and errors are kept. Fails on a gap in the sequence.
    pub async fn recv(&mut self) -> Result<ServerMsg> {
        loop {
            let msg = tokio::time::timeout(RECV_TIMEOUT, self.ws.next())
                .await
                .map_err(|_| anyhow!("no message within {RECV_TIMEOUT:?} (state at {})", self.state.seq))?
                .ok_or_else(|| anyhow!("connection closed"))?
                .context("websocket error")?;
            let text = match msg {
                Message::Text(t) => t,
                Message::Close(frame) => bail!("closed by server: {frame:?}"),
                _ => continue,
            };
            let msg: ServerMsg = serde_json::from_str(&text).with_context(|| format!("bad server message {text}"))?;
            self.received.push_str(&text);
            self.handle(&msg)?;
            return Ok(msg);
        }
    }

    /// Everything this client has received so far, as text.
    pub fn seen_text(&self) -> &str {
        &self.received
    }

    /// Receives until the connection closes; returns the close code.
    pub async fn recv_close(&mut self) -> Result<Option<u16>> {
        loop {
            let msg = tokio::time::timeout(RECV_TIMEOUT, self.ws.next())
                .await
                .map_err(|_| anyhow!("not closed in time"))?;
            match msg {
                None => return Ok(None),
                Some(Err(e)) => {
                    eprintln!("connection ended without a close frame: {e}");
                    return Ok(None);
                }
                Some(Ok(Message::Close(frame))) => return Ok(frame.map(|f| f.code.into())),
                Some(Ok(Message::Text(t))) => {
                    if let Ok(m) = serde_json::from_str::<ServerMsg>(&t) {
                        let _ = self.handle(&m);
                    }
                }
                Some(Ok(_)) => {}
            }
        }
    }

    fn handle(&mut self, msg: &ServerMsg) -> Result<()> {
        match msg {
            ServerMsg::Events(events) => {
                for e in events {
                    self.seen.push(e.seq);
                    if e.seq <= self.state.seq {
                        self.duplicate_events += 1;
                        continue;
                    }
                    if e.seq != self.state.seq + 1 {
                        bail!("gap: had {}, received {}", self.state.seq, e.seq);
                    }
                    self.state.apply(e);
                }
            }
            ServerMsg::Snapshot { state } => {
                self.snapshots += 1;
                self.state = (**state).clone();
            }
            ServerMsg::Ack {
                id,
                seq,
                created,
                duplicate,
            } => {
                let ack = Acked {
                    seq: *seq,
                    created: *created,
                    duplicate: *duplicate,
                };
                self.results.push((id.clone(), Ok(ack)));
            }
            ServerMsg::Error {
                id: Some(id),
                code,
                message,
            } => {
                self.results.push((
                    id.clone(),
                    Err(Refused {
                        code: *code,
                        message: message.clone(),
                    }),
                ));
            }
            ServerMsg::Error {
                id: None,
                code,
                message,
            } => {
                self.stray_errors.push(Refused {
                    code: *code,
                    message: message.clone(),
                });
            }
            ServerMsg::Welcome { .. } | ServerMsg::Pong { .. } => {}
        }
        Ok(())
    }

    /// Waits for the next error that answers no command (after bad input).
    pub async fn next_stray_error(&mut self) -> Result<Refused> {
        loop {
            if !self.stray_errors.is_empty() {
                return Ok(self.stray_errors.remove(0));
            }
            self.recv().await?;
        }
    }

    /// Round-trips a ping: proves the connection is still open and served.
    pub async fn ping(&mut self) -> Result<()> {
        self.send(&ClientMsg::Ping { t: 42 }).await?;
        loop {
            if let ServerMsg::Pong { t: 42, .. } = self.recv().await? {
                return Ok(());
            }
        }
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    h.finish() as u32
}

/// A meeting that has started with its first topic open, its moderator and one
/// attendee (甲, 居民) connected: the opening of many tests.
#[derive(Debug)]
pub struct Running {
    /// The meeting and its secrets.
    pub meeting: http::Meeting,
    /// The moderator's connection.
    pub moderator: WsClient,
    /// The attendee as joined.
    pub attendee: babahui_shared::api::JoinResponse,
    /// The attendee's connection.
    pub attendee_client: WsClient,
}

/// Creates a meeting titled `title` with one topic, starts it, opens the topic,
/// and connects the moderator and one attendee.
pub async fn running_meeting(base: &str, title: &str) -> Result<Running> {
    let meeting = http::simple_meeting(base, title, &["议题一"]).await?;
    let mut moderator = WsClient::connect(base, meeting.id(), &meeting.moderator, None).await?;
    moderator.ok(Command::StartMeeting).await?;
    moderator
        .ok(Command::OpenTopic {
            topic: babahui_shared::TopicId(1),
        })
        .await?;
    let attendee = http::join(base, &meeting, "甲", "居民").await?;
    let attendee_client = WsClient::connect(base, meeting.id(), &attendee.token, None).await?;
    Ok(Running {
        meeting,
        moderator,
        attendee,
        attendee_client,
    })
}
