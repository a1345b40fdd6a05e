#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh KVER: build hvpart.ko with the shipped dkms.conf, as
# 'dkms add' and 'dkms build' do for a user, against KVER's headers. It
# works in a scratch source and dkms tree, so /usr/src and the system's
# dkms tree are left alone. TAP, one test; skipped where dkms is missing.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:-}

echo "TAP version 13"
echo "1..1"
if [ -z "$kver" ]; then
	echo "not ok 1 - dkms build: no kernel release given (usage: $0 KVER)"
	exit 1
fi
if ! command -v dkms >/dev/null; then
	echo "ok 1 - dkms build # SKIP dkms is not installed (apt-get install dkms)"
	exit 0
fi

conf_value() {
	sed -n "s/^$1=\"\\(.*\\)\"\$/\\1/p" "$ROOT/dkms.conf"
}
name=$(conf_value PACKAGE_NAME)
ver=$(conf_value PACKAGE_VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$ver
mkdir -p "$src" "$tmp/dkms"

# What Kbuild needs, without the build products of the tree's own build.
tar -C "$ROOT" --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod*' \
	--exclude='.*' -cf - Kbuild Makefile dkms.conf kmod uapi vmbus | tar -C "$src" -xf -

log=$tmp/dkms.log
dkms_opts=(-m "$name" -v "$ver" --sourcetree "$tmp/src" --dkmstree "$tmp/dkms")
if ! { dkms add "${dkms_opts[@]}" && dkms build "${dkms_opts[@]}" -k "$kver"; } >"$log" 2>&1; then
	sed 's/^/# /' "$log"
	find "$tmp/dkms" -name make.log -exec sed 's/^/# make.log: /' {} \; | tail -n 40
	echo "not ok 1 - dkms build of $name/$ver for $kver"
	exit 1
fi
ko=$(find "$tmp/dkms/$name/$ver/$kver" -name "$name.ko*" | head -n 1)
magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
if [ -z "$ko" ] || [ "${magic%% *}" != "$kver" ]; then
	echo "# module: ${ko:-none}; vermagic: ${magic:-none}"
	echo "not ok 1 - dkms build of $name/$ver for $kver: no module for that kernel"
	exit 1
fi
echo "# $(basename "$ko"): vermagic $magic"
echo "ok 1 - dkms build of $name/$ver for $kver"
