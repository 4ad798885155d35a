#!/usr/bin/env bash
# Scenario 6 of BENCHMARKS.md: time from launch to serving a meeting whose log
# holds about EVENTS events (default 1,000,000), written by the load generator
# in the courtyard mix (opinions, seconds, hands, the floor). Measured twice:
# with checkpoints (the default) and with none (every event replayed).
# Called by bench/run.sh (which builds); needs target/release/{babahui,loadgen}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/results
mkdir -p "$OUT"
EVENTS=${EVENTS:-1000000}
PORT=7300
BIN=$ROOT/target/release/babahui
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
    echo "port $PORT is in use: stop what runs there first"; exit 1
fi

# fill <dir> <checkpoint-every>: a meeting of ~EVENTS events, then a clean stop.
fill() {
    "$BIN" serve --addr 127.0.0.1:$PORT --data "$1" --max-connections-per-address 0 \
        --messages-per-sec 0 --opinions-per-minute 0 --checkpoint-every "$2" >/dev/null 2>&1 &
    local pid=$!
    until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.05; done
    # 200 phones, each with one command in flight, as fast as the server acknowledges.
    local secs=$(( EVENTS / 3000 + 5 ))
    "$ROOT/target/release/loadgen" --url "http://127.0.0.1:$PORT" --organiser-key="$(cat "$1/organiser.key")" --attendees 200 --rate 100000 \
        --warmup 0 --duration "$secs" --max-commands "$EVENTS" --settle 0 --label fill --scenario coldstart-fill \
        --save-links "$1.links" --json "$OUT/coldstart-fill.json" >/dev/null
    local id
    id=$(sed -E 's/.*"meeting":"([a-z0-9]+)".*/\1/' "$1.links")
    curl -s "http://127.0.0.1:$PORT/api/meetings/$id" | LC_ALL=C sed -nE 's/^\{"id":"[a-z0-9]+","seq":([0-9]+).*/\1/p' >"$1.head"
    kill "$pid"; wait "$pid" || true
}

# serve_time <dir>: ms from launch until (a) the moderator's tablet, reconnecting
# with resume from the head, is welcomed back (the meeting is served), and (b) the whole
# state has been fetched over HTTP (what a fresh projector downloads).
serve_time() {
    local t0 t1 t2 code head
    t0=$(date +%s%N)
    "$BIN" serve --addr 127.0.0.1:$PORT --data "$1" >"$OUT/coldstart-server.log" 2>&1 &
    local pid=$!
    "$ROOT/target/release/loadgen" --url "http://127.0.0.1:$PORT" --probe "$1.links" \
        --probe-since "$(cat "$1.head")" >/dev/null
    t1=$(date +%s%N)
    local id
    id=$(sed -E 's/.*"meeting":"([a-z0-9]+)".*/\1/' "$1.links")
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/meetings/$id")
    t2=$(date +%s%N)
    head=$(curl -s "http://127.0.0.1:$PORT/api/meetings/$id" | LC_ALL=C sed -nE 's/^\{"id":"[a-z0-9]+","seq":([0-9]+).*/\1/p')
    kill "$pid"; wait "$pid" || true
    echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t0) / 1000000 )) $code $head"
}

for mode in checkpoints none; do
    dir=$(mktemp -d /tmp/babahui-cold.XXXXXX)
    if [[ $mode == checkpoints ]]; then every=10000; else every=1000000000000; fi
    fill "$dir" "$every"
    size=$(du -sm "$dir" | cut -f1)
    for run in 1 2 3; do
        read -r ms full code head < <(serve_time "$dir")
        echo "coldstart mode=$mode run=$run events=$head data=${size}MB served_after_ms=$ms state_fetched_after_ms=$full status=$code"
        echo "{\"mode\":\"$mode\",\"run\":$run,\"events\":$head,\"data_mb\":$size,\"served_after_ms\":$ms,\"state_fetched_after_ms\":$full,\"status\":$code}" \
            >>"$OUT/coldstart.jsonl"
    done
    grep "meeting loaded" "$OUT/coldstart-server.log" | tail -1 || true
    rm -rf "$dir" "$dir.links" "$dir.head"
done
