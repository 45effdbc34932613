#!/usr/bin/env bash
# Softswitch load figures with sipp on the same machine (loopback only):
#   1. the most concurrent recorded inbound G.711 calls held with zero failed calls (each call: INVITE, 200,
#      ACK, 7 s of A-law speech from sip-tester's g711a.pcap while the welcome prompt plays back, a hold
#      pause, BYE), checked in sipp's counters and in the calls/recordings rows;
#   2. the highest call-setup rate with zero failures (INVITE, 200, ACK, BYE at a fixed rate for 20 s).
# Prints one result line per run (and CPU seconds and peak RSS of the server process); docs/benchmarks.md
# holds the figures.
#   bench/softswitch/run.sh concurrent 500      # N concurrent calls (rate 50/s ramp, then held ~20 s)
#   bench/softswitch/run.sh rate 100            # N calls per second for 20 s
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:?concurrent|rate}; n=${2:?number}
work=$(mktemp -d -t cc-bench.XXXXXX)
pgdir=$(mktemp -u -t cc-bench-pg.XXXXXX)   # created by pg-cluster.sh with the rights postgres needs
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill -TERM "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  scripts/pg-cluster.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

eval "$(scripts/pg-cluster.sh start "$pgdir" --fast)"
psql -h "$PGHOST" -p "$PGPORT" -U postgres -qc "CREATE DATABASE callcenter" >/dev/null
export ConnectionStrings__CallCenter="$CALLCENTER_PG;Database=callcenter"
export Database__SeedDemoData=true Urls=http://127.0.0.1:5098
export Telephony__Sip__Port=5099 Telephony__Sip__TrustedAddresses__0=127.0.0.1 Telephony__Sip__TcpEnabled=false
export Telephony__Calls__MaxConcurrentCalls=5000 Telephony__Calls__MaxSetupsInFlight=1000 Telephony__Calls__RtpInactivitySeconds=60
export Telephony__RecordingsPath="$work/rec" Telephony__NodeName=bench
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export Serilog__MinimumLevel__Default=Warning
dotnet build src/Agent.Web/Agent.Web.csproj -c Release -o .data/bench-app -v q -nologo >&2
(cd .data/bench-app && exec dotnet CallCenter.Agent.Web.dll >"$work/app.log" 2>&1) &
app_pid=$!
for _ in $(seq 1 120); do
  curl -fsS http://127.0.0.1:5098/healthz >/dev/null 2>&1 && break
  kill -0 "$app_pid" 2>/dev/null || { tail -20 "$work/app.log" >&2; exit 1; }
  sleep 0.5
done
pid=$app_pid # the subshell exec'ed dotnet, so this is the server process itself

{ echo SEQUENTIAL; for i in $(seq 1 20000); do echo "138$(printf '%08d' "$i");8008101000"; done; } >"$work/callers.csv"
pcap=$(dpkg -L sip-tester | grep '/g711a.pcap$' | head -1)
cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
peak=0
watch_rss() { while kill -0 "$pid" 2>/dev/null; do r=$(awk '/VmRSS/{print $2}' "/proc/$pid/status"); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/peak"; sleep 1; done; }
watch_rss & watcher=$!
cpu0=$(cpu); rss0=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
start=$(date +%s.%N)
load0=$(cut -d' ' -f1 /proc/loadavg)
if [ "$mode" = concurrent ]; then
  sed -e "s#@PCAP@#$pcap#" -e "s#@PAUSE@#20000#" bench/softswitch/uac-pcap.xml >"$work/uac.xml"
  rc=0; timeout 300 sipp 127.0.0.1:5099 -sf "$work/uac.xml" -inf "$work/callers.csv" -i 127.0.0.1 -p 5097 -mp 26000 \
    -r 50 -l "$n" -m "$n" -nostdin -timeout 200s -trace_err -error_file "$work/sipp_errors.log" -trace_stat -stf "$work/stat.csv" -fd 1 >/dev/null 2>"$work/sipp.err" || rc=$?
  total=$n
else
  total=$((n * 20))
  rc=0; timeout 300 sipp 127.0.0.1:5099 -sf bench/softswitch/uac-short.xml -inf "$work/callers.csv" -i 127.0.0.1 -p 5097 -mp 26000 \
    -r "$n" -l 5000 -m "$total" -nostdin -timeout 200s -trace_err -error_file "$work/sipp_errors.log" -trace_stat -stf "$work/stat.csv" -fd 1 >/dev/null 2>"$work/sipp.err" || rc=$?
fi
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
sleep 2
cpu1=$(cpu); kill "$watcher" 2>/dev/null || true
hz=$(getconf CLK_TCK)
last=$(tail -1 "$work/stat.csv")
hdr=$(head -1 "$work/stat.csv")
col() { echo "$hdr" | tr ';' '\n' | grep -nx "$1" | cut -d: -f1; }
ok=$(echo "$last" | cut -d';' -f"$(col SuccessfulCall\(C\))")
failed=$(echo "$last" | cut -d';' -f"$(col FailedCall\(C\))")
maxconc=$(cut -d';' -f"$(col CurrentCall)" "$work/stat.csv" | tail -n +2 | sort -n | tail -1)
psql_q() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -d callcenter -tAc "$1"; }
rows=$(psql_q "SELECT count(*) FROM calls WHERE ended_at IS NOT NULL AND answered_at IS NOT NULL")
short=$(psql_q "SELECT count(*) FROM recordings WHERE complete AND duration_ms < 7000")
cpus=$(echo "scale=1; ($cpu1 - $cpu0) / $hz" | bc)
peakmb=$(( $(cat "$work/peak" 2>/dev/null || echo 0) / 1024 ))
echo "mode=$mode n=$n load_before=$load0 load_after=$(cut -d' ' -f1 /proc/loadavg) sipp_exit=$rc successful=$ok failed=$failed peak_sipp_concurrent=$maxconc answered_rows=$rows" \
  "recordings_short_of_7s=$short elapsed_s=$elapsed server_cpu_s=$cpus server_rss_start_mb=$((rss0 / 1024)) server_rss_peak_mb=$peakmb" \
  "cpu_ms_per_call=$(echo "scale=1; 1000 * ($cpu1 - $cpu0) / $hz / $total" | bc) rss_kb_per_call=$(( (peakmb * 1024 - rss0) / total ))"
if [ "$rc" != 0 ]; then
  echo "sipp errors:" >&2
  grep -ohE "Aborting call on [a-zA-Z ]+|while expecting '[0-9A-Z]+'[^,]*, received '[^\r]{0,40}|Call-Id '[^']*': [a-z ]+" "$work"/*errors.log "$work/sipp.err" 2>/dev/null | sort | uniq -c | sort -rn | head -8 >&2
fi
