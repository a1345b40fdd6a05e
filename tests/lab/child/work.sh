#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo's workload in the child partition (run by child/init on
# child.work): real work on both VPs and in guest memory, results handed
# to the host through KVP, and a message from the host read back.
#  1. Each VP (taskset) hashes a stream of numbers; the host knows what
#     the hashes must be (the lab runs the same busybox).
#  2. 64 MiB of random data go through gzip and back in guest memory
#     (tmpfs); the round trip must give the same hash.
#  3. The results go into the guest's KVP pool (pool 1, "guest"), which
#     hv_kvp_daemon serves to `hvctl kvp NAME get KEY --pool guest`.
#  4. The host sets "greeting" in the external pool (pool 0, `hvctl kvp
#     NAME set`); the daemon stores it, and this prints it.
set -u

POOL_GUEST=/var/lib/hyperv/.kvp_pool_1
POOL_HOST=/var/lib/hyperv/.kvp_pool_0
N=${CHILD_WORK_N:-200000}

now() { cut -d' ' -f1 /proc/uptime; }

# kvp_put KEY VALUE: one record of hv_kvp_daemon's pool file format:
# the key in 512 bytes and the value in 2048, NUL padded.
kvp_put() {
	{
		printf '%s' "$1"
		head -c $((512 - ${#1})) /dev/zero
		printf '%s' "$2"
		head -c $((2048 - ${#2})) /dev/zero
	} >>"$POOL_GUEST"
}

echo "child: work: $(nproc) CPUs, $(sed -n 's/^MemTotal: *//p' /proc/meminfo) of memory"
t0=$(now)
for cpu in 0 1; do
	first=$((cpu * N + 1))
	last=$(((cpu + 1) * N))
	taskset -c $cpu sh -c "seq $first $last | sha256sum | cut -c1-64 >/tmp/hash.$cpu" &
done
wait
t1=$(now)
h0=$(cat /tmp/hash.0)
h1=$(cat /tmp/hash.1)
echo "child: work: cpu0 seq 1..$N sha256 $h0"
echo "child: work: cpu1 seq $((N + 1))..$((2 * N)) sha256 $h1"
echo "child: work: both VPs hashed in $t0 -> $t1 s"

dd if=/dev/urandom of=/tmp/blob bs=1M count=64 2>/dev/null
a=$(sha256sum /tmp/blob | cut -c1-64)
b=$(gzip -1 -c /tmp/blob | gunzip -c | sha256sum | cut -c1-64)
rm -f /tmp/blob
if [ "$a" = "$b" ]; then
	mem=ok
else
	mem=MISMATCH
fi
t2=$(now)
echo "child: work: 64 MiB gzip round trip in guest memory: $mem ($t1 -> $t2 s)"

# The daemon creates the pool files when it starts.
i=0
while [ ! -e "$POOL_GUEST" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kvp_put "work.cpu0.sha256" "$h0"
kvp_put "work.cpu1.sha256" "$h1"
kvp_put "work.memory" "$mem"
kvp_put "work.seconds" "$t0 $t2"
echo "child: work: results published in KVP pool 1 (guest)"

# Wait for the host's greeting (hvctl kvp NAME set greeting ...).
i=0
while ! strings -n 1 "$POOL_HOST" 2>/dev/null | grep -qx greeting && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
msg=$(strings -n 1 "$POOL_HOST" 2>/dev/null | grep -x -A1 greeting | tail -n 1)
echo "child: work: the host says: ${msg:-(nothing within 120 s)}"
