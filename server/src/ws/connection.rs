//! One WebSocket connection after its handshake: a `select!` loop over the
//! client's messages, the answers to its commands, the fan-out's wake-ups and
//! the heartbeat; then a clean close. Commands go to the services
//! ([`crate::service::Meetings`]); the connection only translates.

use super::handshake::handshake;
use super::socket::Socket;
use super::socket::SEND_TIMEOUT;
use crate::fanout::Outlet;
use crate::http::state::AppState;
use crate::hub::{Ack, Connected, MeetingHandle};
use crate::listen::Slot;
use crate::rate::{Bucket, Rate};
use crate::service::Caller;
use crate::wire::Wire;
use babahui_shared::limits::FRAME_MAX_BYTES;
use babahui_shared::protocol::close_code as close;
use babahui_shared::protocol::PROTOCOL_VERSION;
use babahui_shared::{Actor, ClientMsg, Command, CommandError, CommandId, ErrorCode, MeetingId, ServerMsg};
use bytes::Bytes;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Frames above [`FRAME_MAX_BYTES`] but below this get a `too_large` error and
/// the connection stays open; above this the socket library closes it (1009).
pub(super) const HARD_FRAME_MAX: usize = 64 * 1024;
/// Commands one connection may have waiting for their acks.
pub(super) const MAX_IN_FLIGHT: usize = 64;

/// How long to wait for the client's answer to our Close.
pub(super) const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// …and for one that went silent (most likely gone: a half-open connection).
pub(super) const CLOSE_GRACE_SILENT: Duration = Duration::from_millis(100);
/// The close reason for a connection that stopped answering pings.
pub(super) const SILENT: &str = "no heartbeat";

/// Refused messages in a row after which a flooding client is disconnected.
const FLOOD_CLOSE_AFTER: u32 = 100;

/// A command's id and what became of it.
type Answer = (CommandId, Result<Ack, CommandError>);
type Pending = Pin<Box<dyn Future<Output = Answer> + Send>>;

/// The next command answered, and the set it came from.
async fn next_answer(
    pending: &mut Option<FuturesUnordered<Pending>>,
) -> Option<(Answer, &mut FuturesUnordered<Pending>)> {
    let waiting = pending.as_mut()?;
    let answer = waiting.next().await?;
    Some((answer, waiting))
}

/// The `ack` or `error` frame answering a command.
fn answer_frame((id, result): Answer) -> Bytes {
    let msg = match result {
        Ok(ack) => ServerMsg::Ack {
            id,
            seq: ack.seq,
            created: ack.created,
            duplicate: ack.duplicate,
        },
        Err(e) => ServerMsg::Error {
            id: Some(id),
            code: e.code,
            message: e.message,
        },
    };
    Wire::text(serde_json::to_string(&msg).expect("server messages serialise")).bytes()
}

pub(super) struct Connection {
    socket: Socket,
    handle: MeetingHandle,
    app: AppState,
    /// Who the client is, once its hello is accepted (nothing is served before).
    actor: Actor,
    /// The raw token, kept only in this task's memory: it derives secret ballot keys.
    token: String,
    last_heard: Instant,
    bucket: Bucket,
    /// The client's address (a ban applies to it).
    peer: SocketAddr,
    /// A follower from home (线上旁听): read only, counted apart.
    following: Option<crate::hub::Following>,
    /// Its places among the connections of its address and of its meeting.
    _slots: Slots,
}

/// See [`Connection::_slots`].
type Slots = (Option<Slot<IpAddr>>, Slot<MeetingId>);

enum Step {
    Continue,
    Close(u16, &'static str),
}

impl Connection {
    /// Everything a connection owns, moved in once: the task's future then
    /// holds each part once (an `async fn`'s arguments stay in its future
    /// beside whatever they were moved into).
    pub(super) fn new(
        socket: Socket,
        handle: MeetingHandle,
        app: AppState,
        peer: SocketAddr,
        slots: Slots,
    ) -> Connection {
        let limits = &app.config.limits;
        // Messages a connection may send: a phone's taps never come near it; a flooding script does.
        let bucket = Bucket::new(if limits.messages_per_sec == 0 {
            Rate::UNLIMITED
        } else {
            Rate {
                per_sec: limits.messages_per_sec as f64,
                burst: limits.message_burst,
            }
        });
        Connection {
            peer,
            socket,
            handle,
            app,
            actor: Actor::Public,
            token: String::new(),
            last_heard: Instant::now(),
            bucket,
            following: None,
            _slots: slots,
        }
    }

