#!/usr/bin/env bash
# Big migrations (issue 25): copy a database into an empty one three ways on the same PostgreSQL server, and time them:
#   1. ibex onetimecopy, the target tables created by ibex (create_tables=on), ranged copy of big tables
#   2. pgcopydb clone --table-jobs N --index-jobs N (Debian package pgcopydb; installed if missing)
#   3. pg_dump -Fc to a file, then pg_restore -j N (pg_restore reads no pipe with -j)
# on two databases: pgbench at --scale (30 = 3M accounts) and one table of --big-rows rows (10M); then an ibex copy
# SIGKILLed at 60% of its ranges and resumed: the time the resumed daemon needs to finish, against a whole copy.
# Every run starts from an empty target database; the row counts of source and target are compared after each.
#
# Usage: ibex-bench/scripts/bigcopy.sh [--host H] [--port P] [--user U] [--jobs N] [--scale S] [--big-rows R] [--runs K]
#                                      [--resume-only pgbench|big]
# Needs: psql, pgbench, pg_dump, pg_restore of the server's version, bc, a built tree (mvn -B -q package -DskipTests).
set -euo pipefail

HOST=127.0.0.1 PORT=5432 USER_=postgres JOBS=2 SCALE=30 BIG_ROWS=10000000 RUNS=1 RESUME_ONLY=
while [ $# -gt 0 ]; do
  case "$1" in
    --host) HOST=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --user) USER_=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --big-rows) BIG_ROWS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --resume-only) RESUME_ONLY=$2; shift 2 ;; # pgbench or big: only that database, a whole ibex copy and its resume
    *) echo "bigcopy.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/bigcopy.XXXXXX)
