#!/usr/bin/env bash
# Runs scripts/pdq_conformance.py in a virtualenv with PyPI pdqhash 0.2.8.
# usage: pdq_conformance.sh VIGIL_BINARY   (VENV overrides the venv folder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
VENV="${VENV:-/var/tmp/vigil-pdq-venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pdqhash, numpy, PIL" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pdqhash==0.2.8 numpy pillow
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$VENV/bin/python" "$here/pdq_conformance.py" "$1" "$work"
