#!/usr/bin/env bash
# A single daemon's speed, one build against another (issue 22: did the leases and fencing slow one daemon down?).
# Each build gets its own source, target and repository database on one PostgreSQL server, and its own running
# daemon; a round replays the same work through one of them and returns once the target has caught up:
#   300 short TPC-B-like transactions on the source (pgbench, 2 clients, as fast as they go), then one UPDATE of
#   every pgbench_accounts row; done when source and target have the same md5 of every balance.
# Time the rounds of the two builds alternately (A B A B ...), whole process, and compare them pair by pair; each
# round also appends the daemon's own CPU milliseconds for it to $TMPDIR/single-daemon-NAME/daemon-cpu-ms.
#
# Usage: single-daemon.sh setup NAME JAR   | round NAME | teardown NAME     (NAME: a short [a-z0-9_] label)
#   e.g.  single-daemon.sh setup before /tmp/before/ibex-cli/target/ibex.jar
#         single-daemon.sh setup after  ibex-cli/target/ibex.jar
#         then time "single-daemon.sh round after" against "single-daemon.sh round before", alternating
# Needs psql and pgbench of the server's version on the PATH or in PGBIN. Server: PGHOST/PGPORT/PGUSER (127.0.0.1:5432 postgres).
set -euo pipefail

CMD=${1:?setup, round or teardown}
NAME=${2:?a label}
case "$NAME" in *[!a-z0-9_]*) echo "single-daemon.sh: NAME must be [a-z0-9_]" >&2; exit 1 ;; esac
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PATH="$PGBIN:$PATH"
SRC=sd_${NAME}_src DST=sd_${NAME}_dst REPO=sd_${NAME}_repo
WORK=${TMPDIR:-/tmp}/single-daemon-$NAME

ibex() {
  java -jar "$(cat "$WORK/jar")" --dbhost "$PGHOST" --dbport "$PGPORT" --dbuser "$PGUSER" --dbname "$REPO" \
    --piddir "$WORK" --logdir "$WORK" --no-ibexrc "$@"
}

# the daemon's CPU time so far in clock ticks (utime + stime of /proc/PID/stat; the JVM is one process)
daemon_ticks() {
  local pid
  pid=$(head -1 "$WORK/ibex.pid" | tr -dc 0-9)
  awk '{ print $14 + $15 }' "/proc/$pid/stat"
}

same() {
  local q="SELECT md5(string_agg(abalance::text, ',' ORDER BY aid)) FROM pgbench_accounts"
  [ "$(psql -XAtq -d "$SRC" -c "$q")" = "$(psql -XAtq -d "$DST" -c "$q")" ]
}

case "$CMD" in
  setup)
    JAR=$(readlink -f "${3:?the ibex.jar of the build}")
    mkdir -p "$WORK"
    echo "$JAR" > "$WORK/jar"
    for db in "$SRC" "$DST" "$REPO"; do
      psql -Xq -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\""
    done
    pgbench -q -i -s 1 "$SRC" >/dev/null 2>&1
    pgbench -q -i -s 1 "$DST" >/dev/null 2>&1
    ibex install >/dev/null
    ibex add db src "dbname=$SRC" "dbhost=$PGHOST" "dbport=$PGPORT" "dbuser=$PGUSER" >/dev/null
    ibex add db dst "dbname=$DST" "dbhost=$PGHOST" "dbport=$PGPORT" "dbuser=$PGUSER" >/dev/null
    ibex add table pgbench_accounts pgbench_branches pgbench_tellers db=src relgroup=bank >/dev/null
    ibex add sync bank relgroup=bank db=src,dst >/dev/null
    ibex start >/dev/null
    # the daemon runs: one small change goes through before the first round
    psql -Xq -d "$SRC" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1"
    for _ in $(seq 600); do same && break; sleep 0.1; done
    same || { echo "single-daemon.sh: $NAME does not replicate (see $WORK)" >&2; exit 1; }
    ;;
  round)
    before=$(daemon_ticks)
    pgbench -n -c 2 -t 150 -b tpcb-like "$SRC" >/dev/null 2>&1
    psql -Xq -d "$SRC" -c "UPDATE pgbench_accounts SET abalance = abalance + 1"
    for _ in $(seq 6000); do
      if same; then
        # the daemon's own CPU for the round, which the round's whole-process times do not include
        echo "$(( ($(daemon_ticks) - before) * 1000 / $(getconf CLK_TCK) ))" >> "$WORK/daemon-cpu-ms"
        exit 0
      fi
      sleep 0.05
    done
    echo "single-daemon.sh: $NAME did not catch up in 5 minutes" >&2; exit 1
    ;;
  teardown)
    ibex stop >/dev/null 2>&1 || true
    for db in "$SRC" "$DST" "$REPO"; do
      psql -Xq -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
    done
    rm -rf "$WORK"
    ;;
  *) echo "single-daemon.sh: setup, round or teardown" >&2; exit 1 ;;
esac
