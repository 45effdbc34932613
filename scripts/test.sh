#!/usr/bin/env bash
# Runs the whole CallCenter test suite on this machine: installs missing Debian packages, starts a
# throw-away PostgreSQL cluster, runs every test project and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
require_dotnet
ensure_packages

results=$(pwd)/TestResults
rm -rf "$results"; mkdir -p "$results"
pgdir=$(mktemp -d -t callcenter-pg.XXXXXX)
cleanup() { scripts/pg-cluster.sh stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
eval "$(scripts/pg-cluster.sh start "$pgdir" --fast)"
export CALLCENTER_TEST_DB="$CALLCENTER_PG;Database=postgres"
export CALLCENTER_SHARED=${CALLCENTER_SHARED:-$(cd .. && pwd)/shared}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

status=0
dotnet build CallCenter.sln -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
# One project at a time with its own results file: 2-core machines, and no trx name clashes.
for proj in tests/*/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    || status=$?
done

passed=0; failed=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f2=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f2:-0}))
done
[ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && { echo "no test ran" >&2; status=1; }
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit "$status"
