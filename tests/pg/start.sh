#!/bin/sh
# tests/pg/start.sh — start a throw-away PostgreSQL server for the tests.
#
#   eval "$(sh tests/pg/start.sh)"   # sets LAC_PG_DIR, PGHOST, PGPORT, PGUSER
#   ...
#   sh tests/pg/stop.sh              # stops it and removes LAC_PG_DIR
#
# initdb runs in a new temporary directory as the unprivileged `postgres`
# user when started as root (tests run as root here), trust authentication,
# listening only on a unix socket inside that directory (no TCP at all).
# fsync is off (tests need no crash safety from the server itself);
# LAC_PG_FSYNC=on keeps it on, as a real deployment has it (bench/run/run.sh).
# Exit 77 (automake's "skipped") when no PostgreSQL server is installed.
set -eu
fsync=${LAC_PG_FSYNC:-off}
case $fsync in on|off) ;; *) echo "LAC_PG_FSYNC must be on or off" >&2; exit 1 ;; esac
bindir=${LAC_PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { bindir=$d; break; }
	done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "no PostgreSQL server (initdb) found" >&2
	exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/lac-pg.XXXXXX")
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	chown postgres "$dir"
	chmod 755 "$dir"
	as_pg() { runuser -u postgres -- "$@"; }
fi
cleanup_on_error() { as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup_on_error EXIT
as_pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	as_pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2; exit 1; }
port=5432
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
	-o "-c listen_addresses='' -k $dir -p $port -c fsync=$fsync -c TimeZone=UTC" start >/dev/null || {
	cat "$dir/server.log" >&2; exit 1; }
trap - EXIT
echo "LAC_PG_DIR='$dir'; LAC_PG_BINDIR='$bindir'; PGHOST='$dir'; PGPORT=$port; PGUSER=postgres;"
echo "export LAC_PG_DIR LAC_PG_BINDIR PGHOST PGPORT PGUSER;"
