#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs each unit-test binary given as an argument and merges their TAP into
# one stream: results renumbered and prefixed with the binary's name, one
# plan, then a closing "unit: N passed, N failed" line. A binary that exits
# non-zero (a sanitizer report, a crash) or whose result count differs from
# its own plan adds one failed result. Exits 1 if anything failed.
set -u

n=0
failed=0
echo "TAP version 13"
for t in "$@"; do
	name=$(basename "$t")
	out=$("$t" 2>&1)
	rc=$?
	count=0
	plan=-1
	while IFS= read -r line; do
		case "$line" in
		"ok "*)
			n=$((n + 1))
			count=$((count + 1))
			echo "ok $n - $name: ${line#ok * - }"
			;;
		"not ok "*)
			n=$((n + 1))
			count=$((count + 1))
			failed=$((failed + 1))
			echo "not ok $n - $name: ${line#not ok * - }"
			;;
		"TAP version"*)
			;;
		1..*)
			plan=${line#1..}
			;;
		"#"*)
			echo "$line"
			;;
		*)
			echo "# $line"
			;;
		esac
	done <<END
$out
END
	if [ "$rc" -ne 0 ] || [ "$count" != "$plan" ]; then
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - $name: exit status $rc, $count results for plan $plan"
	fi
done
echo "1..$n"
echo "unit: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
