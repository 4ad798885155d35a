//! One load-generator connection: a light client that follows the log by
//! sequence number only and sends what its driver tells it.
//!
//! It deliberately does not fold the meeting state or parse whole events: with
//! thousands of connections on the same two cores as the server, a heavy client
//! would measure itself rather than the server.

use super::timed::TimedStream;
use super::Clock;
use anyhow::{Context, Result};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// How to reach the server and who this client is.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Index of the client in its meeting (0 moderator, 1 projector, 2… attendees).
    pub index: u32,
    /// The server's address.
    pub addr: SocketAddr,
    /// The meeting's WebSocket path, `/api/meetings/{id}/ws`.
    pub path: String,
    /// The client's token.
    pub token: String,
    /// Local address to connect from (127.0.0.x spreads ephemeral ports).
    pub source: IpAddr,
    /// Bytes read at a time (see `--read-buffer`).
    pub read_buffer: usize,
}

/// What the driver asks a client to do.
#[derive(Debug)]
pub enum Order {
    /// Send this command message (its id is `c{id}`).
    Send {
        /// The command number.
        id: u64,
        /// The whole `command` message.
        text: String,
    },
    /// Drop the connection (no closing handshake: the Wi-Fi went away).
    Drop,
    /// Reconnect with resume; report on `done` the µs from `t0` until caught up
    /// with the head the server announced (reconnect storm).
    Reconnect {
        /// When the storm began, on the run's clock.
        t0: u64,
        /// Where to report.
        done: mpsc::UnboundedSender<u64>,
    },
    /// Close and report.
    Stop,
}

/// A command's result as the client saw it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The sender's index in its meeting.
    pub client: u32,
    /// The command number.
    pub id: u64,
    /// The event's sequence number and what it created, or the refusal's code.
    pub result: Result<(u64, Option<u32>), String>,
    /// When the command was written to the socket, µs on the run's clock.
    pub sent_us: u64,
    /// When its answer arrived.
    pub answered_us: u64,
}

/// What a client saw over the run.
#[derive(Debug, Default)]
pub struct ClientLog {
    /// The client's index in its meeting.
    pub index: u32,
    /// Every event received.
    pub arrivals: Vec<Arrival>,
    /// Events that skipped ahead of the last one seen.
    pub gaps: u32,
    /// Events at or below the last one seen.
    pub duplicates: u32,
    /// Snapshots received (a resume that fell too far behind).
    pub snapshots: u32,
    /// Connections lost without being asked to.
    pub disconnects: u32,
    /// Errors that answered no command.
    pub stray_errors: u32,
    /// Head of the log as last seen.
    pub last_seq: u64,
    /// Whether the client ended connected.
    pub connected: bool,
}

/// One event as a client got it (times in µs on the run's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The event's sequence number.
    pub seq: u32,
    /// When its bytes reached the client's socket (the kernel's receive time).
    pub socket_us: u32,
    /// When the client task read it.
    pub read_us: u32,
}

/// When a message was read, and when its bytes reached the socket.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    socket_us: u64,
    read_us: u64,
}

/// A connected WebSocket.
pub type Ws = WebSocketStream<TimedStream>;

/// Only what the load generator needs of a server message.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Incoming {
    Welcome { head: u64 },
    Events(Vec<SeqOnly>),
    Snapshot { state: SeqOnly },
    Ack { id: String, seq: u64, created: Option<u32> },
    Error { id: Option<String>, code: String },
    Pong(serde::de::IgnoredAny),
}

#[derive(Debug, Deserialize)]
struct SeqOnly {
    seq: u64,
}

/// Opens the WebSocket from `spec.source` and says hello; returns the head the
/// server announced.
pub async fn connect(spec: &Spec, since: Option<u64>) -> Result<(Ws, u64)> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(spec.source, 0))?;
    let stream = socket.connect(spec.addr).await.context("tcp connect")?;
    stream.set_nodelay(true)?;
    let stream = TimedStream::new(stream)?;
    let url = format!("ws://{}{}", spec.addr, spec.path);
    // Read buffer: see `--read-buffer`. Commands are fed, then flushed
    // together: they go out in one write unless they pass 16 KiB.
    let config = WebSocketConfig::default()
        .read_buffer_size(spec.read_buffer)
        .write_buffer_size(16 * 1024);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
        .await
        .context("websocket handshake")?;
    let hello = serde_json::json!({"type": "hello", "data": {"token": spec.token, "since": since}});
    ws.send(Message::text(hello.to_string())).await?;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .context("no welcome in 30 s")?
            .context("closed before welcome")??;
        if let Message::Text(text) = msg {
            match serde_json::from_str::<Incoming>(&text) {
                Ok(Incoming::Welcome { head }) => return Ok((ws, head)),
                Ok(Incoming::Error { code, .. }) => anyhow::bail!("refused at hello: {code}"),
                _ => continue,
            }
        }
    }
}

