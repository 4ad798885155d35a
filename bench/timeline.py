#!/usr/bin/env python3
"""Prints a load-generator report's events second by second: how slow the
slowest ack was, and the median and worst time until the last client had
each event (in its socket, and read). A tail made of a few stalls shows as a
few bad seconds; a saturated machine as a run of them.

    bench/timeline.py bench/results/scale-10k-babahui.json
"""
import collections
import json
import sys


def main(path):
    report = json.load(open(path))
    seconds = collections.defaultdict(list)
    for sent, ack, socket, read in report.get("timeline", []):
        seconds[int(sent)].append((ack, socket, read))
    if not seconds:
        sys.exit(f"{path}: no timeline (more than 20,000 events, or an older report)")
    print("second | events | ack max ms | last in socket: median / max ms | last read: median / max ms")
    for second in sorted(seconds):
        events = seconds[second]
        acks, sockets, reads = (sorted(column) for column in zip(*events))
        median = lambda xs: xs[len(xs) // 2]
        print(
            f"{second:6d} | {len(events):6d} | {acks[-1]:10.1f} | {median(sockets):7.1f} / {sockets[-1]:7.1f} "
            f"| {median(reads):7.1f} / {reads[-1]:7.1f}  {'#' * int(median(reads) / 10)}"
        )


if __name__ == "__main__":
    main(sys.argv[1])
