#!/usr/bin/env bash
# Seams bench: one seam hop against calling the provider directly (see bench.py).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk
fi
exec "${PYTHON:-$ROOT/.venv/bin/python}" "$ROOT/bench/seams/bench.py" "$@"
