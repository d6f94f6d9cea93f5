#!/usr/bin/env bash
# Issue 24, finding 2, as CI checks it (bounded, loopback): a seeded demo
# served while 200 partner uploads trickle a byte every two seconds (over 25
# partners), 50 connections send headers that never end, and the public
# sends PDFs that unpack to a stream of BI tokens; an officer's /queue and
# /healthz must keep p99 under 200 ms with no failures, and every half-open
# connection must be closed by the server. Usage: slow_clients.sh VIGIL_BIN [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL="$1"
SECS="${2:-20}"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build -q -p vigil-web --example slow_clients
WORK="$(mktemp -d /var/tmp/vigil-slow.XXXXXX)"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
"$VIGIL" --data "$WORK/d" demo --seed-only > "$WORK/seed.txt"
SUP=$(sed -nE 's/^\s+demo\.supervisor\s+\S+\s+TOTP secret (\w+).*/\1/p' "$WORK/seed.txt")
PASSWORD=$(sed -nE 's/.*password:? "?([a-z-]+-not-for-real-use)"?.*/\1/p' "$WORK/seed.txt" | head -1)
KEYS=""
for i in $(seq 1 25); do
  KEYS="$KEYS $("$VIGIL" --data "$WORK/d" --json admin partner add "Synthetic partner $i" --by ci | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$VIGIL" --data "$WORK/d" serve --listen "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.1; done
"$TARGET/debug/examples/slow_clients" "127.0.0.1:$PORT" demo.supervisor "$PASSWORD" "$SUP" "$SECS" $KEYS
kill -INT $SERVER
wait $SERVER 2>/dev/null || true
SERVER=""
