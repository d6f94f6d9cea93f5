#!/usr/bin/env bash
# The README's demo flow, then PyPI case-utils' case_validate on the bundle's
# CASE/UCO provenance graph: it must report "Conforms: True".
# usage: case_validate.sh VIGIL_BINARY   (VENV overrides the venv folder)
set -euo pipefail
VIGIL="$1"
VENV="${VENV:-/var/tmp/vigil-case-venv}"
if [ ! -x "$VENV/bin/case_validate" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "case-utils>=0.17"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$VIGIL" --data "$work/d" demo --seed-only > /dev/null
# Both audiences: the prosecutor's copy and the copy for service on the defence.
for audience in prosecutor defence; do
  "$VIGIL" --data "$work/d" export bundle DEMO-1 "$work/$audience" --for "$audience" --by DO
  "$VIGIL" verify "$work/$audience" --public-key "$work/d/keys/signing.pub"
  echo "$audience bundle:"
  "$VENV/bin/case_validate" "$work/$audience/provenance.jsonld" | tee "$work/report.txt" | head -3
  grep -q "^Conforms: True" "$work/report.txt"
done
