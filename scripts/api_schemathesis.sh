#!/usr/bin/env bash
# Runs PyPI schemathesis against the partner API's own OpenAPI document
# (/api/v1/openapi.json) on a fresh data directory: no 5xx, and every
# response must match the documented status codes, content types and schemas.
# usage: api_schemathesis.sh VIGIL_BINARY   (VENV overrides the venv folder)
set -euo pipefail
VIGIL="$1"
VENV="${VENV:-/var/tmp/vigil-st-venv}"
if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis>=4,<5"
fi
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$VIGIL" --data "$work/data" init > /dev/null
key=$("$VIGIL" --data "$work/data" --json admin partner add "Schemathesis (synthetic)" --by CI | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
port=$((20000 + RANDOM % 20000))
"$VIGIL" --data "$work/data" serve --listen "127.0.0.1:$port" --partner-requests-per-window 1000000 > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz')" 2>/dev/null && break
  sleep 0.2
done
"$VENV/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  -H "Authorization: Bearer $key" \
  --max-examples "${MAX_EXAMPLES:-60}" --seed 1 --generation-database none --no-color
