#!/usr/bin/env bash
# Runs CallCenter on this machine: installs missing Debian packages, starts a private PostgreSQL under
# .data/pg unless ConnectionStrings__CallCenter is set, loads the demo data into an empty database,
# and serves SIP (udp 5060) and the web UI (http://127.0.0.1:5000). Ctrl-C stops everything cleanly.
#   scripts/run.sh               run the service
#   scripts/run.sh --demo-call   also place a demo call with sipp once the service is up
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
require_dotnet
ensure_packages

demo_call=0
for a in "$@"; do
  case "$a" in
    --demo-call) demo_call=1 ;;
    *) log "unknown option $a (use --demo-call)"; exit 2 ;;
  esac
done

pgdir=""
if [ -z "${ConnectionStrings__CallCenter:-}" ]; then
  pgdir=$(pwd)/.data/pg
  eval "$(scripts/pg-cluster.sh start "$pgdir")"
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='callcenter'" | grep -q 1 \
    || psql -h "$PGHOST" -p "$PGPORT" -U postgres -qc "CREATE DATABASE callcenter" >/dev/null
  export ConnectionStrings__CallCenter="$CALLCENTER_PG;Database=callcenter"
  log "private PostgreSQL on 127.0.0.1:$PGPORT (data in .data/pg)"
fi
export Database__SeedDemoData=${Database__SeedDemoData:-true}
export Logs__Directory=${Logs__Directory:-$(pwd)/.data/logs}
export Telephony__RecordingsPath=${Telephony__RecordingsPath:-$(pwd)/.data/recordings}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Socket completions inline on the epoll thread halve CPU per call (stack.md §9).
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}

log "building"
dotnet build src/Agent.Web/Agent.Web.csproj -c Release -o .data/app -v q -nologo >&2

app_pid=""
stop() {
  trap - INT TERM EXIT
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  [ -n "$pgdir" ] && scripts/pg-cluster.sh stop "$pgdir"
}
trap stop INT TERM EXIT

(cd .data/app && exec dotnet CallCenter.Agent.Web.dll) &
app_pid=$!

url=${Urls:-http://127.0.0.1:5000}
for _ in $(seq 1 120); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$app_pid" 2>/dev/null || { wait "$app_pid"; exit $?; }
  sleep 0.5
done
log "CallCenter is up: web $url  health $url/healthz  SIP udp/${Telephony__Sip__Port:-5060}"
log "demo logins: agent1 / supervisor / qa1 / admin, password ${Database__DemoPassword:-demo-1234}"

if [ "$demo_call" = 1 ]; then
  scripts/demo-call.sh || log "the demo call failed (see above)"
fi
wait "$app_pid"