trap 'cp -f "$WORK"/log.ibex /tmp/bigcopy-last.log 2>/dev/null; rm -rf "$WORK"' EXIT # the last daemon log is kept
[ -f "$ROOT/ibex-cli/target/ibex.jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
cp "$ROOT/ibex-cli/target/ibex.jar" "$WORK/ibex.jar" # a rebuild during the run does not touch the daemon's jar
export PGHOST=$HOST PGPORT=$PORT PGUSER=$USER_
URI() { echo "postgres://$USER_@$HOST:$PORT/$1"; }
q() { psql -X -q -At -d "$1" -c "$2"; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

if ! command -v pgcopydb >/dev/null; then
  echo "installing pgcopydb (apt-get)" >&2
  apt-get update -qq && apt-get install -y -qq pgcopydb >/dev/null
fi

fresh() { dropdb --if-exists "$1" 2>/dev/null || true; createdb "$1"; }

# the source databases
PGB=bc_pgbench_$SCALE BIG=bc_big_$BIG_ROWS
make_sources() { # kept between runs of the script (named by their size)
  if [ "$(q postgres "SELECT count(*) FROM pg_database WHERE datname = '$PGB'")" = 0 ]; then
    createdb $PGB && pgbench -i -q -s "$SCALE" $PGB >/dev/null 2>&1
  fi
  if [ "$(q postgres "SELECT count(*) FROM pg_database WHERE datname = '$BIG'")" = 0 ]; then
    createdb $BIG
    q $BIG "CREATE TABLE big (id bigint PRIMARY KEY, k int NOT NULL, v text, filler char(60))"
    q $BIG "INSERT INTO big SELECT g, g % 1000, md5(g::text), '' FROM generate_series(1, $BIG_ROWS) g"
    q $BIG "CREATE INDEX big_k ON big (k)"
    q $BIG "VACUUM ANALYZE big"
  fi
}

rows() { # db [tables]: the rows of every user table (or of those named), as one line
  local only="true"
  [ -n "${2:-}" ] && only="c.relname = ANY ('{$2}')"
  q "$1" "SELECT string_agg(c.relname || '=' || (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname), false, true, '')))[1]::text, ' ' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' AND $only"
}

check() { # source target [tables...]
  local list; list=$(IFS=,; echo "${*:3}")
  local a b; a=$(rows "$1" "$list"); b=$(rows "$2" "$list")
  [ "$a" = "$b" ] || { echo "MISMATCH $1 -> $2: $a / $b" >&2; exit 2; }
}

run_dump() { # src
  fresh bc_dst
  local t0 t1; t0=$(now)
  pg_dump -Fc -f "$WORK/dump" "$1"
  pg_restore -j "$JOBS" -d bc_dst "$WORK/dump"
  t1=$(now); check "$1" bc_dst; secs "$t0" "$t1"
}

run_pgcopydb() { # src
  fresh bc_dst
  rm -rf "$WORK/pgcopydb"
  local t0 t1; t0=$(now)
  pgcopydb clone --source "$(URI "$1")" --target "$(URI bc_dst)" --table-jobs "$JOBS" --index-jobs "$JOBS" \
    --dir "$WORK/pgcopydb" --no-owner --no-acl >"$WORK/pgcopydb.log" 2>&1 || { tail -20 "$WORK/pgcopydb.log" >&2; exit 3; }
  t1=$(now); check "$1" bc_dst; secs "$t0" "$t1"
}

ibex() { java -jar "$WORK/ibex.jar" --dbhost "$HOST" --dbport "$PORT" --dbuser "$USER_" --dbname bc_repo --piddir "$WORK" --logdir "$WORK" --quiet "$@"; }

ibex_setup() { # src tables...
  local src=$1; shift
  fresh bc_dst; fresh bc_repo
  ibex install >/dev/null
  ibex add db src dbhost="$HOST" dbport="$PORT" dbuser="$USER_" dbname="$src" >/dev/null
  ibex add db dst dbhost="$HOST" dbport="$PORT" dbuser="$USER_" dbname=bc_dst >/dev/null
  ibex set copy_parallelism="$JOBS" >/dev/null
  ibex add table "$@" db=src relgroup=rg >/dev/null
  ibex add sync mig relgroup=rg db=src,dst onetimecopy=1 >/dev/null
}

copied() { [ "$(q bc_repo "SELECT onetimecopy FROM ibex.sync WHERE name = 'mig'")" = 0 ]; }

run_ibex() { # src tables...
  ibex_setup "$@"
  local t0 t1; t0=$(now)
  ibex start >/dev/null
  until copied; do sleep 0.2; done
  t1=$(now)
  ibex stop >/dev/null
  check "$1" bc_dst "${@:2}"; secs "$t0" "$t1"
}

# SIGKILL when 60% of the ranges are done, start again: prints "whole-run-to-kill resumed-run"
run_ibex_resume() { # src tables...
  local src=$1
  ibex_setup "$@"
  local t0 t1 t2 pid
  t0=$(now)
  ibex start >/dev/null
  until [ "$(q bc_repo "SELECT coalesce(count(*) FILTER (WHERE state = 'done') * 100 / nullif(count(*), 0), 0) FROM ibex.copy_range WHERE lo IS NOT NULL")" -ge 60 ]; do
    if copied; then ibex stop >/dev/null; echo "no-ranges -"; return; fi # a table below copy_split_rows: nothing to kill
    sleep 0.05
  done
  read -r pid _ < "$WORK/ibex.pid" # the pid file holds the pid, then the repository on a line of its own
  kill -9 "$pid"; t1=$(now)
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$WORK/ibex.pid"
  sleep 1 # the killed daemon's repository session (its lock) goes
  t2=$(now)
  ibex start >/dev/null
  until copied; do sleep 0.2; done
  local t3; t3=$(now)
  ibex stop >/dev/null
  check "$src" bc_dst "${@:2}"
  echo "$(secs "$t0" "$t1") $(secs "$t2" "$t3")"
}

make_sources
if [ -n "$RESUME_ONLY" ]; then
  if [ "$RESUME_ONLY" = pgbench ]; then db=$PGB; tables=(pgbench_accounts pgbench_branches pgbench_tellers); else db=$BIG; tables=(big); fi
  whole=$(run_ibex $db "${tables[@]}") # a whole copy in the same run, for the resume's ratio
  read -r before after < <(run_ibex_resume $db "${tables[@]}")
  echo "resume $db: whole copy $whole s; killed at 60% of the ranges after $before s; the restarted daemon finished in" \
    "$after s ($(echo "scale=2; $after / $whole" | bc)x of the whole copy)"
  exit 0
fi
echo "| database | ibex onetimecopy (creates the tables) | pgcopydb clone | pg_dump -Fc + pg_restore -j $JOBS |"
echo "|---|---|---|---|"
declare -A WHOLE # the last whole ibex copy of each database, for the resume's ratio
for db in $PGB $BIG; do
  if [ $db = $PGB ]; then tables=(pgbench_accounts pgbench_branches pgbench_tellers); else tables=(big); fi
  for r in $(seq "$RUNS"); do # the three ways alternate, run after run
    a=$(run_ibex $db "${tables[@]}")
    b=$(run_pgcopydb $db)
    c=$(run_dump $db)
    WHOLE[$db]=$a
    echo "| $db (run $r) | $a s | $b s | $c s |"
  done
done
for db in $PGB $BIG; do
  if [ $db = $PGB ]; then tables=(pgbench_accounts pgbench_branches pgbench_tellers); else tables=(big); fi
  read -r before after < <(run_ibex_resume $db "${tables[@]}")
  echo "resume $db: killed at 60% of the ranges after $before s; the restarted daemon finished in $after s" \
    "($(echo "scale=2; $after / ${WHOLE[$db]}" | bc)x of the whole copy above, ${WHOLE[$db]} s)"
done
