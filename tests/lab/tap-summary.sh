#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tap-summary.sh FILE...: count the top-level TAP results in FILEs and print
# the failures, then as the last line exactly 'N passed, N failed' (a
# '# N skipped' line comes before it when tests were skipped). Exit 1 if anything failed or nothing
# ran at all.
#
# Top level means at column 0: 'ok', 'not ok', 'Bail out!'. Indented lines
# are subtests, already summed up by their parent; other lines (make, gcc,
# '#' comments) are ignored. 'ok ... # SKIP' counts as skipped, 'not ok ...
# # TODO' as skipped too (an expected failure, per TAP). A 'Bail out!' and
# a missing file count as one failure each; a file with exactly one plan
# '1..N' but fewer than N results counts the missing ones as failures.
set -eu

[ $# -gt 0 ] || {
	echo "usage: $0 FILE.tap..." >&2
	exit 2
}

# Files are separated by marker lines starting with \001, which TAP never has.
for f in "$@"; do
	printf '\001start %s\n' "$f"
	if [ -r "$f" ]; then
		cat "$f"
	else
		printf '\001missing\n'
	fi
	printf '\001end\n'
done | awk '
function directive(line, word) {
	return toupper(line) ~ ("#[ \t]*" word)
}
function fail(why) {
	failed++
	print "# FAIL " file ": " why
}
/^\001start / {
	file = substr($0, 8)
	plans = 0; results = 0
	next
}
/^\001missing/ {
	fail("file missing")
	next
}
/^\001end/ {
	if (plans == 1 && results < planned)
		fail("plan 1.." planned " but " results " result(s): " planned - results " missing")
	next
}
/^ok([ \t]|$)/ {
	results++
	if (directive($0, "SKIP") || directive($0, "TODO"))
		skipped++
	else
		passed++
	next
}
/^not ok([ \t]|$)/ {
	results++
	if (directive($0, "TODO"))
		skipped++
	else
		fail($0)
	next
}
/^Bail out!/ {
	fail($0)
	next
}
/^1\.\.[0-9]+/ {
	plans++
	planned = substr($1, 4) + 0
	next
}
END {
	if (passed + skipped + failed == 0)
		print "# no test results at all"
	if (skipped)
		print "# " skipped " skipped (not counted as passed)"
	print passed + 0 " passed, " failed + 0 " failed"
	exit (failed || passed + skipped == 0) ? 1 : 0
}'
