#!/usr/bin/env bash
# Callback scheduler benchmark (docs/benchmarks.md "Callbacks"): a throw-away PostgreSQL cluster, then
# bench/Callbacks.Bench with RUNS runs of a BURST of attempts due at once and STEADY attempts spread over SECONDS.
# The dialer is a FAKE that answers at once: the figures measure Quartz wake-up, claims and database work.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3} BURST=${2:-10000} STEADY=${3:-1000} SECONDS_SPREAD=${4:-20}
pgdir=$(mktemp -d -t callcenter-bench-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
eval "$(scripts/pg-cluster.sh start "$pgdir" --fast)"
export CALLCENTER_TEST_DB="$CALLCENTER_PG;Database=postgres"
dotnet build bench/Callbacks.Bench -c Release -nologo -v q
timeout 1800 dotnet bench/Callbacks.Bench/bin/Release/net10.0/CallCenter.Callbacks.Bench.dll "$RUNS" "$BURST" "$STEADY" "$SECONDS_SPREAD"
