//! The load generator keeps working: a short run against the real binary,
//! 200 attendees and 50 followers from home for 5 s, and every client receives
//! every event once, in order.
//! (The benchmarks themselves are in `bench/`; see BENCHMARKS.md.)

use crate::helpers::ServerProcess;
use std::process::Command;

#[tokio::test]
async fn a_short_load_run_delivers_every_event_to_every_client() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = ServerProcess::start(&data);
    let report_path = dir.path().join("report.json");
    let base = server.base.clone();
    let pid = server.pid().to_string();
    let key = server.key.clone().expect("the binary keeps an organiser key");
    let out = tokio::task::spawn_blocking({
        let report_path = report_path.clone();
        move || {
            Command::new(env!("CARGO_BIN_EXE_loadgen"))
                .args(["--url", &base, "--server-pid", &pid, "--scenario", "smoke"])
                .args([
                    "--attendees",
                    "200",
                    "--followers",
                    "50",
                    "--rate",
                    "20",
                    "--warmup",
                    "1",
                    "--duration",
                    "5",
                ])
                .args([
                    "--settle",
                    "0.5",
                    "--require-complete",
                    "--organiser-key",
                    &key,
                    "--json",
                ])
                .arg(&report_path)
                .output()
                .expect("run loadgen")
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "loadgen failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let n = |k: &str| report[k].as_u64().unwrap_or_else(|| panic!("{k} in {report}"));
    // 20 commands a second for 5 s: all sent, all acknowledged (the script avoids refusals).
    assert!(n("sent") >= 80, "{report}");
    assert_eq!(n("acked"), n("sent"), "{report}");
    assert_eq!(n("unanswered"), 0);
    // Every other connection (moderator, projector, 199 attendees, 50 followers
    // from home on their own stream) got every event.
    assert_eq!(n("connections"), 252);
    assert_eq!(n("deliveries"), n("acked") * 251, "{report}");
    assert_eq!(
        report["follower_fanout"]["count"].as_u64(),
        Some(n("acked") * 50),
        "{report}"
    );
    assert_eq!(
        (n("missing"), n("gaps"), n("duplicates"), n("disconnects")),
        (0, 0, 0, 0)
    );
    assert!(report["fanout"]["p99"].as_f64().unwrap() > 0.0);
    // Each delivery is also timed at its arrival in the client's socket (the
    // kernel's receive time): never after the client read it, and for the
    // last of 201 clients to read an event, before.
    assert_eq!(report["arrival"]["count"], report["fanout"]["count"], "{report}");
    let timeline = report["timeline"].as_array().unwrap();
    assert_eq!(timeline.len() as u64, n("acked"));
    let (socket, read) = (
        |e: &serde_json::Value| e[2].as_f64().unwrap(),
        |e: &serde_json::Value| e[3].as_f64().unwrap(),
    );
    assert!(timeline.iter().all(|e| socket(e) <= read(e)), "{report}");
    assert!(
        timeline.iter().any(|e| socket(e) < read(e)),
        "no kernel receive times: {report}"
    );
    // The server's cost was read from /proc.
    assert!(
        report["server"]["connected"]["rss_kib"].as_u64().unwrap() > 0,
        "{report}"
    );
    server.stop();
}
