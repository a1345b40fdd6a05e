#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test-cli.sh: hvctl's command line on the development machine, without
# the module: help texts, exit codes, and one clear message for every bad
# argument or unreadable file, given before anything is created. TAP.
#
#   HVCTL=path/to/hvctl TESTKERNEL=path/to/testkernel.elf tests/test-cli.sh
# (defaults: out/hvctl and out/testkernel.elf next to this script's parent)
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
HVCTL=${HVCTL:-$here/out/hvctl}
TESTKERNEL=${TESTKERNEL:-$here/out/testkernel.elf}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hvctl-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Keep control sockets away from /run/hvctl and from running partitions.
export HVCTL_RUN_DIR="$tmp/run"

n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}

# expect NAME RC PATTERN CMD...: CMD exits with RC and its stderr+stdout
# contains PATTERN (a fixed string; empty: anything).
expect() {
	name=$1 want_rc=$2 pattern=$3
	shift 3
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		not_ok "$name: exit status $rc, expected $want_rc"
		sed 's/^/# /' "$tmp/out"
	elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/out"; then
		not_ok "$name: output lacks '$pattern'"
		sed 's/^/# /' "$tmp/out"
	else
		ok "$name"
	fi
}

# lacks NAME PATTERN: the last command's output does not contain PATTERN.
lacks() {
	if grep -qF -- "$2" "$tmp/out"; then
		not_ok "$1"
		sed 's/^/# /' "$tmp/out"
	else
		ok "$1"
	fi
}

echo "TAP version 13"
if [ ! -x "$HVCTL" ]; then
	echo "Bail out! $HVCTL is not built"
	exit 1
fi

# ---- help and commands ---------------------------------------------------
expect "hvctl --help" 0 "Commands:" "$HVCTL" --help
for c in run check list pause resume shutdown stop kvp; do
	grep -q "^  $c " "$tmp/out" || not_ok "hvctl --help lists $c"
done
expect "hvctl with no command fails" 1 "Usage: hvctl" "$HVCTL"
expect "unknown command" 1 "unknown command 'frobnicate'" "$HVCTL" frobnicate
expect "unknown global option" 1 "unknown option '--bogus'" "$HVCTL" --bogus run
for c in run check list pause resume shutdown stop kvp; do
	expect "hvctl $c --help" 0 "Usage: hvctl $c" "$HVCTL" "$c" --help
done
expect "run --help documents the exit codes" 0 "(V << 1) | 1" "$HVCTL" run --help

# ---- run: arguments ------------------------------------------------------
expect "run without --kernel" 1 "--kernel is required" "$HVCTL" run
expect "run: unknown option" 1 "unknown option '--frob'" "$HVCTL" run --frob
expect "run: option without its argument" 1 "needs an argument" "$HVCTL" run --kernel
expect "run: stray argument" 1 "unexpected argument 'extra'" \
	"$HVCTL" run --kernel "$TESTKERNEL" extra
for m in abc 0 1K 3M 12Q 2T -5; do
	expect "run --memory $m" 1 "--memory: '$m' is not a size" \
		"$HVCTL" run --kernel "$TESTKERNEL" --memory "$m"
done
for v in 0 abc 2000 -1 1.5; do
	expect "run --vps $v" 1 "--vps: '$v' is not a number from 1 to" \
		"$HVCTL" run --kernel "$TESTKERNEL" --vps "$v"
done
expect "run --serial tty" 1 "--serial: 'tty' is neither 'stdio' nor 'pty'" \
	"$HVCTL" run --kernel "$TESTKERNEL" --serial tty
for a in x 3-1 "1," ""; do
	expect "run --affinity '$a'" 1 "is not a CPU list" \
		"$HVCTL" run --kernel "$TESTKERNEL" --affinity "$a"
done
expect "run --affinity on a CPU this process cannot use" 1 "--affinity: CPU 1000 is not available" \
	"$HVCTL" run --kernel "$TESTKERNEL" --affinity 1000
for name in "a/b" ".hidden" "-x" "" "0123456789012345678901234567890123"; do
	expect "run --name '$name'" 1 "--name: '$name' is not" \
		"$HVCTL" run --kernel "$TESTKERNEL" --name "$name"
done
expect "run --timeout 0" 1 "--timeout: '0' is not a number of seconds" \
	"$HVCTL" run --kernel "$TESTKERNEL" --timeout 0

# ---- run: files ----------------------------------------------------------
expect "run: missing kernel file" 1 "--kernel: $tmp/nope: No such file or directory" \
	"$HVCTL" run --kernel "$tmp/nope"
lacks "run: missing kernel is reported before /dev/hvpart is opened" "/dev/hvpart"
expect "run: kernel is a directory" 1 "not a regular file" "$HVCTL" run --kernel "$tmp"
: >"$tmp/empty"
expect "run: empty kernel" 1 "--kernel: $tmp/empty is empty" "$HVCTL" run --kernel "$tmp/empty"
printf 'not a kernel at all\n' >"$tmp/junk"
expect "run: neither bzImage nor multiboot" 1 "neither a Linux bzImage" \
	"$HVCTL" run --kernel "$tmp/junk"
