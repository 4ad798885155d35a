//! An in-process TCP fault proxy between test clients and the server: delay
//! with jitter (in order, as TCP delivers), connections cut after a number of
//! bytes (mid-frame), and half-open connections (bytes silently dropped, no FIN,
//! no RST — a phone that walked out of Wi-Fi range).

use rand::Rng;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

/// What the proxy does to the connections it carries.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added to every chunk, each way.
    pub delay: Duration,
    /// Plus or minus this much, at random (order is kept).
    pub jitter: Duration,
    /// Cut each connection after it has carried between these many bytes from
    /// the server (`None`: never).
    pub cut_after: Option<(u64, u64)>,
}

/// A running proxy; dropped, it stops accepting.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT` of the proxy.
    pub base: String,
    /// Bumped to cut every open connection at once.
    cut_all: watch::Sender<u64>,
    /// While set, connections carry nothing and are not closed (half-open).
    blackhole: Arc<AtomicBool>,
    /// Connections accepted so far.
    accepted: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy to the server at `server_base` (`http://host:port`).
    pub async fn start(server_base: &str, faults: Faults) -> FaultProxy {
        let target = server_base.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (cut_all, cut_rx) = watch::channel(0u64);
        let blackhole = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicU64::new(0));
        let (b, a) = (blackhole.clone(), accepted.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                a.fetch_add(1, Ordering::Relaxed);
                let Ok(server) = TcpStream::connect(&target).await else {
                    continue;
                };
                tokio::spawn(carry(client, server, faults.clone(), cut_rx.clone(), b.clone()));
            }
        });
        FaultProxy {
            base,
            cut_all,
            blackhole,
            accepted,
            task,
        }
    }

    /// Cuts every open connection now (both directions closed abruptly).
    pub fn cut_all(&self) {
        self.cut_all.send_modify(|n| *n += 1);
    }

    /// Half-opens every connection: from now on nothing gets through either
    /// way and nothing is closed.
    pub fn blackhole(&self) {
        self.blackhole.store(true, Ordering::SeqCst);
    }

    /// Lets traffic through again (the Wi-Fi came back).
    pub fn restore(&self) {
        self.blackhole.store(false, Ordering::SeqCst);
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// Carries one connection until either side closes, the cut budget is spent,
/// or everything is cut.
async fn carry(
    client: TcpStream,
    server: TcpStream,
    faults: Faults,
    mut cut: watch::Receiver<u64>,
    blackhole: Arc<AtomicBool>,
) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let budget = faults
        .cut_after
        .map(|(lo, hi)| rand::rng().random_range(lo..=hi.max(lo)));
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, faults.clone(), None, blackhole.clone());
    let down = pump(sr, cw, faults, budget, blackhole);
    cut.mark_unchanged();
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cut.changed() => {}
    }
    // Dropping both halves closes the sockets under the peers (mid-frame if so).
}

/// One direction: reads chunks and writes each at its due time, in order.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    faults: Faults,
    mut budget: Option<u64>,
    blackhole: Arc<AtomicBool>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut last_due = Instant::now();
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if blackhole.load(Ordering::SeqCst) {
                continue;
            }
            let mut chunk = buf[..n].to_vec();
            if let Some(left) = budget.as_mut() {
                if (chunk.len() as u64) >= *left {
                    chunk.truncate(*left as usize);
                    let _ = tx.send((last_due, chunk));
                    break;
                }
                *left -= chunk.len() as u64;
            }
            let jitter = faults.jitter.as_millis() as i64;
            let extra = if jitter > 0 {
                rand::rng().random_range(-jitter..=jitter)
            } else {
                0
            };
            let delay = (faults.delay.as_millis() as i64 + extra).max(0) as u64;
            let due = (Instant::now() + Duration::from_millis(delay)).max(last_due);
            last_due = due;
            if tx.send((due, chunk)).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
    };
    // The reader ends first on a cut budget; the writer then delivers what was
    // due and the direction ends, taking the connection down with it.
    tokio::join!(reader, writer);
}
