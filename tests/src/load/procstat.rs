//! A process's memory and CPU time from `/proc`, to put server cost per
//! connection and per delivered message beside the latencies.

use serde::Serialize;

/// Linux reports CPU times in `USER_HZ` ticks, which is 100 on every architecture's ABI.
const TICKS_PER_SEC: f64 = 100.0;

/// One reading.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    /// Resident memory, KiB.
    pub rss_kib: u64,
    /// User + system CPU time so far, seconds.
    pub cpu_secs: f64,
    /// …of which in the kernel (system calls: mostly socket writes and reads).
    pub sys_secs: f64,
}

/// Reads `/proc/{pid}` (or `/proc/self`); `None` if the process is gone.
pub fn read(pid: Option<u32>) -> Option<Usage> {
    let dir = pid.map_or_else(|| "/proc/self".to_owned(), |p| format!("/proc/{p}"));
    let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("{dir}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
    Some(Usage {
        rss_kib,
        cpu_secs: (utime + stime) as f64 / TICKS_PER_SEC,
        sys_secs: stime as f64 / TICKS_PER_SEC,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_process() {
        let u = super::read(None).expect("own /proc");
        assert!(u.rss_kib > 100, "{u:?}");
    }
}
