#!/usr/bin/env bash
# Chat import benchmark (not a test): `vigil chat import` of a synthetic
# 1,000,000-message Telegram JSON and WhatsApp text export, messages per
# second and peak memory, each beside a peer on the same file in the same
# run: Python's json.load over the Telegram file (the whole document in
# memory, no analysis) and a Python regular-expression pass over the
# WhatsApp lines (no analysis, no timeline, no sealing), plus sha256sum of
# each file as the floor any import must pay to read the bytes once, and
# the sealing floor: the same binary's `exhibit add` of the export and of
# the timeline it made (four digests and the cipher over both, which every
# import must pay before any parsing). BASE_VIGIL names an earlier build to
# time on the same files in the same run (the before column).
# Knobs: MESSAGES, BENCH_DIR, BASE_VIGIL.
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES="${MESSAGES:-1000000}"
WORK="${BENCH_DIR:-$(mktemp -d /var/tmp/vigil-chat-bench.XXXXXX)}"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
cargo build --release -q -p vigil --bin vigil
cargo build --release -q -p vigil-chat --example chat_gen
TARGET="${CARGO_TARGET_DIR:-target}"
VIGIL="$(pwd)/$TARGET/release/vigil"
GEN="$(pwd)/$TARGET/release/examples/chat_gen"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$GEN" telegram "$MESSAGES" "$WORK/result.json" > "$WORK/telegram.truth"
"$GEN" whatsapp "$MESSAGES" "$WORK/chat.txt" > "$WORK/whatsapp.truth"
ls -l "$WORK/result.json" "$WORK/chat.txt" | awk '{printf "   %s %.1f MiB\n", $9, $5/1048576}'

# Runs a command under GNU time; prints "SECONDS PEAK_MIB".
measure() {
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err" || { cat "$WORK/err"; exit 1; }
    awk '{printf "%s %.0f", $1, $2/1024}' "$WORK/time"
}
rate() { python3 -c "print(f'{$MESSAGES/max($1,0.001):,.0f}')"; }
ratio() { python3 -c "print(f'{$1/max($2,0.001):.2f}')"; }

"$VIGIL" --data "$WORK/data" init > /dev/null
for fmt in telegram whatsapp; do
    if [ "$fmt" = telegram ]; then file="$WORK/result.json"; else file="$WORK/chat.txt"; fi
    cat "$file" > /dev/null # warm the page cache for every contender alike
    read -r floor _ <<< "$(measure sha256sum "$file")"
    zone=(); [ "$fmt" = whatsapp ] && zone=(--timezone Europe/London)
    read -r secs peak <<< "$(measure "$VIGIL" --data "$WORK/data" --json chat import "$file" --case OP-BENCH-1 --by BN "${zone[@]}")"
    got=$(python3 -c "import json,sys; j=json.load(open('$WORK/out')); print(j['messages'])")
    timeline=$(python3 -c "import json,sys; j=json.load(open('$WORK/out')); print(j['timeline'])")
    rm -f "$WORK/timeline.jsonl"
    "$VIGIL" --data "$WORK/data" exhibit get "$timeline" --out "$WORK/timeline.jsonl" --reason "benchmark: sealing floor" --by BN > /dev/null
    rm -rf "$WORK/floor"; "$VIGIL" --data "$WORK/floor" init > /dev/null
    read -r seal _ <<< "$(measure "$VIGIL" --data "$WORK/floor" exhibit add --case OP-BENCH-1 --by BN "$file" "$WORK/timeline.jsonl")"
    base=""
    if [ -n "${BASE_VIGIL:-}" ]; then
        rm -rf "$WORK/base"; "$BASE_VIGIL" --data "$WORK/base" init > /dev/null
        read -r bsecs bpeak <<< "$(measure "$BASE_VIGIL" --data "$WORK/base" --json chat import "$file" --case OP-BENCH-1 --by BN "${zone[@]}")"
        base="   earlier build ($BASE_VIGIL): ${bsecs} s, peak ${bpeak} MiB; this build is $(ratio "$bsecs" "$secs")x faster"
    fi
    want=$(python3 -c "import json; print(json.load(open('$WORK/$fmt.truth'))['messages'])")
    [ "$got" = "$want" ] || { echo "imported $got messages, the generator wrote $want"; exit 1; }
    if [ "$fmt" = telegram ]; then
        read -r psecs ppeak <<< "$(measure python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for m in d['messages']))" "$file")"
        peer="python3 json.load"
    else
        read -r psecs ppeak <<< "$(measure python3 -c "
import re,sys
head=re.compile(r'^(\d{1,2})/(\d{1,2})/(\d{2,4}), (\d{1,2}):(\d{2}) - ([^:]+): ')
n=0
for line in open(sys.argv[1], encoding='utf-8'):
    if head.match(line): n+=1
print(n)" "$file")"
        peer="python3 regex over lines"
    fi
    echo "== $fmt, $MESSAGES messages"
    echo "   vigil chat import: ${secs} s, $(rate "$secs") messages/s, peak ${peak} MiB (one read: seal and parse, analyse, timeline sealed, commit)"
    echo "   $peer: ${psecs} s, $(rate "$psecs") messages/s, peak ${ppeak} MiB (reading only)"
    [ -n "$base" ] && echo "$base"
    echo "   sha256sum: ${floor} s; sealing floor (exhibit add of the export and its $(du -m "$WORK/timeline.jsonl" | cut -f1) MiB timeline): ${seal} s"
    echo "   ratio vigil/peer time $(ratio "$secs" "$psecs"), vigil/peer memory $(ratio "$peak" "$ppeak"), vigil/sha256sum $(ratio "$secs" "$floor"), vigil/sealing floor $(ratio "$secs" "$seal")"
done
"$VIGIL" --data "$WORK/data" verify > /dev/null && echo "== vigil verify: OK"
