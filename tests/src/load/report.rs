//! What a run measured: latency distributions, rates, completeness, and the
//! server's cost; printed for people and written as JSON for the tables.

use super::procstat::Usage;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A latency distribution, milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Percentiles {
    /// Samples.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Percentiles {
    /// From samples in microseconds (sorted here).
    pub fn of_micros(mut samples: Vec<u64>) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_unstable();
        let at = |q: f64| {
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i] as f64 / 1000.0
        };
        Percentiles {
            count: samples.len(),
            p50: at(0.50),
            p99: at(0.99),
            p999: at(0.999),
            max: samples[samples.len() - 1] as f64 / 1000.0,
            mean: samples.iter().sum::<u64>() as f64 / samples.len() as f64 / 1000.0,
        }
    }
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {:.2} ms · p99 {:.2} ms · p99.9 {:.2} ms · max {:.2} ms (n={})",
            self.p50, self.p99, self.p999, self.max, self.count
        )
    }
}

/// The server's resources over the run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServerCost {
    /// Before any attendee connected (meetings created, moderators connected).
    pub before: Usage,
    /// With every attendee connected and idle.
    pub connected: Usage,
    /// At the end of the measured window.
    pub end: Usage,
    /// (connected − before) RSS per attendee connection, KiB (joins included).
    pub kib_per_connection: f64,
    /// Server CPU seconds during the measured window.
    pub cpu_secs: f64,
    /// …of which in the kernel.
    pub sys_secs: f64,
    /// Server CPU per delivered event message, µs.
    pub cpu_us_per_delivery: f64,
    /// Average cores busy during the window.
    pub cores_busy: f64,
}

/// A reconnect storm's outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Storm {
    /// Clients told to drop and reconnect.
    pub clients: usize,
    /// Time from the drop until each client had caught up with the head announced on reconnect.
    pub caught_up: Percentiles,
    /// Time until the last client caught up, ms.
    pub all_caught_up_ms: f64,
    /// Clients that did not catch up.
    pub failed: usize,
    /// Snapshots sent instead of missed events.
    pub snapshots: u64,
}

/// The whole run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Which server (e.g. `babahui`, `babahui-nodurable`, `node-ws`).
    pub label: String,
    /// The scenario's name.
    pub scenario: String,
    /// Meetings.
    pub meetings: usize,
    /// Attendees per meeting.
    pub attendees: usize,
    /// People following each meeting from home (线上旁听).
    pub followers: usize,
    /// Connections in all (attendees, moderators and projectors).
    pub connections: usize,
    /// Seconds the setup took (create, join, connect).
    pub setup_secs: f64,
    /// Measured seconds.
    pub window_secs: f64,
    /// Commands sent in the window.
    pub sent: u64,
    /// …acknowledged (durable, on a server that persists).
    pub acked: u64,
    /// …refused, by code (races of the scripted workload, e.g. a hand lowered twice).
    pub refused: BTreeMap<String, u64>,
    /// …never answered.
    pub unanswered: u64,
    /// Acknowledged events per second.
    pub acked_per_sec: f64,
    /// Command sent → its ack.
    pub ack_latency: Percentiles,
    /// Command sent → its event read by each other client, per delivery.
    pub fanout: Percentiles,
    /// Command sent → its event read by each follower from home, per delivery
    /// (`fanout` is then the courtyard's: attendees, moderator, projector).
    pub follower_fanout: Percentiles,
    /// …its bytes in each follower's socket.
    pub follower_arrival: Percentiles,
    /// Command sent → its event read by the last client to get it, per event.
    pub last_receipt: Percentiles,
    /// Command sent → its event's bytes in each other client's socket (the
    /// kernel's receive time), per delivery: `fanout` without the load
    /// generator's own queue (see `load::timed`).
    pub arrival: Percentiles,
    /// Command sent → its event in the last client's socket, per event.
    pub last_arrival: Percentiles,
    /// Event deliveries measured.
    pub deliveries: u64,
    /// Deliveries that should have happened but did not (must be 0).
    pub missing: u64,
    /// Gaps and duplicates seen by clients (must be 0).
    pub gaps: u64,
    /// Duplicate events.
    pub duplicates: u64,
    /// Snapshots received (lagging clients).
    pub snapshots: u64,
    /// Connections lost.
    pub disconnects: u64,
    /// Errors that answered no command.
    pub stray_errors: u64,
    /// The server's resources, when its pid was given.
    pub server: Option<ServerCost>,
    /// The load generator's own CPU seconds in the window (it shares the machine).
    pub loadgen_cpu_secs: f64,
    /// Reconnect storm results.
    pub storm: Option<Storm>,
    /// Every measured event in send order, when there are at most
    /// [`TIMELINE_MAX`]: seconds into the window it was sent, ms to its ack,
    /// ms to the last client's socket, ms to the last client's read. Shows
    /// whether a tail is a few stalls or all of the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<[f64; 4]>,
}

