#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tap-run.sh OUT NAME COMMAND...: run COMMAND, show its output and keep it
# in OUT for tap-summary.sh. A command that fails without reporting a
# failing TAP result (a build error, a crash before any TAP), or that
# succeeds without reporting any result, gets one added to OUT:
#   not ok - NAME: ...
# Always exits 0: the verdict is tap-summary.sh's.
set -eu

[ $# -ge 3 ] || {
	echo "usage: $0 OUT NAME COMMAND..." >&2
	exit 2
}
out=$1
name=$2
shift 2

mkdir -p "$(dirname "$out")"
rcfile=$out.rc
rm -f "$rcfile"
{
	rc=0
	"$@" || rc=$?
	echo "$rc" >"$rcfile"
} 2>&1 | tee "$out"
rc=$(cat "$rcfile")
rm -f "$rcfile"

if [ "$rc" -ne 0 ] && ! grep -qE '^(not ok|Bail out!)' "$out"; then
	echo "not ok - $name: '$*' exited with status $rc" | tee -a "$out"
elif [ "$rc" -eq 0 ] && ! grep -qE '^(ok|not ok)([ 	]|$)' "$out"; then
	echo "not ok - $name: '$*' reported no TAP results" | tee -a "$out"
fi
exit 0
