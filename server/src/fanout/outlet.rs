//! The way out of one connection: every byte written to its socket goes through
//! its [`Outlet`], in order, whoever writes it — the meeting's fan-out or the
//! connection's own task.
//!
//! Writing is split so that the common case costs no task switch: the fan-out
//! takes a connection's waiting frames and writes them with a non-blocking
//! `try_write` ([`Outlet::pump`]). Only when the socket will not take them all,
//! or something needs a decision (the client fell behind the broadcast ring,
//! its participant was removed, the meeting closed) is the connection's task
//! woken. Bytes the socket did not take wait in `pending`, and nothing else is
//! written before them, so frames never interleave.

use crate::wire::Frame;
use babahui_shared::{ParticipantId, Seq};
use bytes::Bytes;
use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::broadcast::error::TryRecvError;
use tokio::sync::{broadcast, Notify};

/// Most frames taken from the ring at once (a connection that fell behind
/// catches up with one system call instead of one per frame).
const COALESCE_MAX: usize = 64;

/// What the connection's task must deal with; the fan-out stops writing to the
/// connection until it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attention {
    /// It fell behind the broadcast ring: it needs a snapshot.
    pub lagged: bool,
    /// Its participant was removed (`Some(banned)`); the frame saying so is queued.
    pub removed: Option<bool>,
    /// The meeting's broadcast ended.
    pub closed: bool,
}

impl Attention {
    fn any(&self) -> bool {
        self.lagged || self.removed.is_some() || self.closed
    }
}

/// One connection's way out. Shared (by `Arc`) between its task and the fan-out.
#[derive(Debug)]
pub struct Outlet {
    io: Arc<TcpStream>,
    state: Mutex<State>,
    /// Wakes the connection's task: bytes wait in `pending`, or attention is needed.
    wake: Notify,
}

#[derive(Debug, Default)]
struct State {
    /// The meeting's frames, once subscribed.
    rx: Option<broadcast::Receiver<Frame>>,
    /// Frames up to here are covered by what was already sent (catch-up, snapshot).
    covered: Seq,
    /// The participant this connection speaks for (its removal closes it).
    participant: Option<ParticipantId>,
    /// Bytes accepted but not yet written, oldest first; `offset` of the first is written.
    pending: VecDeque<Bytes>,
    offset: usize,
    attention: Attention,
    /// While the connection's task takes a snapshot, the fan-out leaves the ring alone.
    paused: bool,
}

