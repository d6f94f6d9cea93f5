#!/usr/bin/env bash
# Public intake on SQLite against PostgreSQL, one node each (not a test):
# issue 28's "PostgreSQL takes public reports at SQLite's rate", asked in a
# way this VM's drift from minute to minute cannot answer by itself. For
# ROUNDS rounds, at each rate, one SQLite node and one PostgreSQL node, each
# on a new store, are driven in turn (which goes first alternates by round)
# by the same generator (submit_load: a form fetched and a report posted
# per request) for SECS seconds. Prints every run's p50 / p99, then for
# each rate how many rounds each held p99 under 50 ms and each one's median
# p99, and the highest rate each held in most rounds, with the ratio
# PostgreSQL / SQLite of those rates.
#
# Knobs: RATES, ROUNDS, SECS, PG (the server's URL up to the database
# name), VIGIL_BIN and LOAD_BIN (that server and generator instead of this
# tree's).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES="${RATES:-1000 1200 1400 1600}"
ROUNDS="${ROUNDS:-3}"
SECS="${SECS:-8}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
[ -n "${VIGIL_BIN:-}" ] || cargo build --release -q -p vigil --bin vigil
[ -n "${LOAD_BIN:-}" ] || cargo build --release -q -p vigil-web --example submit_load
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="${VIGIL_BIN:-$TARGET/release/vigil}"
LOAD="${LOAD_BIN:-$TARGET/release/examples/submit_load}"
WORK="$(mktemp -d /var/tmp/vigil-parity.XXXXXX)"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

run() { # sqlite|postgres RATE -> "p50 p99" of one run on a new store
  local d="$WORK/d$RANDOM"
  if [ "$1" = postgres ]; then
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS vigil_parity" -c "CREATE DATABASE vigil_parity" 2> /dev/null
    "$VIGIL" --data "$d" init --store "$PG/vigil_parity" > /dev/null
  else
    "$VIGIL" --data "$d" init > /dev/null
  fi
  "$VIGIL" --data "$d" serve --listen 127.0.0.1:18195 --reports-per-window 100000000 > "$d.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18195/healthz > /dev/null && break; sleep 0.1; done
  "$LOAD" 127.0.0.1:18195 "$2" "$SECS" > "$d.out" || true
  kill "$SERVER"; wait "$SERVER" 2> /dev/null || true; SERVER=""
  rm -rf "$d"
  head -1 "$d.out" | sed -E 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \2/'
}

echo "== machine: $(nproc) cores; PostgreSQL, the server and the generator on it; $ROUNDS rounds of $SECS s a run"
echo
echo "| round | requests/s | SQLite p50 / p99 ms | PostgreSQL p50 / p99 ms |"
echo "|---|---|---|---|"
: > "$WORK/runs"
for k in $(seq 1 "$ROUNDS"); do
  for R in $RATES; do
    if [ $((k % 2)) -eq 1 ]; then
      s=$(run sqlite "$R"); p=$(run postgres "$R")
    else
      p=$(run postgres "$R"); s=$(run sqlite "$R")
    fi
    echo "$R $s $p" >> "$WORK/runs"
    read -r s50 s99 <<< "$s"; read -r p50 p99 <<< "$p"
    echo "| $k | $R | $s50 / $s99 | $p50 / $p99 |"
  done
done
echo
python3 - "$WORK/runs" "$ROUNDS" <<'EOF'
import statistics, sys
runs, rounds = {}, int(sys.argv[2])
for line in open(sys.argv[1]):
    r, s50, s99, p50, p99 = line.split()
    runs.setdefault(int(r), []).append((float(s99), float(p99)))
print("| requests/s | rounds SQLite held p99 < 50 ms | rounds PostgreSQL held | median p99 SQLite / PostgreSQL ms |")
print("|---|---|---|---|")
held = {"sqlite": 0, "postgres": 0}
for r in sorted(runs):
    s = [a for a, _ in runs[r]]
    p = [b for _, b in runs[r]]
    hs, hp = sum(x < 50 for x in s), sum(x < 50 for x in p)
    print(f"| {r} | {hs} of {len(s)} | {hp} of {len(p)} | {statistics.median(s):.1f} / {statistics.median(p):.1f} |")
    if hs * 2 > len(s):
        held["sqlite"] = max(held["sqlite"], r)
    if hp * 2 > len(p):
        held["postgres"] = max(held["postgres"], r)
print()
s, p = held["sqlite"], held["postgres"]
ratio = f"{p / s:.2f}" if s else "no rate held by SQLite"
print(f"highest rate held in most rounds: SQLite {s}/s, PostgreSQL {p}/s; PostgreSQL / SQLite = {ratio}")
EOF
