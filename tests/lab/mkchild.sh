#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkchild.sh: build the initramfs of the Linux child partitions that the
# lab tests boot under hvctl (tests/lab/tests/hvctl-linux.sh, the demo):
# Debian's kernel as the child, this as its root file system.
#
#   tests/lab/mkchild.sh KVER OUT.cpio.gz
#
# Contents:
#   /init                 tests/lab/child/init (busybox sh, PID 1)
#   /bin/child-work       tests/lab/child/work.sh, the demo's workload
#   /bin/busybox + applets
#   /lib/modules/         hv_vmbus.ko, hv_utils.ko of KVER, uncompressed
#   /usr/sbin/hv_kvp_daemon and the libraries it loads, when hyperv-daemons
#                         is installed (the KVP test skips without it)
# mkinitramfs.sh puts the result at /lib/hvctl/child.cpio.gz in the lab.
set -eu

die() {
	echo "mkchild: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 KVER OUT.cpio.gz"
KVER=$1
OUT=$2
DIR=$(cd "$(dirname "$0")" && pwd)/child
BUSYBOX=${BUSYBOX:-/bin/busybox}
KVP_DAEMON=${KVP_DAEMON:-/usr/sbin/hv_kvp_daemon}

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hvpart-child.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,var/lib,lib/modules}
# The child's name resolves (init sets it), so that the KVP daemon's
# FullyQualifiedDomainName is a name and not a getaddrinfo error.
printf '127.0.0.1\tlocalhost\n127.0.1.1\thvpart-child\n' >"$STAGE/etc/hosts"

cp "$BUSYBOX" "$STAGE/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$STAGE/$(dirname "$applet")"
	ln -sf /bin/busybox "$STAGE/$applet"
done
# hv_utils' shutdown service runs /sbin/poweroff (orderly_poweroff): at
# once, as no init system is there to stop services first.
rm -f "$STAGE/sbin/poweroff"
printf '#!/bin/sh\nsync\nexec /bin/busybox poweroff -f\n' >"$STAGE/sbin/poweroff"
chmod 755 "$STAGE/sbin/poweroff"
install -m 755 "$DIR/init" "$STAGE/init"
install -m 755 "$DIR/work.sh" "$STAGE/bin/child-work"

for m in hv_vmbus hv_utils; do
	path=$(modinfo -k "$KVER" -n "$m" 2>/dev/null) || die "module $m not found for $KVER"
	case $path in
	*.ko) cp "$path" "$STAGE/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$path" >"$STAGE/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$path" >"$STAGE/lib/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$path" >"$STAGE/lib/modules/$m.ko" ;;
	*) die "module $m: unexpected file $path (built in?)" ;;
	esac
done

# The KVP daemon is a dynamic program: bring its loader and libraries.
kvp=no
if [ -x "$KVP_DAEMON" ]; then
	install -m 755 "$KVP_DAEMON" "$STAGE/usr/sbin/hv_kvp_daemon"
	for lib in $(ldd "$KVP_DAEMON" | grep -o '/[^ ]*'); do
		mkdir -p "$STAGE/$(dirname "$lib")"
		cp -L "$lib" "$STAGE/$lib"
	done
	kvp=yes
fi

(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -6 -n >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "mkchild: $OUT ($(du -h "$OUT" | cut -f1)): hv_vmbus, hv_utils of $KVER, hv_kvp_daemon: $kvp"
