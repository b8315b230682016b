#!/bin/sh
# tests/pg/stop.sh — stop the server tests/pg/start.sh started and remove its
# directory.  Safe to call twice, or when the start failed half-way.
set -u
dir=${LAC_PG_DIR:-}
[ -n "$dir" ] && [ -d "$dir" ] || exit 0
bindir=${LAC_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)}
if [ "$(id -u)" = 0 ]; then
	runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
else
	"$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
fi
rm -rf "$dir"
exit 0