if [ "$(id -u)" -ne 0 ]; then
	cp "$TESTKERNEL" "$tmp/unreadable" && chmod 000 "$tmp/unreadable"
	expect "run: unreadable kernel" 1 "Permission denied" "$HVCTL" run --kernel "$tmp/unreadable"
else
	ok "run: unreadable kernel # SKIP root reads anything"
fi
expect "run: missing initrd" 1 "--initrd: $tmp/nope.img: No such file or directory" \
	"$HVCTL" run --kernel "$TESTKERNEL" --initrd "$tmp/nope.img"
dd if=/dev/zero of="$tmp/3m.img" bs=1M count=3 2>/dev/null
dd if=/dev/zero of="$tmp/5m.img" bs=1M count=5 2>/dev/null
expect "run: initrd larger than --memory" 1 "--initrd: $tmp/5m.img is larger than --memory" \
	"$HVCTL" run --kernel "$TESTKERNEL" --initrd "$tmp/5m.img" --memory 4M
expect "run: kernel and initrd do not fit" 1 "raise --memory" \
	"$HVCTL" run --kernel "$TESTKERNEL" --initrd "$tmp/3m.img" --memory 4M
long=$(head -c 70000 /dev/zero | tr '\0' a)
expect "run: command line over 64 KiB" 1 "--cmdline is longer than" \
	"$HVCTL" run --kernel "$TESTKERNEL" --cmdline "$long"
vmlinuz=$(find /boot -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort -V | tail -n 1)
if [ -n "$vmlinuz" ] && [ -r "$vmlinuz" ]; then
	expect "run: Linux kernel with too little memory" 1 "--memory must be at least" \
		"$HVCTL" run --kernel "$vmlinuz" --memory 16M
else
	ok "run: Linux kernel with too little memory # SKIP no readable /boot/vmlinuz-*"
fi
if [ ! -e /dev/hvpart ]; then
	expect "run: valid arguments, no module: names the device and the fix" 1 \
		"/dev/hvpart: No such file or directory (is hvpart.ko loaded?)" \
		"$HVCTL" run --kernel "$TESTKERNEL" --name clitest
	if [ -e "$HVCTL_RUN_DIR/clitest.sock" ]; then
		not_ok "run: no control socket is left behind"
	else
		ok "run: no control socket is left behind"
	fi
	expect "check without the module" 1 "is hvpart.ko loaded?" "$HVCTL" check
else
	ok "run without the module # SKIP /dev/hvpart exists here"
	ok "run: no control socket is left behind # SKIP /dev/hvpart exists here"
	ok "check without the module # SKIP /dev/hvpart exists here"
fi

# ---- control commands without a partition ----------------------------------
for c in pause resume shutdown stop; do
	expect "$c without NAME" 1 "a partition NAME is required" "$HVCTL" "$c"
	expect "$c of a partition that is not running" 1 "no partition named 'ghost' is running" \
		"$HVCTL" "$c" ghost
	expect "$c with a bad NAME" 1 "'../x' is not a partition name" "$HVCTL" "$c" ../x
done
expect "stop with two names" 1 "unexpected argument 'b'" "$HVCTL" stop a b
expect "kvp without an operation" 1 "a partition NAME and an operation are required" "$HVCTL" kvp vm1
expect "kvp with an unknown operation" 1 "unknown operation 'frob'" "$HVCTL" kvp vm1 frob
expect "kvp set without a value" 1 "set takes a KEY and a VALUE" "$HVCTL" kvp vm1 set k
expect "kvp get with two keys" 1 "get takes a KEY" "$HVCTL" kvp vm1 get a b
expect "kvp with an unknown pool" 1 "no pool 'deep'" "$HVCTL" kvp vm1 list --pool deep
expect "kvp --pool without a value" 1 "--pool needs a POOL" "$HVCTL" kvp vm1 list --pool
expect "kvp with a bad NAME" 1 "'../x' is not a partition name" "$HVCTL" kvp ../x list
expect "kvp with an empty key" 1 "a KVP key has 1 to 511 bytes" "$HVCTL" kvp vm1 get ""
long=$(printf '%0600d' 0)
expect "kvp with a 600-byte key" 1 "a KVP key has 1 to 511 bytes" "$HVCTL" kvp vm1 set "$long" v
expect "kvp of a partition that is not running" 1 "no partition named 'ghost' is running" \
	"$HVCTL" kvp ghost get k --pool 4
expect "kvp takes a key that starts with '-' after the operation" 1 "no partition named 'ghost'" \
	"$HVCTL" kvp ghost set -k -v
expect "list with nothing running" 0 "NAME" "$HVCTL" list
lacks "list with nothing running shows no partition" "running"
expect "list with an argument" 1 "unexpected argument" "$HVCTL" list x

echo "1..$n"
[ "$failed" -eq 0 ]
