#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 20), one after another, on the
# committed seeds plus a working corpus kept under fuzz/corpus/. Prints one
# line per target (executions, corpus size, crashes) and exits non-zero if
# any target found a crash; the crashing input is left under
# fuzz/artifacts/TARGET/ for a regression test.
#
#   fuzz/run.sh                 # every target, 20 s each (what CI runs)
#   fuzz/run.sh 600 archive     # one target for ten minutes
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-20}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build -O || exit 2
failed=0
mkdir -p logs
# Known false leak reports at exit (see the file); everything else counts.
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t"
  log="logs/$t.log"
  # -rss_limit_mb: a hostile input must not need more than 2 GiB;
  # -timeout: nor more than 10 s. Both count as crashes.
  # The targets that scan (archive, resume_files) run the scanner's worker
  # threads, and nsrl its watchdog thread; libFuzzer's per-input leak check
  # races their teardown (the thread handle and glibc's thread-local
  # destructor list are freed as each thread exits, just after the join)
  # and reports false leaks. For those, leaks are checked once, at exit,
  # when every thread is gone.
  extra=()
  case "$t" in archive | resume_files | nsrl) extra=(-detect_leaks=0) ;; esac
  # Seed directories beyond the committed seeds: the chat import's test
  # corpus (every export form Vigil reads) seeds chat_export.
  more=()
  case "$t" in chat_export) more=(../crates/vigil-chat/tests/corpus) ;; esac
  cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" "${more[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  corpus=$(ls "corpus/$t" | wc -l)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "$t: FAILED (exit $rc) after ${execs:-?} executions; see fuzz/$log and fuzz/artifacts/$t/"
    grep -m5 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /'
  else
    echo "$t: ${execs:-?} executions in ${secs}s, corpus $corpus, no crash"
  fi
done
exit $failed
