#!/usr/bin/env bash
# Registers a demo agent's phone with sipp (digest auth) on a running CallCenter, so the agent shows as available.
# sipp 3.6 knows only MD5 and reads the first challenge: run the host with Telephony__Sip__DigestAlgorithms=MD5,SHA-256.
#   scripts/demo-register.sh [agent] [expires-seconds]   (expires 0 unregisters; password: $DEMO_PASSWORD or demo-1234)
set -euo pipefail
cd "$(dirname "$0")/.."
user=${1:-agent1}; expires=${2:-3600}; password=${DEMO_PASSWORD:-demo-1234}
[[ $user =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "bad agent name" >&2; exit 2; }
target="${Telephony__Sip__BindAddress:-127.0.0.1}:${Telephony__Sip__Port:-5060}"
work=$(mktemp -d -t callcenter-reg.XXXXXX); trap 'rm -rf "$work"' EXIT
sed -e "s#@USER@#$user#g" -e "s#@EXPIRES@#$expires#g" -e "s#@PASSWORD@#$password#g" scripts/sipp/demo-register.xml >"$work/reg.xml"
timeout 30 sipp "$target" -sf "$work/reg.xml" -i 127.0.0.1 -m 1 -l 1 -nostdin \
  -timeout 20s -timeout_error -trace_err -error_file "$work/err.log" >/dev/null 2>&1 \
  && echo "$user registered (expires $expires s)" >&2 \
  || { echo "registration failed:" >&2; tail -20 "$work/err.log" >&2 2>/dev/null; exit 1; }
