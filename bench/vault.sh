#!/usr/bin/env bash
# Vault benchmark (not a test): `vigil exhibit add` and `exhibit get` of the
# same file on a folder vault (local disk) and on a bucket vault (a Garage
# node on loopback from scripts/garage.sh, same disk, same cores), MB/s and
# the ratio, with `cp` of the file and curl's plain PUT and GET of it to
# Garage (SigV4, one request) as the floors each backend sits on (no
# hashing, no sealing).
# Knobs: SIZE_MIB (default 1024), BENCH_DIR, GARAGE_PORT (default 39500).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${SIZE_MIB:-1024}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-vault-bench.XXXXXX)}"
mkdir -p "$WORK"
cargo build --release -q -p vigil --bin vigil
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="$(pwd)/$TARGET/release/vigil"

out="$(GARAGE_PORT="${GARAGE_PORT:-39500}" bash scripts/garage.sh "$WORK/garage")"
VAULT="$(printf '%s\n' "$out" | sed -n 's/^VAULT=//p')"
GPID="$(printf '%s\n' "$out" | sed -n 's/^PID=//p')"
trap 'kill "$GPID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
head -c "$((SIZE_MIB << 20))" /dev/urandom > "$WORK/exhibit.bin"
echo "   exhibit.bin: $SIZE_MIB MiB of random bytes"

secs() { python3 -c "import time,subprocess,sys; t=time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(f'{time.perf_counter()-t:.2f}')" "$@"; }
mbs() { python3 -c "print(f'{$SIZE_MIB*1.048576/max($1,0.001):,.0f}')"; }
ratio() { python3 -c "print(f'{$1/max($2,0.001):.2f}')"; }

"$VIGIL" --data "$WORK/folder" init > /dev/null
"$VIGIL" --data "$WORK/bucket" init --vault "$VAULT" > /dev/null

sync
t_cp=$(secs cp "$WORK/exhibit.bin" "$WORK/copy.bin"); rm -f "$WORK/copy.bin"
t_add_f=$(secs "$VIGIL" --data "$WORK/folder" exhibit add "$WORK/exhibit.bin" --case BENCH-1 --by BN)
t_add_b=$(secs "$VIGIL" --data "$WORK/bucket" exhibit add "$WORK/exhibit.bin" --case BENCH-1 --by BN)
ref_f=$("$VIGIL" --data "$WORK/folder" --json exhibit list | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['reference'])")
ref_b=$("$VIGIL" --data "$WORK/bucket" --json exhibit list | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['reference'])")
t_get_f=$(secs "$VIGIL" --data "$WORK/folder" exhibit get "$ref_f" --out "$WORK/f.out" --reason bench --by BN)
t_get_b=$(secs "$VIGIL" --data "$WORK/bucket" exhibit get "$ref_b" --out "$WORK/b.out" --reason bench --by BN)
cmp "$WORK/exhibit.bin" "$WORK/f.out" && cmp "$WORK/exhibit.bin" "$WORK/b.out"
rm -f "$WORK/f.out" "$WORK/b.out"

# Garage's own floor: the same file PUT and GET by curl with SigV4, no
# hashing, no sealing, one request.
KEY_ID=$(sed -n 's/^aws_access_key_id = //p' "$WORK/garage/credentials")
SECRET=$(sed -n 's/^aws_secret_access_key = //p' "$WORK/garage/credentials")
ENDPOINT=$(printf '%s\n' "$VAULT" | sed -n 's/.*endpoint=\([^&]*\).*/\1/p')
t_put=$(secs curl -sf --aws-sigv4 "aws:amz:garage:s3" --user "$KEY_ID:$SECRET" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$WORK/exhibit.bin" "$ENDPOINT/vigil/bench/raw.bin")
t_getraw=$(secs curl -sf --aws-sigv4 "aws:amz:garage:s3" --user "$KEY_ID:$SECRET" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -o "$WORK/raw.out" "$ENDPOINT/vigil/bench/raw.bin")
cmp "$WORK/exhibit.bin" "$WORK/raw.out"
rm -f "$WORK/raw.out"

echo
echo "| $SIZE_MIB MiB | folder vault (local disk) | bucket vault (Garage, loopback) | bucket / folder |"
echo "|---|---|---|---|"
echo "| exhibit add (4 digests + seal + store) | $t_add_f s, $(mbs "$t_add_f") MB/s | $t_add_b s, $(mbs "$t_add_b") MB/s | $(ratio "$t_add_b" "$t_add_f") |"
echo "| exhibit get (decrypt + SHA-256 check) | $t_get_f s, $(mbs "$t_get_f") MB/s | $t_get_b s, $(mbs "$t_get_b") MB/s | $(ratio "$t_get_b" "$t_get_f") |"
echo "| floor: cp of the file; curl PUT to Garage | $t_cp s, $(mbs "$t_cp") MB/s | $t_put s, $(mbs "$t_put") MB/s | |"
echo "| floor: curl GET from Garage | | $t_getraw s, $(mbs "$t_getraw") MB/s | |"
echo
echo "Garage runs on the same 2 cores as vigil here: an upload's sealing and Garage's own hashing and"
echo "compression compete for them, which a separate storage cluster would not."
