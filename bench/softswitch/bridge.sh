#!/usr/bin/env bash
# Bridged-call load: N concurrent inbound calls, each routed by the ACD to its own agent and bridged (B2BUA),
# with RTP both ways on both legs at 50 packets/s (caller: sip-tester's g711a.pcap, 7.05 s of A-law speech
# after a 1 s wait; agents: one sipp UAS answering in PCMU and echoing the RTP it gets). Calls are held 20 s.
# Prints one result line: sipp counters, server CPU (seconds and % of one core over the hold), peak RSS, and
# delivery from the stereo recordings (bench/softswitch/stereo_coverage.py).
#   bench/softswitch/bridge.sh 300
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:?number of concurrent calls}
work=$(mktemp -d -t cc-bridge.XXXXXX)
pgdir=$(mktemp -u -t cc-bridge-pg.XXXXXX)
app_pid=""; uas_pid=""
cleanup() {
  [ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null || true
  [ -n "$app_pid" ] && kill -TERM "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  scripts/pg-cluster.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir" "$work"
}
trap cleanup EXIT INT TERM

eval "$(scripts/pg-cluster.sh start "$pgdir" --fast)"
psql -h "$PGHOST" -p "$PGPORT" -U postgres -qc "CREATE DATABASE callcenter" >/dev/null
export ConnectionStrings__CallCenter="$CALLCENTER_PG;Database=callcenter"
export Database__SeedDemoData=true Urls=http://127.0.0.1:5098
export Telephony__Sip__Port=5099 Telephony__Sip__TrustedAddresses__0=127.0.0.1 Telephony__Sip__TcpEnabled=false
export Telephony__Calls__MaxConcurrentCalls=5000 Telephony__Calls__MaxSetupsInFlight=1000 Telephony__Calls__RtpInactivitySeconds=60
export Telephony__Calls__DefaultWelcomePrompt=none.wav   # no welcome prompt: the line's prompt is cleared below
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
pid=$app_pid
psql_q() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -d callcenter -tAc "$1"; }
# N agents on the repairs line, all registered at the one sipp UAS (port 5096), available, idle in order.
psql_q "UPDATE service_lines SET welcome_prompt = NULL, ring_timeout_seconds = 10 WHERE code = 'repairs';
  WITH a AS (INSERT INTO agents (username, display_name, sip_username, state, state_changed_at)
             SELECT 'bench' || g, 'bench ' || g, 'bench' || g, 'available', now() - make_interval(secs => g) FROM generate_series(1, $n) g
             RETURNING id, username),
       s AS (INSERT INTO agent_skills (agent_id, service_line_id) SELECT a.id, l.id FROM a, service_lines l WHERE l.code = 'repairs')
  INSERT INTO agent_registrations (agent_id, contact_uri, source, node, expires_at)
  SELECT id, 'sip:' || username || '@127.0.0.1:5096', 'udp:127.0.0.1', 'bench', now() + interval '1 hour' FROM a" >/dev/null

{ echo SEQUENTIAL; for i in $(seq 1 20000); do echo "138$(printf '%08d' "$i");8008101000"; done; } >"$work/callers.csv"
pcap=$(dpkg -L sip-tester | grep '/g711a.pcap$' | head -1)
timeout 400 sipp -sf bench/softswitch/uas-agent-echo.xml -i 127.0.0.1 -p 5096 -mp 28000 -rtp_echo -m "$n" -nostdin \
  -timeout 300s -trace_err -error_file "$work/uas_errors.log" >/dev/null 2>"$work/uas.err" &
uas_pid=$!
cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
peak=0
watch_rss() { while kill -0 "$pid" 2>/dev/null; do r=$(awk '/VmRSS/{print $2}' "/proc/$pid/status"); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/peak"; sleep 1; done; }
watch_rss & watcher=$!
rss0=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
load0=$(cut -d' ' -f1 /proc/loadavg)
sed -e "s#@PCAP@#$pcap#" -e "s#@WAIT@#1000#" -e "s#@PAUSE@#12000#" bench/softswitch/uac-bridged.xml >"$work/uac.xml"
rc=0; timeout 300 sipp 127.0.0.1:5099 -sf "$work/uac.xml" -inf "$work/callers.csv" -i 127.0.0.1 -p 5097 -mp 26000 \
  -r 50 -l "$n" -m "$n" -nostdin -timeout 200s -trace_err -error_file "$work/sipp_errors.log" -trace_stat -stf "$work/stat.csv" -fd 1 \
  >/dev/null 2>"$work/sipp.err" &
uac_pid=$!
# CPU over the window where all N calls are bridged: from the end of the ramp (+3 s) for 8 s.
sleep "$(echo "$n / 50 + 3" | bc)"
cpu_a=$(cpu); t_a=$(date +%s.%N)
bridged=0
for _ in $(seq 1 8); do
  b=$(psql_q "SELECT count(*) FROM calls WHERE state IN ('connected','held')"); [ "$b" -gt "$bridged" ] && bridged=$b
  sleep 1
done
cpu_b=$(cpu); t_b=$(date +%s.%N)
wait "$uac_pid" || rc=$?
sleep 3
kill "$watcher" 2>/dev/null || true
hz=$(getconf CLK_TCK)
last=$(tail -1 "$work/stat.csv"); hdr=$(head -1 "$work/stat.csv")
col() { echo "$hdr" | tr ';' '\n' | grep -nx "$1" | cut -d: -f1; }
ok=$(echo "$last" | cut -d';' -f"$(col SuccessfulCall\(C\))")
failed=$(echo "$last" | cut -d';' -f"$(col FailedCall\(C\))")
agent_rows=$(psql_q "SELECT count(*) FROM calls WHERE agent_id IS NOT NULL AND ended_at IS NOT NULL")
# Queue to agent answer (DB claim, INVITE, 200, bridge) per call, median and 95th percentile in ms.
to_agent=$(psql_q "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)) || '/' || round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms))
  FROM (SELECT extract(epoch FROM agent_answered_at - queued_at) * 1000 AS ms FROM calls WHERE agent_answered_at IS NOT NULL) x")
pct=$(echo "scale=1; 100 * ($cpu_b - $cpu_a) / $hz / ($t_b - $t_a)" | bc)
cov=$(python3 bench/softswitch/stereo_coverage.py "$work/rec")
echo "n=$n load_before=$load0 load_after=$(cut -d' ' -f1 /proc/loadavg) sipp_exit=$rc successful=$ok failed=$failed bridged_at_once=$bridged" \
  "calls_with_agent=$agent_rows queue_to_agent_ms_median/p95=$to_agent server_cpu_pct_of_one_core_while_bridged=$pct server_rss_start_mb=$((rss0 / 1024))" \
  "server_rss_peak_mb=$(( $(cat "$work/peak" 2>/dev/null || echo 0) / 1024 )) $cov"
if [ "$rc" != 0 ]; then
  grep -ohE "Aborting call on [a-zA-Z ]+|while expecting '[0-9A-Z]+'[^,]*, received '[^\r]{0,40}" "$work"/*errors.log 2>/dev/null | sort | uniq -c | sort -rn | head -8 >&2
fi
