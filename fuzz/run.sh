#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with nightly Rust and
# cargo-fuzz (installed if missing). Seeds are in fuzz/seeds/<target>; what the
# fuzzer learns goes to fuzz/corpus/<target> (not committed); a crash is saved
# in fuzz/artifacts/<target>/ — turn it into a regression test in
# shared/tests/ before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in client_message command_sequence photo; do
  mkdir -p "corpus/$target"
  echo "== fuzzing $target for ${secs}s"
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$secs" -max_len=16384 -timeout=10
done
