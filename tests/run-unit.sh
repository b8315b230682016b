#!/bin/sh
# tests/run-unit.sh — how `make check` runs a unit-test program: directly, or
# under valgrind (errors and definite leaks fail the test) when LAC_VALGRIND=1.
if [ "${LAC_VALGRIND:-0}" = 1 ]; then
	exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$@"
fi
exec "$@"
