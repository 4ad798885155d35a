//! Delivering a meeting's frames to its connections.
//!
//! A meeting of 10,000 phones turns every event into 10,000 socket writes;
//! the write itself (and the loopback or network path behind it in the kernel)
//! is the floor. What we can avoid is the work around it: waking 10,000 tasks,
//! each polling its whole `select!` to write one frame. Instead each meeting has
//! a few fan-out tasks — as many as the runtime has worker threads, so an
//! event's writes are spread over every core — and each walks its share of the
//! meeting's [`Outlet`]s, writing the new frames with a non-blocking write. A
//! connection's own task runs only when its socket is full or something needs
//! its decision (see [`outlet`]).

pub mod outlet;

use crate::wire::Frame;
pub use outlet::{Attention, Outlet, OutletIo};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::task::TaskTracker;

/// Outlets written between two yields of a fan-out task, so that commands,
/// acknowledgements and new connections are served during a long fan-out.
const WRITES_PER_TURN: usize = 128;

/// A meeting's fan-out: its connections, spread over a few tasks.
#[derive(Debug)]
pub struct Fanout {
    shards: Vec<Mutex<Vec<Weak<Outlet>>>>,
    /// The task the next connection goes to.
    next: AtomicUsize,
}

impl Fanout {
    /// Starts `shards` fan-out tasks on the meeting's broadcast; they end with it.
    pub fn start(tx: &broadcast::Sender<Frame>, shards: usize, tracker: &TaskTracker) -> Arc<Fanout> {
        let fanout = Arc::new(Fanout {
            shards: (0..shards.max(1)).map(|_| Mutex::new(Vec::new())).collect(),
            next: AtomicUsize::new(0),
        });
        for index in 0..fanout.shards.len() {
            tracker.spawn(run_shard(fanout.clone(), index, tx.subscribe()));
        }
        fanout
    }

    fn shard(&self, index: usize) -> std::sync::MutexGuard<'_, Vec<Weak<Outlet>>> {
        self.shards[index].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a subscribed outlet to the next task in turn (a task's list is
    /// empty while it writes, so its length says nothing), and writes what is
    /// already waiting for it (frames sent before it was added).
    pub fn add(&self, outlet: &Arc<Outlet>) {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.shards.len();
        self.shard(index).push(Arc::downgrade(outlet));
        outlet.pump();
    }
}

/// One fan-out task: on each new frame, pumps every outlet of its share.
async fn run_shard(fanout: Arc<Fanout>, index: usize, mut rx: broadcast::Receiver<Frame>) {
    loop {
        match rx.recv().await {
            // Only a signal: each outlet reads its own receiver.
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => break,
        }
        // Frames that came meanwhile are written in the same pass.
        while rx.try_recv().is_ok() {}
        // Taken out, so that connections can be added while this pass writes.
        let mut outlets = std::mem::take(&mut *fanout.shard(index));
        let mut live = 0;
        for i in 0..outlets.len() {
            let Some(outlet) = outlets[i].upgrade() else { continue };
            outlet.pump();
            outlets.swap(live, i);
            live += 1;
            if live % WRITES_PER_TURN == 0 {
                tokio::task::yield_now().await;
            }
        }
        outlets.truncate(live);
        fanout.shard(index).append(&mut outlets);
    }
    // The meeting stopped: each connection learns it from its own receiver.
    for outlet in std::mem::take(&mut *fanout.shard(index))
        .iter()
        .filter_map(Weak::upgrade)
    {
        outlet.pump();
    }
}
