//! The server's wall clock, in one place.
//!
//! Every time the server stamps (an event's `at`, the notice period of an
//! objection, a ledger change, a pong's `server_time`) comes from a [`Clock`],
//! handed down from the configuration, so that a test can hold time still or
//! move it forward instead of sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch: the system's, or a hand-set one in tests.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// `None`: the system clock. `Some`: a clock that moves only when told.
    manual: Option<Arc<AtomicU64>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that reads `start_ms` until [`Clock::advance`] or [`Clock::set`].
    pub fn manual(start_ms: u64) -> Clock {
        Clock {
            manual: Some(Arc::new(AtomicU64::new(start_ms))),
        }
    }

    /// Now, in ms since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        match &self.manual {
            Some(ms) => ms.load(Ordering::Acquire),
            None => system_now_ms(),
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, ms: u64) {
        if let Some(now) = &self.manual {
            now.fetch_add(ms, Ordering::AcqRel);
        }
    }

    /// Sets a manual clock (no effect on the system clock).
    pub fn set(&self, ms: u64) {
        if let Some(now) = &self.manual {
            now.store(ms, Ordering::Release);
        }
    }
}

/// The system's time now, ms since the Unix epoch (for the command line and
/// backups, which run outside a server's configuration).
pub fn system_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = Clock::manual(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(500);
        assert_eq!(clock.clone().now_ms(), 1_500, "clones share the time");
        clock.set(42);
        assert_eq!(clock.now_ms(), 42);
        let system = Clock::system();
        assert!(system.now_ms() > 1_700_000_000_000);
    }
}
