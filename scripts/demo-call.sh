#!/usr/bin/env bash
# Places one demo call with sipp to a running CallCenter: caller 13700137003 (a demo customer with a
# repair ready for pick-up) dials the repairs line 8008101000 and plays ../shared audio as G.711.
#   scripts/demo-call.sh [caller] [dialed]
set -euo pipefail
cd "$(dirname "$0")/.."
caller=${1:-13700137003}; dialed=${2:-8008101000}
target="${Telephony__Sip__BindAddress:-127.0.0.1}:${Telephony__Sip__Port:-5060}"
work=$(mktemp -d -t callcenter-demo.XXXXXX); trap 'rm -rf "$work"' EXIT
printf 'SEQUENTIAL\n%s;%s\n' "$caller" "$dialed" >"$work/call.csv"
pcap=$(dpkg -L sip-tester 2>/dev/null | grep '/g711a.pcap$' | head -1)
sed "s#@PCAP@#$pcap#" scripts/sipp/demo-call.xml >"$work/uac.xml"
echo "calling $dialed from $caller via $target ..." >&2
timeout 60 sipp "$target" -sf "$work/uac.xml" -inf "$work/call.csv" -i 127.0.0.1 -m 1 -l 1 -nostdin \
  -timeout 50s -timeout_error -trace_err -error_file "$work/err.log" >/dev/null 2>&1 \
  && echo "demo call completed" >&2 \
  || { echo "demo call failed:" >&2; tail -20 "$work/err.log" >&2 2>/dev/null; exit 1; }
