#!/usr/bin/env bash
# Screen-pop latency benchmark (docs/benchmarks.md, section "Screen-pop"): private PostgreSQL, the host on
# Kestrel, N agents on the hub, headless Debian Chromium. Usage: bench/screen-pop.sh [agents] [hubRounds] [browserRounds]
set -euo pipefail
cd "$(dirname "$0")/.."
pgdir=$(mktemp -d -t callcenter-bench-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
eval "$(scripts/pg-cluster.sh start "$pgdir" --fast)"
export CALLCENTER_TEST_DB="$CALLCENTER_PG;Database=postgres"
dotnet build bench/ScreenPopBench -c Release -nologo -v q
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
timeout 900 dotnet bench/ScreenPopBench/bin/Release/net10.0/CallCenter.ScreenPopBench.dll "$@"
