#!/usr/bin/env bash
# Stub engine bench: seamline mock vs WireMock (npm `wiremock`, run with java -jar)
# vs pytest-httpserver, on loopback with wrk. Installs the peers into bench/.peers/
# (gitignored), then runs bench/mock/bench.py, which writes bench/RESULTS.md.
#   usage: bench/mock/run.sh [--seconds 10]
#          bench/mock/run.sh --journal [--requests 1000000 --max-seconds 40]
#            (long load with the default journal, beside WireMock default and tuned)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PEERS="$ROOT/bench/.peers"
WIREMOCK_VERSION="3.13.2"
mkdir -p "$PEERS"

if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk
fi
if ! command -v java >/dev/null; then
    echo "java (17+) is needed to run WireMock; apt-get install -y openjdk-17-jre-headless" >&2
    exit 1
fi
JAR="$PEERS/node_modules/wiremock/build/wiremock-standalone-$WIREMOCK_VERSION.jar"
if [ ! -f "$JAR" ]; then
    npm install --no-audit --no-fund --prefix "$PEERS" "wiremock@$WIREMOCK_VERSION" >/dev/null
fi
if [ ! -x "$PEERS/venv-httpserver/bin/python" ]; then
    python3 -m venv "$PEERS/venv-httpserver"
    "$PEERS/venv-httpserver/bin/pip" install -q pytest-httpserver
fi
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
if [ "${1:-}" = "--journal" ]; then
    shift
    exec "$PYTHON" "$ROOT/bench/mock/journal_bench.py" --jar "$JAR" "$@"
fi
exec "$PYTHON" "$ROOT/bench/mock/bench.py" --jar "$JAR" \
    --httpserver-python "$PEERS/venv-httpserver/bin/python" "$@"
