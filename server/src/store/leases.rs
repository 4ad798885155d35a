//! Which node decides for a meeting, on a store several nodes share. A lease
//! names the meeting's node, and holds while that node keeps itself alive
//! (an expiry set by the database's clock, renewed every [`RENEW_EVERY`] for
//! all its meetings at once). Correctness never rests on the lease alone: an append states the head it expects, and the store refuses an
//! append from a node whose lease is gone ([`super::StoreError::NotOwner`]).

use super::error::StoreError;
use babahui_shared::MeetingId;
use futures::future::BoxFuture;
use std::time::Duration;

/// How long a lease lasts unless renewed: a dead node's meetings wait this
/// long before another node takes them (part of a client's recovery time).
pub const LEASE: Duration = Duration::from_millis(2000);
/// How often the owner renews its leases (four chances per lease).
pub const RENEW_EVERY: Duration = Duration::from_millis(500);

/// What a node learns when it asks for a meeting's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This node holds it now (or already did).
    Mine,
    /// Another live node holds it; it is reached at this URL.
    Elsewhere(String),
    /// There is no such meeting.
    Missing,
}

/// The leases of a shared store. Each future runs on the store's own runtime.
pub trait Leases: Send + Sync + std::fmt::Debug {
    /// This node's id.
    fn node(&self) -> &str;

    /// Registers this node as reachable at `url`; returns the secret nodes
    /// show each other when relaying a request.
    fn join(&self, url: String) -> BoxFuture<'static, Result<String, StoreError>>;

    /// Takes the meeting's lease if nobody holds it (or it expired), for a
    /// meeting that exists, or, with `new`, one being created now.
    fn claim(&self, meeting: &MeetingId, new: bool) -> BoxFuture<'static, Result<Claim, StoreError>>;

    /// Renews this node's leases on `held`; returns those it still holds.
    /// Also says this node is alive.
    fn renew(&self, held: Vec<MeetingId>) -> BoxFuture<'static, Result<Vec<MeetingId>, StoreError>>;

    /// Gives up one lease (a meeting deleted, or stopped here).
    fn release(&self, meeting: &MeetingId) -> BoxFuture<'static, Result<(), StoreError>>;

    /// The URLs of the nodes seen alive lately (this one included).
    fn peers(&self) -> BoxFuture<'static, Result<Vec<String>, StoreError>>;
}
