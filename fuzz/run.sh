#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time: fuzz/run.sh BUILD_DIR SECONDS TARGET...
# The committed corpus (fuzz/corpus/<target>) seeds each run and is never written to; new
# inputs go to BUILD_DIR/corpus/<target>, a crashing input to BUILD_DIR/artifacts/<target>/.
# Exits non-zero at the first target that finds a crash, leak, sanitizer report or timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 seconds=$2
shift 2
for target in "$@"; do
  found="$build/corpus/$target" artifacts="$build/artifacts/$target"
  mkdir -p "$found" "$artifacts"
  dict=()
  [ -f "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
  echo "== $target: $seconds s" >&2
  # -timeout: one input that runs 10 s is a hang; -rss_limit_mb: 2 GB is a memory blow-up.
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    "$found" "fuzz/corpus/$target" 2>"$build/$target.log" || {
      tail -n 60 "$build/$target.log" >&2
      echo "$target: failed; the input is in $artifacts/ (log: $build/$target.log)" >&2
      exit 1
    }
  grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' \
    "$build/$target.log" >&2 || true
done