    /// The connection's whole life. A plain `fn` returning an `async move`
    /// block rather than an `async fn`: an `async fn` keeps its `self` argument
    /// twice in its future (the argument and the binding it is moved to), 688
    /// bytes more in every connection's task for as long as it lasts.
    #[expect(clippy::manual_async_fn, reason = "an async fn would keep `self` twice (see above)")]
    pub(super) fn run(mut self) -> impl Future<Output = ()> + Send {
        async move {
            // Boxed, here and for the loop's handlers: an idle connection's task then
            // holds only what its loop waits on, not the largest of every step it
            // might take (thousands of connections sit idle for an hour).
            let Some((connected, token)) =
                Box::pin(handshake(&mut self.socket, &self.handle, &self.app, self.peer)).await
            else {
                return;
            };
            tracing::Span::current().record("role", tracing::field::debug(connected.actor));
            self.actor = connected.actor;
            self.token = token;
            self.last_heard = Instant::now();
            let Some(outlet) = Box::pin(self.greet(connected)).await else {
                return;
            };
            if let Some((code, why)) = self.serve(outlet).await {
                Box::pin(self.close(code, why)).await;
            }
            tracing::debug!("connection closed");
        }
    }

    /// Sends our Close and waits (briefly) for the client's answer.
    async fn close(&mut self, code: u16, why: &'static str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: Utf8Bytes::from_static(why),
        };
        // A peer that went silent is presumed gone (half-open): tell it, but
        // do not wait for its answer, so its place is freed at once.
        let wait = if why == SILENT {
            CLOSE_GRACE_SILENT
        } else {
            SEND_TIMEOUT
        };
        if let Ok(Ok(())) = timeout(wait, self.socket.send(Message::Close(Some(frame)))).await {
            // Closing handshake: give the client a moment to read our Close and
            // answer, rather than reset the connection under it.
            let drain = async { while let Some(Ok(_)) = self.socket.recv().await {} };
            let grace = if why == SILENT { CLOSE_GRACE_SILENT } else { CLOSE_GRACE };
            let _ = timeout(grace, drain).await;
        }
    }

    /// Welcomes the client and sends what it missed, then hands it to the
    /// meeting's fan-out; returns its outlet, or `None` if it is gone.
    async fn greet(&mut self, connected: Connected) -> Option<Arc<Outlet>> {
        let Connected {
            actor,
            head,
            catch_up,
            rx,
            following,
        } = connected;
        self.following = following;
        let welcome = ServerMsg::Welcome {
            meeting: self.handle.id().clone(),
            you: actor,
            server_time: self.handle.clock().now_ms(),
            head,
            protocol: PROTOCOL_VERSION,
        };
        Box::pin(self.send_msg(&welcome)).await.ok()?;
        if let Some(wire) = catch_up {
            Box::pin(self.send_frames(vec![wire.bytes()])).await.ok()?;
        }
        // From here on the fan-out writes every frame after `head`.
        let outlet = self.socket.outlet().clone();
        outlet.subscribe(rx, head, actor.participant());
        if self.following.is_some() {
            self.handle.follow_fanout().add(&outlet);
        } else {
            self.handle.fanout().add(&outlet);
        }
        Some(outlet)
    }

