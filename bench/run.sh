#!/usr/bin/env bash
# Runs the benchmark scenarios of BENCHMARKS.md: for each one, a fresh Babahui
# (release build, sled in a fresh folder, durability on) and then a fresh
# Node.js `ws` peer, driven by the same load generator in the same run.
#
#   bench/run.sh                 # every scenario
#   bench/run.sh lively storm    # some of them
#
# Scenarios: lively, scale-1k, scale-5k, scale-10k, busy-500, district,
# throughput, storm, coldstart, followers (2,000 from home beside 200 attendees)
# and followers-base (the 200 alone), and Babahui alone on sled then on PostgreSQL:
# throughput-sled, district-sled, lively-sled, throughput-pg, district-pg (two
# nodes), lively-pg and relay-pg (every socket through the node not serving its
# meeting); busy-500-ram and throughput-ram run Babahui
# alone with its data folder in RAM (/dev/shm), to show what the disk costs. Results: bench/results/<scenario>-<server>.json
# and a summary on stdout. Needs ~15 GB free memory for scale-10k and 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/results
mkdir -p "$OUT"
BPORT=7100
NPORT=7200

command -v node >/dev/null || { echo "bench needs Node.js (apt-get install nodejs npm)"; exit 1; }
(cd bench/peer && npm ci --no-audit --no-fund --silent)
./x build >/dev/null
cargo build --release -q -p tests --bin loadgen
LOADGEN=$ROOT/target/release/loadgen

SERVER_PID=
stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

wait_port() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "server on port $1 did not start"; exit 1
}

# start_babahui [server args…]; DATA_BASE=/dev/shm puts sled in RAM, where an
# fsync costs nothing: the comparison "durability off" without a switch in the
# product (acknowledged always means flushed there).
start_babahui() {
    local data
    data=$(mktemp -d "${DATA_BASE:-/tmp}/babahui-bench.XXXXXX")
    "$ROOT/target/release/babahui" serve --addr 127.0.0.1:$BPORT --data "$data" \
        --max-connections-per-address 0 --messages-per-sec 0 --opinions-per-minute 0 "$@" >"$OUT/babahui-server.log" 2>&1 &
    SERVER_PID=$!
    wait_port $BPORT
    # The server keeps an organiser key in its folder (secure by default): the
    # load generator needs it to create its meeting.
    BKEY=$(cat "$data/organiser.key")
}

start_node() {
    node "$ROOT/bench/peer/server.js" --port $NPORT >"$OUT/node-server.log" 2>&1 &
    SERVER_PID=$!
    wait_port $NPORT
}

# After a run with thousands of clients the load generator frees ~1 MB per
# client (each one's buffer grew to the first snapshot's size), and this VM
# reports freed memory to its host every 2 s (virtio-balloon free page
# reporting): for ~15 s after a 10 GB free, one disk flush in two took 40-165 ms
# here, which a durable server's acks wait for. SETTLE seconds let that pass
# before the next server starts (30 after the 5,000 and 10,000 runs).
settle() {
    sleep "${SETTLE:-2}"
}

# both <scenario> <loadgen args…>: the scenario against Babahui, then the peer.
both() {
    local name=$1
    shift
    echo "### $name"
    start_babahui
    "$LOADGEN" --url http://127.0.0.1:$BPORT --server-pid "$SERVER_PID" --label babahui --organiser-key="$BKEY" \
        --scenario "$name" --json "$OUT/$name-babahui.json" "$@" || echo "(babahui run failed)"
    stop_server
    settle
    start_node
    "$LOADGEN" --url http://127.0.0.1:$NPORT --server-pid "$SERVER_PID" --label node-ws \
        --scenario "$name" --json "$OUT/$name-node-ws.json" "$@" || echo "(node run failed)"
    stop_server
    settle
}

# alone <scenario> <loadgen args…>: Babahui only, on sled (beside the PostgreSQL runs).
alone() {
    local name=$1
    shift
    echo "### $name (Babahui on sled)"
    start_babahui
    "$LOADGEN" --url http://127.0.0.1:$BPORT --server-pid "$SERVER_PID" --label babahui --organiser-key="$BKEY" \
        --scenario "$name" --json "$OUT/$name-babahui.json" "$@" || echo "(babahui run failed)"
    stop_server
    settle
}

# in_ram <scenario> <loadgen args…>: Babahui only, its data folder in RAM.
in_ram() {
    local name=$1
    shift
    echo "### $name (Babahui, data in RAM)"
    DATA_BASE=/dev/shm start_babahui
    "$LOADGEN" --url http://127.0.0.1:$BPORT --server-pid "$SERVER_PID" --label babahui-ram --organiser-key="$BKEY" \
        --scenario "$name" --json "$OUT/$name-babahui-ram.json" "$@" || echo "(babahui run failed)"
    stop_server
    settle
}

