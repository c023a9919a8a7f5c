#!/bin/sh
# make demo: boots hmmv's demo guest on tiered memory, directly when this
# machine's KVM is usable, otherwise inside the nested test host. Either way
# the guest side is tests/system/demo.sh, which runs guest/demo.sh when that
# exists (a Linux guest) and otherwise the real-mode guest.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
if build/tests/kvm-usable; then
	echo "demo: this machine's /dev/kvm is usable: running the demo guest directly"
	PATH="$top/build/tests/system-bin:$top/build:$PATH" \
		HMMV_GUEST_SCRIPTS="$top/guest" HMMV_GUEST_INITRD="$top/build/guest/initrd.img" \
		HMMV_GUEST_KERNEL="$top/build/kernel/current/vmlinuz" \
		sh tests/system/demo.sh
	exit $?
fi
echo "demo: no usable /dev/kvm here: running the demo guest inside the nested test host"
exec sh tests/testhost/run.sh demo
