//! How the hub is tuned: broadcast ring, checkpoints, the door's rules, the clock.

use super::door::DoorRules;
use crate::clock::Clock;

/// Tuning of the hub.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Frames each meeting's broadcast ring holds; a connection further behind
    /// than this gets a snapshot instead of the frames it missed.
    pub broadcast_capacity: usize,
    /// Fewest events between two checkpoints of a meeting's state (more when
    /// the state is large: see `meeting::CHECKPOINT_BYTES_PER_EVENT`).
    pub checkpoint_every: u64,
    /// Bans and how fast one participant may post (see [`super::door`]).
    pub door: DoorRules,
    /// The server's clock (a hand-set one in tests).
    pub clock: Clock,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            broadcast_capacity: 256,
            checkpoint_every: 10_000,
            door: DoorRules::default(),
            clock: Clock::system(),
        }
    }
}
