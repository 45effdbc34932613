#!/usr/bin/env bash
# A private PostgreSQL cluster from Debian's postgresql, on 127.0.0.1 and a free port. No Docker needed.
#   eval "$(scripts/pg-cluster.sh start DIR)"   start (initdb on first use); exports PGDIR PGHOST PGPORT PGUSER CALLCENTER_PG
#   scripts/pg-cluster.sh stop DIR              stop it cleanly
# DIR is kept between runs by run.sh (.data/pg) and thrown away by test.sh.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "${PGBIN:-}/initdb" ] || { echo "postgresql is not installed (apt-get install -y postgresql)" >&2; exit 1; }

# initdb and postgres refuse to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  local p
  for p in $(seq "${1:-55432}" 65000); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

cmd=${1:-}; dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR [--fast]" >&2; exit 2; }
case "$cmd" in
start)
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; chmod 755 "$dir"; fi
  extra=""
  # Throw-away test clusters trade durability for speed.
  [ "${3:-}" = "--fast" ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  if as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port=$(cat "$dir/port")
  else
    port=$(free_port "${PG_PORT_BASE:-55432}")
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 $extra" >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    echo "$port" | as_pg tee "$dir/port" >/dev/null
  fi
  echo "export PGDIR=$dir PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres"
  echo "export CALLCENTER_PG='Host=127.0.0.1;Port=$port;Username=postgres'"
  ;;
stop)
  [ -d "$dir/data" ] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop DIR [--fast]" >&2; exit 2 ;;
esac
