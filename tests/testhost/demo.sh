#!/bin/sh
# make demo: boots hmmv's demo guest on tiered memory, directly when this
# machine's KVM is usable, otherwise inside the nested test host. Either way
# it runs guest/demo.sh when that exists (a Linux guest) and otherwise the
# real-mode guest; in the test host through tests/system/demo.sh.
# HMMV_DEMO=direct|nested forces the choice.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

where=${HMMV_DEMO:-}
if [ -z "$where" ]; then
	if ! build/tests/kvm-usable; then
		echo "demo: no usable /dev/kvm here: running the demo guest inside the nested test host"
		where=nested
	elif [ -d /sys/module/kvm_pvm ]; then
		# PVM's shadow-paging KVM runs guests, but boots Linux very slowly
		# and its dirty log misses zap-and-log reads.
		echo "demo: /dev/kvm here is kvm_pvm (shadow paging): running the demo guest inside the nested test host"
		where=nested
	else
		echo "demo: this machine's /dev/kvm is usable: running the demo guest directly"
		where=direct
	fi
fi
case "$where" in
direct)
	# guest/demo.sh runs as it is, on this terminal (it may be interactive).
	export PATH="$top/build/tests/system-bin:$top/build:$PATH"
	export HMMV_GUEST_INITRD="$top/build/guest/initrd.img"
	export HMMV_GUEST_KERNEL="$top/build/kernel/current/vmlinuz"
	if [ "${HMMV_DEMO_POOL:-}" = 1 ]; then
		exec sh guest/demo_pool.sh
	fi
	if [ -f guest/demo.sh ]; then
		exec sh guest/demo.sh
	fi
	echo "demo: no guest/demo.sh yet: the real-mode guest"
	exec realmode
	;;
nested)
	if [ "${HMMV_DEMO_POOL:-}" = 1 ]; then
		TESTHOST_CMDLINE="${TESTHOST_CMDLINE:-} hmmv.demo=pool" exec sh tests/testhost/run.sh demo
	fi
	exec sh tests/testhost/run.sh demo
	;;
*)
	echo "demo: HMMV_DEMO must be direct or nested, not '$where'" >&2
	exit 2
	;;
esac
