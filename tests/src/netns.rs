//! Other devices on the courtyard Wi-Fi, for tests: each [`Device`] is a
//! network namespace joined to this machine by a veth pair, with its own
//! address. A server listening on 0.0.0.0 sees the device's requests come
//! from that address — not loopback, which the server treats as itself (or
//! a proxy in front). Needs root (`ip netns`); CI runs as root.
//!
//! Addresses are in 10.231.0.0/16, on links that exist only between this
//! machine and its own namespaces, made and removed by the test itself.

use std::future::Future;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// One device: a namespace with one address, gone when dropped.
#[derive(Debug)]
pub struct Device {
    name: String,
    /// The device's address, as the server sees it.
    pub ip: IpAddr,
    /// This machine's address on the device's link: where the device reaches the server.
    pub server_ip: IpAddr,
}

static NEXT: AtomicU32 = AtomicU32::new(1);

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Removes namespaces left by test processes that are no longer running
/// (a test killed half-way), so their addresses do not clash with new ones.
fn sweep_stale() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(pid) = name.strip_prefix("bbh").and_then(|r| r.split('d').next()) else {
            continue;
        };
        if pid
            .parse::<u32>()
            .is_ok_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists())
        {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

impl Device {
    /// A new device, or why there cannot be one (not root, no `ip`).
    pub fn new() -> Result<Device, String> {
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(sweep_stale);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        // Each device gets a /30 of its own: 10.231.(n / 64).(n % 64 * 4) + 1 and + 2.
        let (hi, lo) = ((pid % 200 + n / 64) % 256, (n % 64) * 4);
        let (host, dev) = (format!("10.231.{hi}.{}", lo + 1), format!("10.231.{hi}.{}", lo + 2));
        let name = format!("bbh{pid}d{n}");
        let (veth_host, veth_dev) = (format!("bh{}x{n}", pid % 100_000), format!("bd{}x{n}", pid % 100_000));
        let device = Device {
            name: name.clone(),
            ip: dev.parse().unwrap(),
            server_ip: host.parse().unwrap(),
        };
        ip(&["netns", "add", &name])?;
        ip(&["link", "add", &veth_host, "type", "veth", "peer", "name", &veth_dev])?;
        ip(&["link", "set", &veth_dev, "netns", &name])?;
        ip(&["addr", "add", &format!("{host}/30"), "dev", &veth_host])?;
        ip(&["link", "set", &veth_host, "up"])?;
        ip(&["-n", &name, "addr", "add", &format!("{dev}/30"), "dev", &veth_dev])?;
        ip(&["-n", &name, "link", "set", &veth_dev, "up"])?;
        ip(&["-n", &name, "link", "set", "lo", "up"])?;
        Ok(device)
    }

    /// `http://SERVER_IP:PORT` for a server listening on all addresses at `port`.
    pub fn url(&self, port: u16) -> String {
        format!("http://{}:{port}", self.server_ip)
    }

    /// Runs `work` on a thread inside the device's namespace (its own tokio
    /// runtime): every socket it opens comes from the device's address.
    pub async fn run<F, Fut, T>(&self, work: F) -> T
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = T>,
        T: Send + 'static,
    {
        let path = format!("/run/netns/{}", self.name);
        // A thread of its own, never a pooled one: the namespace stays with the thread.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let ns = std::fs::File::open(&path).expect("open the namespace");
            nix::sched::setns(ns.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).expect("enter the namespace");
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(work());
            let _ = tx.send(result);
        });
        rx.await.expect("the device's thread panicked")
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // Deleting the namespace removes its end of the veth pair, and so both ends.
        let _ = ip(&["netns", "del", &self.name]);
    }
}