/// Connects afresh and reads the catch-up (the snapshot), so that a run's
/// measurement never includes the setup's downloads; returns the head.
pub async fn connect_caught_up(spec: &Spec) -> Result<(Ws, u64)> {
    let (mut ws, head) = connect(spec, None).await?;
    let mut have = 0;
    while have < head {
        let msg = tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .context("no catch-up in 60 s")?
            .context("closed before the catch-up")??;
        let Message::Text(text) = msg else { continue };
        if let Some(seq) = snapshot_seq(&text) {
            have = seq;
        } else if let Ok(Incoming::Events(events)) = serde_json::from_str::<Incoming>(&text) {
            have = events.last().map_or(have, |e| e.seq);
        }
    }
    Ok((ws, head))
}

/// The sequence number of a `snapshot` message without parsing the whole state
/// (a meeting of 10,000 is a 1.5 MB message): both servers write `"seq"` as
/// the state's second field.
fn snapshot_seq(text: &str) -> Option<u64> {
    let rest = text.strip_prefix(r#"{"type":"snapshot","data":{"state":{"#)?;
    let at = rest.find(r#""seq":"#)? + 6;
    let digits: &str = &rest[at..at + rest[at..].find(|c: char| !c.is_ascii_digit())?];
    digits.parse().ok()
}

/// Follows the log, from a client caught up with `head`, and carries out
/// orders until told to stop.
pub async fn run(
    spec: Spec,
    ws: Ws,
    head: u64,
    mut orders: mpsc::UnboundedReceiver<Order>,
    answers: mpsc::UnboundedSender<Answer>,
    clock: Clock,
) -> ClientLog {
    let mut log = ClientLog {
        index: spec.index,
        connected: true,
        last_seq: head,
        ..ClientLog::default()
    };
    let mut target = head;
    let mut ws = Some(ws);
    let mut storm: Option<(u64, mpsc::UnboundedSender<u64>)> = None;
    let mut in_flight: HashMap<u64, u64> = HashMap::new();
    let mut batch = Vec::with_capacity(ORDERS_AT_ONCE);
    loop {
        tokio::select! {
            msg = next(&mut ws) => {
                let at = stamp(&ws, clock);
                match msg {
                    Some(Ok(Message::Text(text))) if snapshot_seq(&text).is_some() => {
                        log.snapshots += 1;
                        log.last_seq = snapshot_seq(&text).unwrap_or(log.last_seq);
                    }
                    Some(Ok(Message::Text(text))) if text.starts_with(EVENTS) => on_events(&text, at, &mut log),
                    Some(Ok(Message::Text(text))) => on_text(&text, at, &mut log, &mut in_flight, &answers, spec.index),
                    Some(Ok(_)) => {}
                    _ => {
                        log.disconnects += 1;
                        match reconnect(&spec, &mut log).await {
                            Some((new_ws, new_head)) => { ws = Some(new_ws); target = new_head; }
                            None => { log.connected = false; break; }
                        }
                    }
                }
                if log.last_seq >= target {
                    if let Some((t0, done)) = storm.take() {
                        let _ = done.send(clock.now_us() - t0);
                    }
                }
            }
            // Every order waiting is taken at once: the commands among them go
            // out in one write, as a phone's would when sent together.
            n = orders.recv_many(&mut batch, ORDERS_AT_ONCE) => {
                if n == 0 {
                    batch.push(Order::Stop);
                }
                let mut stop = false;
                for order in batch.drain(..) {
                    if !matches!(order, Order::Send { .. }) {
                        flush(&mut ws, &mut log).await;
                    }
                    match order {
                        Order::Send { id, text } => {
                            in_flight.insert(id, clock.now_us());
                            let fed = match ws.as_mut() {
                                Some(ws) => ws.feed(Message::text(text)).await.is_ok(),
                                None => false,
                            };
                            if !fed {
                                log.disconnects += 1;
                            }
                        }
                        Order::Drop => ws = None,
                        Order::Reconnect { t0, done } => match reconnect(&spec, &mut log).await {
                            Some((new_ws, new_head)) => {
                                ws = Some(new_ws);
                                target = new_head;
                                if log.last_seq >= target {
                                    let _ = done.send(clock.now_us() - t0);
                                } else {
                                    storm = Some((t0, done));
                                }
                            }
                            None => { log.connected = false; stop = true; break; }
                        },
                        Order::Stop => {
                            if let Some(mut ws) = ws.take() {
                                let _ = ws.close(None).await;
                            }
                            stop = true;
                            break;
                        }
                    }
                }
                if stop {
                    break;
                }
                flush(&mut ws, &mut log).await;
            }
        }
    }
    log
}

/// Most orders taken from the driver in one go.
const ORDERS_AT_ONCE: usize = 64;

/// Writes the commands fed so far.
async fn flush(ws: &mut Option<Ws>, log: &mut ClientLog) {
    if let Some(socket) = ws.as_mut() {
        if socket.flush().await.is_err() {
            log.disconnects += 1;
        }
    }
}

/// Now, and when the bytes of the last read reached the socket.
fn stamp(ws: &Option<Ws>, clock: Clock) -> Stamp {
    let read_us = clock.now_us();
    let waited = ws.as_ref().map_or(Duration::ZERO, |ws| ws.get_ref().since_arrival());
    Stamp {
        socket_us: read_us.saturating_sub(waited.as_micros() as u64),
        read_us,
    }
}

/// The next message, or never while disconnected.
async fn next(ws: &mut Option<Ws>) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
    match ws {
        Some(ws) => ws.next().await,
        None => std::future::pending().await,
    }
}

/// How an `events` message starts (both servers).
const EVENTS: &str = r#"{"type":"events","data":["#;

/// Records the events of an `events` message by scanning for `{"seq":`, which
/// starts every event and cannot occur inside a JSON string (its quotes would
/// be escaped): parsing every event of every frame would make the load
/// generator, not the server, the bottleneck. (memchr's SIMD search: std's
/// `match_indices` took 14 % of the load generator's CPU in the throughput run.)
fn on_events(text: &str, at: Stamp, log: &mut ClientLog) {
    static EVENT_START: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(r#"{"seq":"#));
    let bytes = text.as_bytes();
    for i in EVENT_START.find_iter(bytes) {
        let digits = &bytes[i + 7..];
        let end = digits.iter().position(|c| !c.is_ascii_digit()).unwrap_or(digits.len());
        if let Some(seq) = parse_digits(&digits[..end]) {
            follow(log, seq, at);
        }
    }
}

/// Notes an event received: a duplicate if at or below the last one seen, a
/// gap if it skips ahead, otherwise (and after a gap) the new head.
fn follow(log: &mut ClientLog, seq: u64, at: Stamp) {
    if seq <= log.last_seq {
        log.duplicates += 1;
        return;
    }
    if seq > log.last_seq + 1 {
        log.gaps += 1;
    }
    log.last_seq = seq;
    log.arrivals.push(Arrival {
        seq: seq as u32,
        socket_us: at.socket_us as u32,
        read_us: at.read_us as u32,
    });
}

/// The number written in ASCII `digits` (1 to 19 of them).
fn parse_digits(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    Some(digits.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
}

/// Reconnects with resume from what the client has; a few tries.
async fn reconnect(spec: &Spec, log: &mut ClientLog) -> Option<(Ws, u64)> {
    for attempt in 0..5u64 {
        match connect(spec, Some(log.last_seq)).await {
            Ok(pair) => return Some(pair),
            Err(e) => {
                tracing::debug!(client = spec.index, attempt, error = %e, "reconnect failed");
                tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
            }
        }
    }
    None
}

fn on_text(
    text: &str,
    at: Stamp,
    log: &mut ClientLog,
    in_flight: &mut HashMap<u64, u64>,
    answers: &mpsc::UnboundedSender<Answer>,
    index: u32,
) {
    let Ok(msg) = serde_json::from_str::<Incoming>(text) else {
        log.stray_errors += 1;
        return;
    };
    match msg {
        Incoming::Events(events) => {
            for e in events {
                follow(log, e.seq, at);
            }
        }
        Incoming::Snapshot { state } => {
            log.snapshots += 1;
            log.last_seq = state.seq;
        }
        Incoming::Ack { id, seq, created } => answer(id, Ok((seq, created)), at.read_us, in_flight, answers, index),
        Incoming::Error { id: Some(id), code } => answer(id, Err(code), at.read_us, in_flight, answers, index),
        Incoming::Error { id: None, .. } => log.stray_errors += 1,
        Incoming::Welcome { .. } | Incoming::Pong(_) => {}
    }
}

fn answer(
    id: String,
    result: Result<(u64, Option<u32>), String>,
    at: u64,
    in_flight: &mut HashMap<u64, u64>,
    answers: &mpsc::UnboundedSender<Answer>,
    client: u32,
) {
    let Some(n) = id.strip_prefix('c').and_then(|n| n.parse().ok()) else {
        return;
    };
    if let Some(sent_us) = in_flight.remove(&n) {
        let _ = answers.send(Answer {
            client,
            id: n,
            result,
            sent_us,
            answered_us: at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::snapshot_seq;

    #[test]
    fn events_are_found_by_their_seq_and_never_inside_text() {
        let mut log = super::ClientLog {
            last_seq: 4,
            ..Default::default()
        };
        let text = r#"{"type":"events","data":[{"seq":5,"event":{"text":"{\"seq\":99}"}},{"seq":6}]}"#;
        let at = super::Stamp {
            socket_us: 3,
            read_us: 7,
        };
        super::on_events(text, at, &mut log);
        let arrival = |seq| super::Arrival {
            seq,
            socket_us: 3,
            read_us: 7,
        };
        assert_eq!(log.arrivals, vec![arrival(5), arrival(6)]);
        assert_eq!((log.gaps, log.duplicates, log.last_seq), (0, 0, 6));
    }

    #[test]
    fn snapshot_seq_reads_the_second_field() {
        let text = r#"{"type":"snapshot","data":{"state":{"id":"abcd2345","seq":744,"last_at":1}}}"#;
        assert_eq!(snapshot_seq(text), Some(744));
        assert_eq!(snapshot_seq(r#"{"type":"events","data":[{"seq":3}]}"#), None);
    }
}
