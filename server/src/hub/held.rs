//! What a node knows of the leases it holds (see [`super::cluster`]), and
//! the other nodes' addresses.

use crate::store::LEASE;
use babahui_shared::MeetingId;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Taken off a lease's length for the local clock's certainty: a lease is
/// trusted here until (when its renewal was sent) + [`LEASE`] − this.
const MARGIN: std::time::Duration = std::time::Duration::from_millis(400);
/// How often the list of nodes is read again (every this many renewals).
pub(super) const PEERS_EVERY: u32 = 10;

/// This node's leases, as it last knew them.
#[derive(Debug, Default)]
pub(super) struct Held {
    /// Meeting → until when this node is sure it holds the lease.
    until: Mutex<HashMap<MeetingId, Instant>>,
}

/// The other nodes' addresses, which the accept loop does not count against
/// one address's connections (a node relays many people's sockets).
pub type PeerAddresses = Arc<RwLock<HashSet<IpAddr>>>;

/// What this node knows of its lease on a meeting.
pub(super) enum Knows {
    Holds,
    Lapsed,
    Nothing,
}

impl Held {
    pub(super) fn knows(&self, id: &MeetingId) -> Knows {
        let until = self.until.lock().expect("held lock");
        match until.get(id) {
            Some(t) if *t > Instant::now() => Knows::Holds,
            Some(_) => Knows::Lapsed,
            None => Knows::Nothing,
        }
    }

    pub(super) fn hold(&self, id: MeetingId, sent: Instant) {
        let until = (sent + LEASE).checked_sub(MARGIN).unwrap_or(sent);
        self.until.lock().expect("held lock").insert(id, until);
    }

    pub(super) fn forget(&self, id: &MeetingId) {
        self.until.lock().expect("held lock").remove(id);
    }

    pub(super) fn ids(&self) -> Vec<MeetingId> {
        self.until.lock().expect("held lock").keys().cloned().collect()
    }

    pub(super) fn lapsed(&self) -> Vec<MeetingId> {
        let now = Instant::now();
        let until = self.until.lock().expect("held lock");
        until
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(id, _)| id.clone())
            .collect()
    }
}