impl Outlet {
    /// An outlet writing to `io`, not yet subscribed to a meeting.
    pub fn new(io: Arc<TcpStream>) -> Arc<Outlet> {
        Arc::new(Outlet {
            io,
            state: Mutex::new(State::default()),
            wake: Notify::new(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts taking the meeting's frames after `head` (what the catch-up covered).
    pub fn subscribe(&self, rx: broadcast::Receiver<Frame>, head: Seq, participant: Option<ParticipantId>) {
        let mut st = self.state();
        st.rx = Some(rx);
        st.covered = head;
        st.participant = participant;
    }

    /// Moves the frames waiting in the ring to the socket without blocking.
    /// Wakes the connection's task if the socket did not take them all or if
    /// something needs its decision; otherwise the task never runs.
    pub fn pump(&self) {
        let mut st = self.state();
        if st.paused || st.attention.any() {
            // Its task is on it (woken when this was set) and pumps afterwards.
            return;
        }
        if !st.pending.is_empty() {
            // The socket is still full: the task writes the rest, then pumps.
            drop(st);
            self.wake.notify_one();
            return;
        }
        let mut frames: Vec<Bytes> = Vec::new();
        let State {
            rx,
            covered,
            participant,
            attention,
            ..
        } = &mut *st;
        let Some(rx) = rx.as_mut() else { return };
        while frames.len() < COALESCE_MAX {
            let frame = match rx.try_recv() {
                Ok(frame) => frame,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(_)) => {
                    attention.lagged = true;
                    break;
                }
                Err(TryRecvError::Closed) => {
                    attention.closed = true;
                    break;
                }
            };
            if frame.last_seq <= *covered {
                continue;
            }
            *covered = frame.last_seq;
            frames.push(frame.wire.bytes());
            if let Some(me) = participant {
                if let Some((_, ban)) = frame.removed.iter().find(|(p, _)| p == me) {
                    attention.removed = Some(*ban);
                    break;
                }
            }
        }
        let needs_task = st.attention.any();
        self.write_locked(&mut st, frames);
        if needs_task || !st.pending.is_empty() {
            drop(st);
            self.wake.notify_one();
        }
    }

    /// Writes `chunks` after whatever is pending, as far as the socket takes
    /// them now; the rest waits in `pending`.
    fn write_locked(&self, st: &mut State, chunks: Vec<Bytes>) {
        if chunks.is_empty() {
            return;
        }
        let written = if st.pending.is_empty() {
            let slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
            let result = match slices.as_slice() {
                [one] => self.io.try_write(one),
                many => self.io.try_write_vectored(many),
            };
            // An error other than "would block" shows again on the task's next write.
            result.unwrap_or(0)
        } else {
            0
        };
        let mut skip = written;
        for chunk in chunks {
            if skip >= chunk.len() {
                skip -= chunk.len();
                continue;
            }
            st.pending.push_back(chunk.slice(skip..));
            skip = 0;
        }
    }

    /// Queues `bytes` behind anything pending and writes what the socket takes
    /// now; [`Outlet::poll_drain`] writes the rest.
    pub fn push(&self, bytes: Bytes) {
        self.push_all(vec![bytes]);
    }

    /// Queues several chunks as [`Outlet::push`] does one, in one write.
    pub fn push_all(&self, chunks: Vec<Bytes>) {
        let mut st = self.state();
        self.write_locked(&mut st, chunks);
    }

    /// Writes what is pending, waiting for the socket; ready once nothing is.
    pub fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            {
                let mut st = self.state();
                loop {
                    let State { pending, offset, .. } = &mut *st;
                    let Some(front) = pending.front() else {
                        return Poll::Ready(Ok(()));
                    };
                    match self.io.try_write(&front[*offset..]) {
                        Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                        Ok(n) if *offset + n == front.len() => {
                            pending.pop_front();
                            *offset = 0;
                        }
                        Ok(n) => *offset += n,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
            }
            ready!(self.io.poll_write_ready(cx))?;
        }
    }

    /// Waits until everything pending is written.
    pub async fn drain(&self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_drain(cx)).await
    }

    /// Resolves when the fan-out asks for the connection's task.
    pub async fn woken(&self) {
        self.wake.notified().await
    }

    /// Takes what needs the task's decision (the fan-out stays off meanwhile
    /// if it was a lag: see [`Outlet::resume_after`]).
    pub fn take_attention(&self) -> Attention {
        let mut st = self.state();
        let attention = std::mem::take(&mut st.attention);
        if attention.lagged {
            st.paused = true;
        }
        attention
    }

    /// After a snapshot at `seq` was queued: frames it covers are skipped, the
    /// fan-out resumes.
    pub fn resume_after(&self, seq: Seq, snapshot: Bytes) {
        let mut st = self.state();
        st.covered = st.covered.max(seq);
        self.write_locked(&mut st, vec![snapshot]);
        st.paused = false;
    }

    /// Lets the fan-out resume without a snapshot (the task is closing anyway).
    pub fn unpause(&self) {
        self.state().paused = false;
    }
}

/// The connection's socket as tungstenite sees it: reads straight from the
/// socket; writes go through the [`Outlet`], so they queue behind the fan-out's
/// frames instead of interleaving with them.
#[derive(Debug)]
pub struct OutletIo {
    io: Arc<TcpStream>,
    outlet: Arc<Outlet>,
}

impl OutletIo {
    /// The socket, for tungstenite, writing through `outlet`.
    pub fn new(io: Arc<TcpStream>, outlet: Arc<Outlet>) -> OutletIo {
        OutletIo { io, outlet }
    }
}

impl AsyncRead for OutletIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.io.poll_read_ready(cx))?;
            match self.io.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                // Readiness was stale; `try_read` cleared it, so the next poll waits.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for OutletIo {
    /// Always takes the whole buffer (what the socket does not take now waits
    /// in the outlet), so tungstenite never holds half a frame of its own.
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.outlet.push(Bytes::copy_from_slice(buf));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.outlet.poll_drain(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The socket closes when the connection's last owner drops it.
        self.outlet.poll_drain(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Wire;
    use babahui_shared::ParticipantId;
    use tokio::io::AsyncReadExt;
    use tokio::net::{TcpListener, TcpSocket};

    /// An outlet on one end of a loopback connection with small buffers (so
    /// writes are partial), and the other end, not read yet.
    async fn pair() -> (Arc<Outlet>, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_send_buffer_size(4096).unwrap();
        let (ours, theirs) = tokio::join!(socket.connect(listener.local_addr().unwrap()), listener.accept());
        (Outlet::new(Arc::new(ours.unwrap())), theirs.unwrap().0)
    }

    fn frame(seq: Seq, text: &str, removed: &[(ParticipantId, bool)]) -> Frame {
        Frame {
            last_seq: seq,
            wire: Wire::text(text.to_owned()),
            removed: removed.into(),
        }
    }

    /// Reads until `n` bytes have arrived.
    async fn read_exactly(mut theirs: TcpStream, n: usize) -> Vec<u8> {
        let mut got = vec![0; n];
        theirs.read_exact(&mut got).await.unwrap();
        got
    }

    #[tokio::test]
    async fn frames_wait_behind_a_partial_write_and_never_interleave() {
        let (outlet, theirs) = pair().await;
        let (tx, rx) = broadcast::channel(16);
        outlet.subscribe(rx, 0, None);
        let big = Bytes::from(vec![b'a'; 4 << 20]);
        outlet.push(big.clone());
        assert!(!outlet.state().pending.is_empty(), "4 MiB cannot go out at once");
        tx.send(frame(1, "one", &[])).unwrap();
        tx.send(frame(2, "two", &[])).unwrap();
        outlet.pump();
        assert!(
            outlet.state().pending.len() == 1,
            "frames stay in the ring while bytes are pending"
        );
        let expected: Vec<u8> = [
            &big[..],
            Wire::text("one".into()).as_bytes(),
            Wire::text("two".into()).as_bytes(),
        ]
        .concat();
        let reader = tokio::spawn(read_exactly(theirs, expected.len()));
        outlet.woken().await;
        outlet.drain().await.unwrap();
        outlet.pump();
        outlet.drain().await.unwrap();
        assert_eq!(reader.await.unwrap(), expected);
    }

    #[tokio::test]
    async fn a_lagging_connection_gets_its_snapshot_then_only_what_follows() {
        let (outlet, theirs) = pair().await;
        let (tx, rx) = broadcast::channel(4);
        outlet.subscribe(rx, 0, None);
        // Five frames in a ring of four: the first is lost to this connection.
        for seq in 1..=5 {
            tx.send(frame(seq, &format!("e{seq}"), &[])).unwrap();
        }
        outlet.pump();
        assert!(outlet.take_attention().lagged);
        // Paused while the snapshot is made: the fan-out writes nothing.
        outlet.pump();
        assert!(outlet.state().pending.is_empty());
        outlet.resume_after(3, Bytes::from_static(b"SNAPSHOT@3"));
        outlet.pump();
        outlet.drain().await.unwrap();
        // Frames 2 and 3 are in the snapshot; 4 and 5 follow it.
        let expected = [
            &b"SNAPSHOT@3"[..],
            Wire::text("e4".into()).as_bytes(),
            Wire::text("e5".into()).as_bytes(),
        ]
        .concat();
        assert_eq!(read_exactly(theirs, expected.len()).await, expected);
    }

    #[tokio::test]
    async fn a_removal_is_written_then_handed_to_the_task() {
        let (outlet, theirs) = pair().await;
        let (tx, rx) = broadcast::channel(16);
        let me = ParticipantId(7);
        outlet.subscribe(rx, 0, Some(me));
        tx.send(frame(1, "other", &[(ParticipantId(8), false)])).unwrap();
        tx.send(frame(2, "bye", &[(me, true)])).unwrap();
        tx.send(frame(3, "after", &[])).unwrap();
        outlet.pump();
        // Until the task has acted, the fan-out writes nothing more.
        outlet.pump();
        let expected = [
            Wire::text("other".into()).as_bytes(),
            Wire::text("bye".into()).as_bytes(),
        ]
        .concat();
        let mut theirs = theirs;
        let mut got = vec![0; expected.len()];
        theirs.read_exact(&mut got).await.unwrap();
        assert_eq!(got, expected);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let mut more = [0u8; 64];
        assert!(
            theirs.try_read(&mut more).is_err(),
            "the frame after the removal was not written"
        );
        assert_eq!(outlet.take_attention().removed, Some(true));
        drop(tx);
    }
}