# The district backend: a throwaway PostgreSQL cluster (initdb + pg_ctl in a
# temporary folder, as the postgres user when run as root), and Babahui nodes on it.
PGPORT=7300
PG_DIR=
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_postgres() { if [[ $(id -u) = 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_pg() {
    [[ -n $PG_BIN ]] || { echo "the PostgreSQL scenarios need postgresql (apt-get install postgresql)"; exit 1; }
    PG_DIR=$(mktemp -d /tmp/babahui-bench-pg.XXXXXX)
    chmod 777 "$PG_DIR"
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
        -o "-p $PGPORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_OPTS:-}" start >/dev/null
    "$PG_BIN/createdb" -h 127.0.0.1 -p $PGPORT -U postgres "bench$1"
    PG_URL="postgres://postgres@127.0.0.1:$PGPORT/bench$1"
}
stop_pg() {
    if [[ -n $PG_DIR ]]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
        PG_DIR=
    fi
}
NODE_PIDS=()
stop_nodes() {
    for pid in "${NODE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    NODE_PIDS=()
}
trap 'stop_server; stop_nodes; stop_pg' EXIT
BKEY_PG=bench-organiser-key-0123456789
# start_nodes N: N Babahui nodes on $PG_URL, on ports BPORT, BPORT+1, …; sets NODES (comma list).
start_nodes() {
    NODES=
    for i in $(seq 0 $(($1 - 1))); do
        local port=$((BPORT + i)) data
        data=$(mktemp -d /tmp/babahui-bench.XXXXXX)
        "$ROOT/target/release/babahui" serve --addr 127.0.0.1:$port --data "$data" --database-url "$PG_URL" \
            --organiser-key "$BKEY_PG" --max-connections-per-address 0 --messages-per-sec 0 --opinions-per-minute 0 \
            >"$OUT/babahui-node$i.log" 2>&1 &
        NODE_PIDS+=($!)
        wait_port $port
        NODES=${NODES:+$NODES,}http://127.0.0.1:$port
    done
}

# on_pg <scenario> <nodes> <loadgen args…>: Babahui on PostgreSQL (a fresh database).
on_pg() {
    local name=$1 n=$2
    shift 2
    echo "### $name (Babahui on PostgreSQL, $n node(s))"
    start_pg "$RANDOM"
    start_nodes "$n"
    "$LOADGEN" --url "$NODES" --server-pid "${NODE_PIDS[0]}" --label "babahui-pg-$n" --organiser-key="$BKEY_PG" \
        --scenario "$name" --json "$OUT/$name-babahui-pg.json" "$@" || echo "(run failed)"
    stop_nodes
    stop_pg
    settle
}

run_scenario() {
    case $1 in
        lively) both lively --attendees 500 --rate 20 --warmup 5 --duration 60 ;;
        scale-1k) both scale-1k --attendees 1000 --rate 10 --warmup 5 --duration 30 ;;
        scale-5k) SETTLE=30 both scale-5k --attendees 5000 --rate 10 --warmup 5 --duration 30 ;;
        scale-10k) SETTLE=30 both scale-10k --attendees 10000 --rate 10 --warmup 5 --duration 30 ;;
        busy-500) both busy-500 --attendees 500 --rate 100 --warmup 5 --duration 30 ;;
        busy-500-ram) in_ram busy-500 --attendees 500 --rate 100 --warmup 5 --duration 30 ;;
        district) both district --meetings 500 --attendees 30 --rate 1 --warmup 5 --duration 60 ;;
        throughput) both throughput --attendees 100 --writers 100 --window 16 --warmup 3 --duration 20 --read-buffer 65536 ;;
        throughput-ram) in_ram throughput --attendees 100 --writers 100 --window 16 --warmup 3 --duration 20 --read-buffer 65536 ;;
        storm) SETTLE=30 both storm --attendees 5000 --rate 10 --warmup 3 --duration 10 --storm --storm-missed 200 ;;
        coldstart) "$ROOT/bench/coldstart.sh" ;;
        # 线上旁听: 2,000 followers from home beside 200 attendees, and the same
        # meeting without them (what the followers cost the courtyard).
        followers) alone followers --attendees 200 --followers 2000 --rate 10 --warmup 5 --duration 30 ;;
        followers-base) alone followers-base --attendees 200 --rate 10 --warmup 5 --duration 30 ;;
        # The district backend, beside sled's figures above (same loadgen arguments).
        throughput-sled) alone throughput-sled --attendees 100 --writers 100 --window 16 --warmup 3 --duration 20 --read-buffer 65536 ;;
        district-sled) alone district-sled --meetings 500 --attendees 30 --rate 1 --warmup 5 --duration 60 ;;
        lively-sled) alone lively-sled --attendees 500 --rate 20 --warmup 5 --duration 30 ;;
        throughput-pg) on_pg throughput-pg 1 --attendees 100 --writers 100 --window 16 --warmup 3 --duration 20 --read-buffer 65536 ;;
        district-pg) on_pg district-pg 2 --meetings 500 --attendees 30 --rate 1 --warmup 5 --duration 60 ;;
        lively-pg) on_pg lively-pg 2 --attendees 500 --rate 20 --warmup 5 --duration 30 ;;
        relay-pg) on_pg relay-pg 2 --attendees 500 --rate 20 --warmup 5 --duration 30 --via-other-node ;;
        *) echo "unknown scenario $1"; exit 1 ;;
    esac
}

if [[ $# -eq 0 ]]; then
    set -- lively scale-1k scale-5k scale-10k busy-500 busy-500-ram district throughput throughput-ram storm coldstart \
        followers-base followers \
        throughput-sled district-sled lively-sled throughput-pg district-pg lively-pg relay-pg
fi
for s in "$@"; do
    run_scenario "$s"
done
