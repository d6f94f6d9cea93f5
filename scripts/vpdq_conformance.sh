#!/usr/bin/env bash
# Runs scripts/vpdq_conformance.py in a virtualenv with PyPI vpdq 0.2.5
# (Meta's reference C++, built against Debian's FFmpeg libraries).
# usage: vpdq_conformance.sh VIGIL_BINARY   (VENV overrides the venv folder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
VENV="${VENV:-/var/tmp/vigil-vpdq-venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import vpdq" 2>/dev/null; then
  python3 -m venv "$VENV"
  # vpdq ships as source: it needs cmake, pkg-config and FFmpeg's -dev packages.
  "$VENV/bin/pip" install -q --disable-pip-version-check vpdq==0.2.5
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$VENV/bin/python" "$here/vpdq_conformance.py" "$1" "$work"
