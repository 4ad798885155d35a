#!/usr/bin/env python3
"""Turns bench/results/*.json (written by bench/run.sh) into the Markdown
tables of BENCHMARKS.md: one row per scenario and server, side by side."""
import json
import pathlib
import sys

RESULTS = pathlib.Path(__file__).parent / "results"
ORDER = ["lively", "scale-1k", "scale-5k", "scale-10k", "busy-500", "district", "throughput", "storm"]


def load():
    runs = {}
    for path in sorted(RESULTS.glob("*.json")):
        if path.name.startswith("coldstart"):
            continue
        r = json.loads(path.read_text())
        runs.setdefault(r["scenario"], {})[r["label"]] = r
    return runs


def ms(p):
    return f"{p['p50']:.1f} / {p['p99']:.1f} / {p['p999']:.1f} / {p['max']:.1f}"


def main():
    runs = load()
    print("| scenario | server | conns | acked/s | fan-out ms p50 / p99 / p99.9 / max | last receipt p99 ms "
          "| in the socket p50 / p99 ms | ack p99 ms | missing | KiB/conn | server CPU µs/delivery (kernel share) "
          "| server cores | loadgen cores |")
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scenario in ORDER + sorted(set(runs) - set(ORDER)):
        for label, r in sorted(runs.get(scenario, {}).items()):
            s = r.get("server") or {}
            kernel = s.get("sys_secs", 0) / s["cpu_secs"] if s.get("cpu_secs") else 0
            socket = r.get("arrival")
            socket = f"{socket['p50']:.1f} / {socket['p99']:.1f}" if socket else "–"
            print(
                f"| {scenario} | {label} | {r['connections']} | {r['acked_per_sec']:.0f} | {ms(r['fanout'])} "
                f"| {r['last_receipt']['p99']:.1f} | {socket} | {r['ack_latency']['p99']:.1f} | {r['missing']} "
                f"| {s.get('kib_per_connection', 0):.1f} | {s.get('cpu_us_per_delivery', 0):.2f} ({kernel:.0%}) "
                f"| {s.get('cores_busy', 0):.2f} | {r['loadgen_cpu_secs'] / r['window_secs']:.2f} |"
            )
    storms = [(label, r["storm"]) for label, r in sorted(runs.get("storm", {}).items()) if r.get("storm")]
    if storms:
        print()
        print("| reconnect storm | clients | all caught up (ms) | p50 / p99 ms | failed |")
        print("|---|---:|---:|---|---:|")
        for label, s in storms:
            p = s["caught_up"]
            print(f"| {label} | {s['clients']} | {s['all_caught_up_ms']:.0f} | {p['p50']:.0f} / {p['p99']:.0f} | {s['failed']} |")
    cold = RESULTS / "coldstart.jsonl"
    if cold.exists():
        print()
        print("| cold start | events in the log | data folder | launch → tablet welcomed back (ms) | launch → whole state fetched (ms) |")
        print("|---|---:|---:|---|---|")
        rows = {}
        for line in cold.read_text().splitlines():
            c = json.loads(line)
            rows.setdefault(c["mode"], []).append(c)
        for mode, cs in rows.items():
            served = ", ".join(str(c["served_after_ms"]) for c in cs)
            fetched = ", ".join(str(c.get("state_fetched_after_ms", "–")) for c in cs)
            print(f"| {mode} | {int(cs[0]['events']):,} | {cs[0]['data_mb']} MB | {served} | {fetched} |")


if __name__ == "__main__":
    sys.exit(main())
