//! Accepting connections: our own small accept loop instead of `axum::serve`,
//! for the two things a courtyard server needs and `axum::serve` cannot set:
//! a deadline for the request head (a slow-loris client trickling headers is
//! cut off) and a cap on connections from one address (one prankster's script
//! cannot take every socket). Each connection gets its peer address as
//! [`ConnectInfo`], and is told to finish gracefully at shutdown.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Live counts per key (address, meeting) with a ceiling; a [`Slot`] holds one
/// place and gives it back when dropped, however its connection ends.
#[derive(Debug)]
pub struct Counter<K: Eq + Hash + Clone> {
    limit: usize,
    counts: Mutex<HashMap<K, usize>>,
}

/// One counted place; released on drop.
#[derive(Debug)]
pub struct Slot<K: Eq + Hash + Clone> {
    counter: Arc<Counter<K>>,
    key: K,
}

impl<K: Eq + Hash + Clone> Counter<K> {
    /// A counter allowing `limit` per key (0: no limit).
    pub fn new(limit: usize) -> Arc<Counter<K>> {
        Arc::new(Counter {
            limit,
            counts: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a place for `key`, or `None` when it already holds `limit`.
    pub fn acquire(self: &Arc<Self>, key: K) -> Option<Slot<K>> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(key.clone()).or_default();
        if self.limit > 0 && *n >= self.limit {
            return None;
        }
        *n += 1;
        Some(Slot {
            counter: self.clone(),
            key,
        })
    }

    /// Places held for `key` now.
    pub fn held(&self, key: &K) -> usize {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(key).copied().unwrap_or(0)
    }
}

impl<K: Eq + Hash + Clone> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut counts = self.counter.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// Limits applied while accepting.
#[derive(Debug, Clone)]
pub struct AcceptLimits {
    /// Time to send a whole request head.
    pub header_timeout: Duration,
    /// Open HTTP connections (before any WebSocket upgrade) from one address.
    pub per_address: usize,
    /// Loopback addresses are not counted.
    pub exempt_loopback: bool,
    /// The other nodes' addresses, not counted either: a node relays many
    /// people's connections (see `http::relay`).
    pub peers: crate::hub::PeerAddresses,
    /// Trusted reverse proxies, not counted either.
    pub proxies: std::collections::HashSet<IpAddr>,
}

/// Connections the kernel holds for us before we accept them. When the Wi-Fi
/// comes back, every phone in the courtyard reconnects at once; with the
/// default (1,024) the surplus is dropped and retried only a second later.
const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `addr` with a backlog deep enough for a reconnect storm.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Raises this process's open-files limit to the most it may have: each phone
/// is a socket, and many systems start programs with 1,024. Returns the limit.
pub fn raise_open_files_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0)
}

/// Serves `app` on `listener` until `stop` is cancelled, then asks every
/// connection to finish its request and waits for them (bounded).
pub async fn serve(listener: TcpListener, app: Router, limits: AcceptLimits, stop: CancellationToken) {
    let per_address: Arc<Counter<IpAddr>> = Counter::new(limits.per_address);
    let tasks = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.cancelled() => break,
        };
        let from_peer = || {
            limits.proxies.contains(&peer.ip()) || limits.peers.read().map(|p| p.contains(&peer.ip())).unwrap_or(false)
        };
        let slot = if (limits.exempt_loopback && peer.ip().is_loopback()) || from_peer() {
            None
        } else {
            match per_address.acquire(peer.ip()) {
                Some(slot) => Some(slot),
                None => {
                    tracing::warn!(%peer, "too many connections from one address; refused");
                    drop(stream);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        tasks.spawn(connection(
            stream,
            peer,
            app.clone(),
            limits.header_timeout,
            stop.clone(),
            slot,
        ));
    }
    tasks.close();
    if tokio::time::timeout(Duration::from_secs(10), tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some HTTP connections did not finish in time");
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Router,
    header_timeout: Duration,
    stop: CancellationToken,
    slot: Option<Slot<IpAddr>>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    // HTTP/1.1 only (browsers speak HTTP/2 only over TLS), and hyper's own
    // builder: a WebSocket can then take the TCP stream back from hyper
    // (`Upgraded::downcast`) and write to it without any wrapper.
    let mut builder = Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        }
        _ = stop.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
    drop(slot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_caps_each_key_and_frees_places_on_drop() {
        let c: Arc<Counter<&str>> = Counter::new(2);
        let a1 = c.acquire("a").unwrap();
        let _a2 = c.acquire("a").unwrap();
        assert!(c.acquire("a").is_none());
        assert!(c.acquire("b").is_some(), "other keys are not affected");
        drop(a1);
        assert_eq!(c.held(&"a"), 1);
        assert!(c.acquire("a").is_some());
        let unlimited: Arc<Counter<u8>> = Counter::new(0);
        let held: Vec<_> = (0..100).map(|_| unlimited.acquire(1).unwrap()).collect();
        assert_eq!(unlimited.held(&1), held.len());
    }
}
