//! Which node serves a meeting, when several nodes share one store. A node
//! serves a meeting only while it holds the meeting's lease (see
//! [`crate::store::Leases`]); it renews what it holds every
//! [`RENEW_EVERY`], and lets a meeting go (its task stops, its connections
//! close and resume elsewhere) as soon as it is not sure it still holds it.
//! On a store with no leases (sled) every meeting is served here.

use super::held::{Knows, PeerAddresses, PEERS_EVERY};
use super::registry::Hub;
use crate::store::{Claim, RENEW_EVERY};
use babahui_shared::MeetingId;
use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Instant;

/// Where a meeting's requests are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// On this node.
    Here,
    /// On the node at this URL, which holds the meeting's lease.
    There(String),
}

impl Hub {
    /// Where requests for meeting `id` are served: here if this node holds
    /// (or now takes) its lease, or there is no such meeting (this node
    /// answers "not found"); else at the node that holds it.
    pub async fn route(&self, id: &MeetingId) -> Result<Route, babahui_shared::CommandError> {
        let Some(leases) = self.store().leases() else {
            return Ok(Route::Here);
        };
        match self.held().knows(id) {
            Knows::Holds => return Ok(Route::Here),
            // Not renewed in time (this process was paused, or the database
            // was away): what is in memory may be behind. Let it go first.
            Knows::Lapsed => self.evict(id),
            Knows::Nothing => {}
        }
        let sent = Instant::now();
        let claim = leases.claim(id, false).await.map_err(super::task::storage_error)?;
        match claim {
            Claim::Mine => {
                self.held().hold(id.clone(), sent);
                Ok(Route::Here)
            }
            Claim::Missing => Ok(Route::Here),
            Claim::Elsewhere(url) => Ok(Route::There(url)),
        }
    }

    /// Takes the lease of a meeting being created or imported here.
    pub(super) async fn claim_new(&self, id: &MeetingId) -> Result<(), babahui_shared::CommandError> {
        let Some(leases) = self.store().leases() else {
            return Ok(());
        };
        let sent = Instant::now();
        match leases.claim(id, true).await.map_err(super::task::storage_error)? {
            Claim::Mine => {
                self.held().hold(id.clone(), sent);
                Ok(())
            }
            other => Err(babahui_shared::CommandError::conflict(format!(
                "meeting {id} is already served by another node ({other:?})"
            ))),
        }
    }

    /// Renews this node's leases until shutdown; lets go of every meeting
    /// whose lease it lost or could not renew in time; keeps `peers` (the
    /// other nodes' addresses) current.
    pub(super) fn keep_leases(&self, peers: PeerAddresses) {
        let Some(_) = self.store().leases() else {
            return;
        };
        let hub = self.clone();
        let shutdown = self.shutdown_token();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RENEW_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut round = 0u32;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = shutdown.cancelled() => break,
                }
                let Some(leases) = hub.store().leases() else { break };
                let ids = hub.held().ids();
                let sent = Instant::now();
                match leases.renew(ids.clone()).await {
                    Ok(kept) => {
                        let kept: HashSet<MeetingId> = kept.into_iter().collect();
                        for id in ids {
                            if kept.contains(&id) {
                                hub.held().hold(id, sent);
                            } else {
                                tracing::warn!(meeting = %id, "lease lost: another node serves this meeting now");
                                hub.evict(&id);
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "leases not renewed"),
                }
                for id in hub.held().lapsed() {
                    tracing::warn!(meeting = %id, "lease not renewed in time: letting the meeting go");
                    hub.evict(&id);
                }
                if round.is_multiple_of(PEERS_EVERY) {
                    if let Ok(urls) = leases.peers().await {
                        let ips = urls.iter().filter_map(|u| peer_ip(u)).collect();
                        *peers.write().unwrap_or_else(|p| p.into_inner()) = ips;
                    }
                }
                round = round.wrapping_add(1);
            }
        });
    }
}

/// The address in a node's URL (`http://10.0.0.5:8080` → 10.0.0.5); a name
/// is looked up.
fn peer_ip(url: &str) -> Option<IpAddr> {
    let rest = url.split("://").nth(1)?;
    let host_port = rest.split('/').next()?;
    if let Ok(addr) = host_port.parse::<std::net::SocketAddr>() {
        return Some(addr.ip());
    }
    use std::net::ToSocketAddrs;
    let with_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:80")
    };
    with_port.to_socket_addrs().ok()?.next().map(|a| a.ip())
}
