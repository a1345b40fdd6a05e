#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh TEST...: run the tools' host-side tests and merge their TAP
# into one stream (renumbered, one plan at the end), the way the top-level
# `make check` reads it. A test that exits non-zero without a failing
# result, or whose count differs from its plan, adds one failure.
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
	bad=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			n=$((n + 1))
			count=$((count + 1))
			echo "ok $n - tools/$name: ${line#ok * - }"
			;;
		"not ok "*)
			n=$((n + 1))
			count=$((count + 1))
			bad=$((bad + 1))
			echo "not ok $n - tools/$name: ${line#not ok * - }"
			;;
		"TAP version"*) ;;
		1..*) plan=${line#1..} ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <<END
$out
END
	failed=$((failed + bad))
	if { [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; } || [ "$count" != "$plan" ]; then
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - tools/$name: exit status $rc, $count results for plan $plan"
	fi
done
echo "1..$n"
echo "# tools: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