/// Most events a report lists one by one.
pub const TIMELINE_MAX: usize = 20_000;

impl Report {
    /// Whether every client got every event, in order, once.
    pub fn complete(&self) -> bool {
        self.missing == 0 && self.gaps == 0 && self.duplicates == 0 && self.unanswered == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "== {} · {} · {} meeting(s) × {} attendees ({} connections), setup {:.1} s",
            self.label, self.scenario, self.meetings, self.attendees, self.connections, self.setup_secs
        )?;
        writeln!(
            f,
            "commands: {} sent, {} acked ({:.0}/s over {:.1} s), refused {:?}, unanswered {}",
            self.sent, self.acked, self.acked_per_sec, self.window_secs, self.refused, self.unanswered
        )?;
        writeln!(f, "ack latency:   {}", self.ack_latency)?;
        writeln!(f, "fan-out, read by the client:    {}", self.fanout)?;
        writeln!(f, "last read:                      {}", self.last_receipt)?;
        writeln!(f, "fan-out, arrived in the socket: {}", self.arrival)?;
        writeln!(f, "last arrival:                   {}", self.last_arrival)?;
        if self.followers > 0 {
            writeln!(f, "{} followers from home per meeting:", self.followers)?;
            writeln!(f, "  fan-out, read by the follower:    {}", self.follower_fanout)?;
            writeln!(f, "  fan-out, arrived in the socket:   {}", self.follower_arrival)?;
        }
        writeln!(
            f,
            "deliveries {} · missing {} · gaps {} · duplicates {} · snapshots {} · disconnects {} · stray errors {}",
            self.deliveries,
            self.missing,
            self.gaps,
            self.duplicates,
            self.snapshots,
            self.disconnects,
            self.stray_errors
        )?;
        if let Some(s) = &self.server {
            writeln!(
                f,
                "server: RSS {} → {} → {} KiB ({:.1} KiB per connection) · CPU {:.2} s in window ({:.2} s kernel, {:.2} cores) · {:.2} µs per delivery",
                s.before.rss_kib,
                s.connected.rss_kib,
                s.end.rss_kib,
                s.kib_per_connection,
                s.cpu_secs,
                s.sys_secs,
                s.cores_busy,
                s.cpu_us_per_delivery
            )?;
        }
        writeln!(f, "load generator CPU {:.2} s in window", self.loadgen_cpu_secs)?;
        if let Some(s) = &self.storm {
            writeln!(
                f,
                "storm: {} clients, all caught up after {:.0} ms ({}), failed {}, snapshots {}",
                s.clients, s.all_caught_up_ms, s.caught_up, s.failed, s.snapshots
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Percentiles;

    #[test]
    fn percentiles_of_one_to_thousand() {
        let p = Percentiles::of_micros((1..=1000).map(|i| i * 1000).collect());
        assert_eq!((p.p50, p.p99, p.p999, p.max), (500.0, 990.0, 999.0, 1000.0));
    }
}