    /// The main loop; returns the close frame to send, if any. (What it holds
    /// is what an idle connection costs: the greeting is done beforehand.)
    async fn serve(&mut self, outlet: Arc<Outlet>) -> Option<(u16, &'static str)> {
        // Made at the first command: most phones only listen, and an empty
        // set still allocates its queue (~200 bytes).
        let mut pending: Option<FuturesUnordered<Pending>> = None;
        let mut heartbeat = tokio::time::interval(self.app.config.heartbeat);
        heartbeat.reset();
        let shutdown = self.app.shutdown.clone();
        // Made once, not on every turn of the loop (it registers with the token).
        let cancelled = shutdown.cancelled();
        tokio::pin!(cancelled);
        loop {
            let step = tokio::select! {
                _ = &mut cancelled => Step::Close(close::GOING_AWAY, "server shutting down"),
                msg = self.socket.recv() => match msg {
                    Some(Ok(msg)) => Box::pin(self.on_message(msg, &mut pending)).await,
                    // Past the hard limit: say so with the documented close code
                    // rather than dropping the connection under the client.
                    Some(Err(tokio_tungstenite::tungstenite::Error::Capacity(_))) => {
                        Step::Close(close::TOO_BIG, "message too big")
                    }
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "connection lost");
                        return None;
                    }
                    None => return None,
                },
                () = outlet.woken() => Box::pin(self.on_wake(&outlet)).await,
                Some((answer, waiting)) = next_answer(&mut pending), if pending.as_ref().is_some_and(|p| !p.is_empty()) => {
                    Box::pin(self.on_answers(answer, waiting)).await
                }
                _ = heartbeat.tick() => Box::pin(self.on_heartbeat()).await,
            };
            if let Step::Close(code, why) = step {
                return Some((code, why));
            }
        }
    }

    async fn on_message(&mut self, msg: Message, pending: &mut Option<FuturesUnordered<Pending>>) -> Step {
        self.last_heard = Instant::now();
        // Pings count against the same budget as messages: a flood of them
        // costs the server a pong each.
        let counted = matches!(msg, Message::Text(_) | Message::Binary(_) | Message::Ping(_));
        if counted && self.bucket.take().is_err() {
            if self.bucket.refused > FLOOD_CLOSE_AFTER {
                return Step::Close(close::POLICY, "too many messages");
            }
            // Say which command was refused, so the page can keep it waiting.
            let id = match &msg {
                Message::Text(text) => command_id_of(text),
                _ => None,
            };
            return self
                .error(id, ErrorCode::RateLimited, "too many messages; slow down")
                .await;
        }
        let text = match msg {
            Message::Text(text) => text,
            Message::Binary(_) => return self.error(None, ErrorCode::Malformed, "send JSON text frames").await,
            Message::Close(_) => return Step::Close(1000, "bye"),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return Step::Continue,
        };
        if text.len() > FRAME_MAX_BYTES {
            let why = format!("messages are limited to {FRAME_MAX_BYTES} bytes");
            return self.error(None, ErrorCode::TooLarge, &why).await;
        }
        let msg: ClientMsg = match serde_json::from_str(text.as_str()) {
            Ok(msg) => msg,
            Err(e) => {
                return self
                    .error(None, ErrorCode::Malformed, &format!("not a valid message: {e}"))
                    .await
            }
        };
        match msg {
            ClientMsg::Hello { .. } => self.error(None, ErrorCode::Conflict, "already said hello").await,
            ClientMsg::Ping { t } => {
                let pong = ServerMsg::Pong {
                    t,
                    server_time: self.handle.clock().now_ms(),
                };
                self.send_or_close(&pong).await
            }
            ClientMsg::Command { id, .. } if self.following.is_some() => {
                // Opinions from home go through the follow page's form, which
                // is limited per address like the notice's.
                self.error(Some(id), ErrorCode::Forbidden, "following from home is read only")
                    .await
            }
            ClientMsg::Command {
                id,
                command: Command::SubmitOpinion { voice: Some(_), .. },
            } => {
                // Only the server names a clip, once it has checked and kept it.
                self.error(
                    Some(id),
                    ErrorCode::Invalid,
                    "a voice opinion is uploaded (POST /api/meetings/{id}/voice), not sent as a command",
                )
                .await
            }
            ClientMsg::Command { id, command } => {
                if !id.is_valid() {
                    return self
                        .error(
                            None,
                            ErrorCode::Invalid,
                            "command ids are 1 to 64 printable ASCII characters",
                        )
                        .await;
                }
                let pending = pending.get_or_insert_with(FuturesUnordered::new);
                if pending.len() >= MAX_IN_FLIGHT {
                    return self
                        .error(Some(id), ErrorCode::RateLimited, "too many commands waiting; slow down")
                        .await;
                }
                let (meetings, handle, actor, token) = (
                    self.app.meetings.clone(),
                    self.handle.clone(),
                    self.actor,
                    self.token.clone(),
                );
                pending.push(Box::pin(async move {
                    let caller = Caller {
                        actor,
                        token: Some(&token),
                    };
                    let result = meetings.command(&handle, caller, id.clone(), command).await;
                    (id, result)
                }));
                Step::Continue
            }
        }
    }

    /// Takes over from the fan-out: writes what the socket would not take at
    /// once, then acts on what the fan-out could not decide.
    async fn on_wake(&mut self, outlet: &Outlet) -> Step {
        if !matches!(timeout(SEND_TIMEOUT, outlet.drain()).await, Ok(Ok(()))) {
            return Step::Close(close::GOING_AWAY, "send failed");
        }
        let attention = outlet.take_attention();
        if let Some(ban) = attention.removed {
            // The frame that removed them has just been written (the meeting
            // has banned the addresses they came from, if asked to).
            let _ = ban;
            return Step::Close(close::REMOVED, "removed by the moderator");
        }
        if attention.closed {
            return Step::Close(close::GOING_AWAY, "meeting closed");
        }
        if attention.lagged {
            tracing::debug!("client lagged; sending a snapshot");
            if let Step::Close(code, why) = self.resync(outlet).await {
                return Step::Close(code, why);
            }
        }
        // Frames that came while this task was writing.
        outlet.pump();
        Step::Continue
    }

    /// A snapshot for a client that fell behind the ring; the frames after it
    /// follow from the ring.
    async fn resync(&mut self, outlet: &Outlet) -> Step {
        match self.handle.snapshot().await {
            Ok((seq, wire)) => {
                outlet.resume_after(seq, wire.bytes());
                match timeout(SEND_TIMEOUT, outlet.drain()).await {
                    Ok(Ok(())) => Step::Continue,
                    _ => Step::Close(close::GOING_AWAY, "send failed"),
                }
            }
            Err(_) => {
                outlet.unpause();
                Step::Close(close::GOING_AWAY, "meeting unavailable")
            }
        }
    }

    /// Sends `first` and every other answer already in, in one write: the
    /// commands of one group commit are answered together, and a phone (or a
    /// recorder typing fast) with several in flight gets them in one packet.
    async fn on_answers(&mut self, first: Answer, pending: &mut FuturesUnordered<Pending>) -> Step {
        let mut frames = vec![answer_frame(first)];
        while let Some(Some(answer)) = pending.next().now_or_never() {
            frames.push(answer_frame(answer));
        }
        match self.send_frames(frames).await {
            Ok(()) => Step::Continue,
            Err(()) => Step::Close(close::GOING_AWAY, "send failed"),
        }
    }

    async fn on_heartbeat(&mut self) -> Step {
        if self.last_heard.elapsed() > self.app.config.idle_timeout {
            tracing::debug!("no sign of life; closing");
            return Step::Close(close::POLICY, SILENT);
        }
        self.send_step(Message::Ping(Default::default())).await
    }

    async fn error(&mut self, id: Option<CommandId>, code: ErrorCode, message: &str) -> Step {
        let msg = ServerMsg::Error {
            id,
            code,
            message: message.to_owned(),
        };
        self.send_or_close(&msg).await
    }

    async fn send_or_close(&mut self, msg: &ServerMsg) -> Step {
        match self.send_msg(msg).await {
            Ok(()) => Step::Continue,
            Err(()) => Step::Close(close::GOING_AWAY, "send failed"),
        }
    }

    async fn send_step(&mut self, msg: Message) -> Step {
        match self.send(msg).await {
            Ok(()) => Step::Continue,
            Err(()) => Step::Close(close::GOING_AWAY, "send failed"),
        }
    }

    /// Writes frames encoded beforehand in one go (bounded like any send).
    async fn send_frames(&mut self, frames: Vec<Bytes>) -> Result<(), ()> {
        match timeout(SEND_TIMEOUT, self.socket.send_frames(frames)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    async fn send_msg(&mut self, msg: &ServerMsg) -> Result<(), ()> {
        let text = serde_json::to_string(msg).expect("server messages serialise");
        self.send(Message::Text(text.into())).await
    }

    async fn send(&mut self, msg: Message) -> Result<(), ()> {
        match timeout(SEND_TIMEOUT, self.socket.send(msg)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }
}

/// The command id in a message that looks like a command, read without
/// deciding anything (for the refusal of a rate-limited one).
fn command_id_of(text: &str) -> Option<CommandId> {
    #[derive(serde::Deserialize)]
    struct Peek {
        data: PeekData,
    }
    #[derive(serde::Deserialize)]
    struct PeekData {
        id: CommandId,
    }
    if text.len() > FRAME_MAX_BYTES {
        return None;
    }
    serde_json::from_str::<Peek>(text).ok().map(|p| p.data.id)
}

#[cfg(test)]
mod tests {
    use super::Connection;

    /// The size of what `f` returns, known from its type alone.
    fn returned_size<A, R>(_: fn(A) -> R) -> usize {
        std::mem::size_of::<R>()
    }

    /// Every phone in a meeting holds one of these for the whole meeting,
    /// mostly idle: its size is memory per connection. 1,128 bytes when this
    /// was written (4 KB before the work in BENCHMARKS.md's history; keeping
    /// `self` twice, as an `async fn` would, adds 688).
    #[test]
    fn a_connection_task_stays_small() {
        let size = returned_size(Connection::run);
        assert!(size <= 1_280, "Connection::run's future grew to {size} bytes");
    }
}
