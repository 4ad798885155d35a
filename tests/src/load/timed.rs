//! A TCP stream that remembers when its bytes reached the socket.
//!
//! Ten thousand simulated phones share two cores with the server, so a client
//! task may read an event well after the kernel put it in its socket: the
//! load generator's own queue. A real phone reads its socket on its own CPU.
//! To tell the two apart the load generator also asks the kernel for each
//! read's receive time (`SO_TIMESTAMPNS`: the moment the segment entered the
//! client's receive path, for loopback within the server's own write) and
//! reports both "arrival at the socket" and "read by the client".
//!
//! The kernel switches receive times on for the whole machine a moment after
//! the first socket asks; reads before that have no time and count as arriving
//! when read.

use nix::sys::socket::{recvmsg, setsockopt, sockopt::ReceiveTimestampns, ControlMessageOwned, MsgFlags};
use nix::sys::time::TimeSpec;
use std::io::{self, IoSliceMut};
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// A [`TcpStream`] whose reads record the kernel's receive time.
#[derive(Debug)]
pub struct TimedStream {
    inner: TcpStream,
    /// Receive time of the last segment of the last read (realtime clock).
    last: Option<Duration>,
    /// Room for one `SCM_TIMESTAMPNS` message, kept to read without allocating.
    control: Vec<u8>,
}

impl TimedStream {
    /// Asks the kernel for receive times on `inner`.
    pub fn new(inner: TcpStream) -> io::Result<TimedStream> {
        setsockopt(&inner, ReceiveTimestampns, &true)?;
        Ok(TimedStream {
            inner,
            last: None,
            control: nix::cmsg_space!(TimeSpec),
        })
    }

    /// How long ago the bytes of the last read reached the socket (zero if
    /// the kernel gave no time).
    pub fn since_arrival(&self) -> Duration {
        let Some(at) = self.last else { return Duration::ZERO };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        now.saturating_sub(at)
    }
}

/// One `recvmsg` on `socket` into `buf`: bytes read and the kernel's receive time.
fn recv(socket: &TcpStream, buf: &mut [u8], control: &mut [u8]) -> io::Result<(usize, Option<Duration>)> {
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<()>(socket.as_raw_fd(), &mut iov, Some(control), MsgFlags::empty())?;
    let at = msg.cmsgs()?.find_map(|c| match c {
        ControlMessageOwned::ScmTimestampns(ts) => Some(Duration::from(ts)),
        _ => None,
    });
    Ok((msg.bytes, at))
}

impl AsyncRead for TimedStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let TimedStream { inner, last, control } = self.get_mut();
        loop {
            ready!(inner.poll_read_ready(cx))?;
            let room = buf.initialize_unfilled();
            let len = room.len();
            // A short read drains a stream socket: it is handed back to tokio
            // as "would block" so that tokio clears the readiness, as its own
            // `poll_read` does, and the next read waits for epoll instead of
            // paying a syscall to learn there is nothing.
            let mut short = None;
            let read = match inner.try_io(Interest::READABLE, || {
                let (n, at) = recv(inner, room, control)?;
                if n > 0 && n < len {
                    short = Some((n, at));
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                Ok((n, at))
            }) {
                Ok(read) => read,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => match short {
                    Some(read) => read,
                    None => continue,
                },
                Err(e) => return Poll::Ready(Err(e)),
            };
            // A read without a time must not keep the last one: the bytes
            // would seem to have come long before they did.
            let (n, at) = read;
            *last = at;
            buf.advance(n);
            return Poll::Ready(Ok(()));
        }
    }
}

impl AsyncWrite for TimedStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::TimedStream;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// Bytes that wait in the socket before they are read are reported as
    /// having arrived when they came, not when they were read.
    #[tokio::test]
    async fn a_read_knows_when_its_bytes_arrived() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut writer = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let mut reader = TimedStream::new(listener.accept().await.unwrap().0).unwrap();
        assert_eq!(reader.since_arrival(), Duration::ZERO, "nothing read yet");
        let mut buf = [0u8; 64];
        // The kernel turns receive times on for the whole machine a moment
        // after the first socket asks (deferred work): wait for the first.
        for _ in 0..100 {
            writer.write_all(b".").await.unwrap();
            assert_eq!(reader.read(&mut buf).await.unwrap(), 1);
            if reader.last.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(reader.last.is_some(), "the kernel gave no receive time in 2 s");

        writer.write_all(b"first").await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        let n = reader.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first");
        let waited = reader.since_arrival();
        assert!(waited >= Duration::from_millis(150), "waited {waited:?}");
        assert!(waited < Duration::from_secs(5), "waited {waited:?}");

        // A second read, straight after its bytes came, replaces the time.
        writer.write_all(b"second").await.unwrap();
        let n = reader.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"second");
        assert!(reader.since_arrival() < Duration::from_millis(100));

        // The end of the stream still reads as the end.
        drop(writer);
        assert_eq!(reader.read(&mut buf).await.unwrap(), 0);
    }
}
