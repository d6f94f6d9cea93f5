#!/usr/bin/env bash
# Starts a single-node Garage (S3-compatible object store) on loopback with
# its state under DIR, for `vigil init --vault`, the tests and CI.
#
#   scripts/garage.sh DIR
#
# Installs Garage first if it is missing (`cargo install garage --locked`
# into $GARAGE_ROOT, /var/tmp/vigil-garage by default, outside any clone:
# it takes several minutes the first time). Prints two lines on stdout:
#   VAULT=s3://vigil?endpoint=http://127.0.0.1:PORT&region=garage&credentials=DIR/credentials
#   PID=<the server's process id>
# The access key goes to DIR/credentials (mode 0600), never to stdout.
# Ports: $GARAGE_PORT (S3 API, default 3900), the next one for RPC and the
# one after for the admin API. Run it again on the same DIR to restart the
# same node with its bucket and key.
set -euo pipefail

DIR="${1:?usage: scripts/garage.sh DIR}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
ROOT="${GARAGE_ROOT:-/var/tmp/vigil-garage}"
S3_PORT="${GARAGE_PORT:-3900}"
RPC_PORT=$((S3_PORT + 1))
ADMIN_PORT=$((S3_PORT + 2))
BUCKET=vigil

GARAGE="$(command -v garage || true)"
if [ -z "$GARAGE" ]; then
  GARAGE="$ROOT/bin/garage"
  if [ ! -x "$GARAGE" ]; then
    echo "garage.sh: installing Garage into $ROOT (cargo install garage --locked; several minutes)" >&2
    # Only the SQLite metadata engine: LMDB, metrics and K2V are not used
    # here and add much to the build.
    cargo install -q --locked --root "$ROOT" --no-default-features --features bundled-libs,sqlite garage >&2
  fi
fi

CONF="$DIR/garage.toml"
if [ ! -f "$CONF" ]; then
  umask 077
  cat > "$CONF" <<EOF
metadata_dir = "$DIR/meta"
data_dir = "$DIR/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$RPC_PORT"
rpc_public_addr = "127.0.0.1:$RPC_PORT"
rpc_secret = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$S3_PORT"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$ADMIN_PORT"
EOF
fi
S3_PORT="$(sed -n 's/^api_bind_addr = "127.0.0.1:\([0-9]*\)"/\1/p' "$CONF" | head -1)"

g() { "$GARAGE" -c "$CONF" "$@"; }

nohup "$GARAGE" -c "$CONF" server >"$DIR/garage.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  g status >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "garage.sh: the server stopped; see $DIR/garage.log" >&2; tail -5 "$DIR/garage.log" >&2; exit 1; }
  sleep 0.2
done
g status >/dev/null

CREDS="$DIR/credentials"
if [ ! -f "$CREDS" ]; then
  NODE="$(g node id -q | cut -d@ -f1)"
  g layout assign -z dc1 -c 1G "$NODE" >/dev/null
  g layout apply --version 1 >/dev/null
  for _ in $(seq 1 50); do
    g bucket create "$BUCKET" >/dev/null 2>&1 && break
    sleep 0.2
  done
  g bucket info "$BUCKET" >/dev/null
  KEY_OUT="$(g key create vigil-key)"
  KEY_ID="$(printf '%s\n' "$KEY_OUT" | sed -n 's/^Key ID: *//p' | head -1)"
  SECRET="$(printf '%s\n' "$KEY_OUT" | sed -n 's/^Secret key: *//p' | head -1)"
  if [ -z "$KEY_ID" ] || [ -z "$SECRET" ]; then
    echo "garage.sh: could not read the new key from garage's output" >&2
    exit 1
  fi
  g bucket allow --read --write --owner "$BUCKET" --key "$KEY_ID" >/dev/null
  (umask 077 && printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$KEY_ID" "$SECRET" > "$CREDS.tmp")
  mv "$CREDS.tmp" "$CREDS"
fi

# The S3 API answers once the layout is live; wait for it before handing over.
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break
  sleep 0.2
done

echo "VAULT=s3://$BUCKET?endpoint=http://127.0.0.1:$S3_PORT&region=garage&credentials=$CREDS"
echo "PID=$PID"
