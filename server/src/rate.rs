//! How often something may happen: token buckets, one per connection or one
//! per key (an address, a participant).
//!
//! A bucket holds up to `burst` tokens and gains `per_sec` a second; each
//! action takes one. A person's taps never come near a limit (a phone's outbox
//! may send everything typed offline at once: that is what the burst is for);
//! a script that floods does, and is told how long to wait.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How fast, and how much at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens gained a second (0 = unlimited).
    pub per_sec: f64,
    /// Most tokens held, and the number a fresh bucket starts with.
    pub burst: u32,
}

impl Rate {
    /// `burst` at once, then one every `every`.
    pub fn one_every(every: Duration, burst: u32) -> Rate {
        Rate {
            per_sec: 1.0 / every.as_secs_f64().max(1e-9),
            burst,
        }
    }

    /// No limit.
    pub const UNLIMITED: Rate = Rate { per_sec: 0.0, burst: 0 };

    fn is_unlimited(&self) -> bool {
        self.per_sec == 0.0
    }
}

/// One token bucket.
#[derive(Debug)]
pub struct Bucket {
    tokens: f64,
    rate: Rate,
    at: Instant,
    /// Actions refused in a row (a client that keeps flooding is closed).
    pub refused: u32,
}

impl Bucket {
    /// A full bucket.
    pub fn new(rate: Rate) -> Bucket {
        Bucket {
            tokens: rate.burst as f64,
            rate,
            at: Instant::now(),
            refused: 0,
        }
    }

    fn refill(&mut self, now: Instant) {
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate.per_sec).min(self.rate.burst as f64);
        self.at = now;
    }

    /// Takes a token, or says how long until there is one.
    pub fn take(&mut self) -> Result<(), Duration> {
        self.check(true)
    }

    /// Whether a token is there, without taking it.
    pub fn peek(&mut self) -> Result<(), Duration> {
        self.check(false)
    }

    fn check(&mut self, take: bool) -> Result<(), Duration> {
        if self.rate.is_unlimited() {
            return Ok(());
        }
        self.refill(Instant::now());
        if self.tokens >= 1.0 {
            if take {
                self.tokens -= 1.0;
            }
            self.refused = 0;
            Ok(())
        } else {
            self.refused += 1;
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate.per_sec))
        }
    }

    /// Full again (nothing to remember about its key).
    fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.rate.burst as f64
    }
}

/// Buckets per key, all at one rate. Full buckets are forgotten when the map
/// grows, so a stream of new keys costs no lasting memory.
#[derive(Debug)]
pub struct PerKey<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

/// Keys kept before full buckets are swept out.
const SWEEP_AT: usize = 4096;

impl<K: Eq + Hash + Clone> PerKey<K> {
    /// Every key at `rate`.
    pub fn new(rate: Rate) -> PerKey<K> {
        PerKey {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token of `key`'s, or says how long to wait.
    pub fn take(&self, key: &K) -> Result<(), Duration> {
        self.with(key, Bucket::take)
    }

    /// Whether `key` has a token, without taking it.
    pub fn peek(&self, key: &K) -> Result<(), Duration> {
        self.with(key, Bucket::peek)
    }

    fn with(&self, key: &K, f: impl FnOnce(&mut Bucket) -> Result<(), Duration>) -> Result<(), Duration> {
        if self.rate.is_unlimited() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= SWEEP_AT && !buckets.contains_key(key) {
            let now = Instant::now();
            buckets.retain(|_, b| !b.is_full(now));
        }
        let rate = self.rate;
        f(buckets.entry(key.clone()).or_insert_with(|| Bucket::new(rate)))
    }
}

/// "try again in N s" (or "N min"), rounded up, at least 1: pages translate it.
pub fn wait_words(wait: Duration) -> String {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    if secs >= 120 {
        format!("try again in {} min", secs.div_ceil(60))
    } else {
        format!("try again in {secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_at_the_rate_then_a_wait() {
        let per_key = PerKey::new(Rate::one_every(Duration::from_millis(50), 3));
        for _ in 0..3 {
            assert!(per_key.take(&1).is_ok());
        }
        let wait = per_key.take(&1).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(50), "{wait:?}");
        assert!(per_key.take(&2).is_ok(), "each key has its own bucket");
        assert!(per_key.peek(&1).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(per_key.peek(&1).is_ok(), "peek takes nothing");
        assert!(per_key.take(&1).is_ok());
        assert!(per_key.take(&1).is_err());
        assert!(PerKey::new(Rate::UNLIMITED).take(&1).is_ok());
    }

    #[test]
    fn full_buckets_are_forgotten() {
        let per_key = PerKey::new(Rate::one_every(Duration::from_micros(1), 1));
        for k in 0..10_000 {
            let _ = per_key.take(&k);
        }
        assert!(per_key.buckets.lock().unwrap().len() <= SWEEP_AT + 1);
    }
}
