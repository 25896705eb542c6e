#!/usr/bin/env bash
# Core start-up bench. Installs its peer (pytest-postgresql) into bench/.peers/core and
# runs start.py, which prints JSON results. PostgreSQL refuses to run as root: seamline
# runs it as `postgres` by itself; for the peer, start.py wraps pg_ctl in setpriv.
set -euo pipefail
cd "$(dirname "$0")/../.."
PEERS=bench/.peers/core
if [ ! -x "$PEERS/bin/python" ]; then
    python3 -m venv "$PEERS"
    "$PEERS/bin/pip" install -q -e . pytest-postgresql==10.0.0
fi
exec "$PEERS/bin/python" bench/core/start.py
