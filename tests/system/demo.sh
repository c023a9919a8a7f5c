#!/bin/sh
# The demo guest (make demo runs it directly or in the test host; make test
# runs it in the test host). Runs guest/demo.sh when the tree has one (hmmv
# booting Debian's kernel on tiered memory), otherwise the real-mode guest
# through hmmv's KVM layer. guest/demo.sh finds hmmv on PATH and its inputs
# in the environment below (defaults: the test host's paths); it exits 0
# when the guest did what the demo shows.
# testhost-timeout: 600
: "${HMMV_GUEST_SCRIPTS:=/guest}"
: "${HMMV_GUEST_KERNEL:=/guest/vmlinuz}"
: "${HMMV_GUEST_INITRD:=/guest/initrd.img}"
: "${HMMV_NVM:=}"
if [ -z "$HMMV_NVM" ] && [ -c /dev/dax0.0 ]; then
	HMMV_NVM=/dev/dax0.0
fi
export HMMV_GUEST_KERNEL HMMV_GUEST_INITRD HMMV_NVM

# make demo-pool: hmmv.demo=pool on the test host's command line.
demo=demo
grep -q 'hmmv.demo=pool' /proc/cmdline 2>/dev/null && demo=demo_pool
[ "${HMMV_DEMO_POOL:-}" = 1 ] && demo=demo_pool

if [ ! -f "$HMMV_GUEST_SCRIPTS/demo.sh" ]; then
	echo "# demo: no guest/demo.sh yet: the real-mode guest"
	exec realmode
fi
echo "1..1"
# The guest's console is no TAP: it passes as diagnostics, streamed.
exec 4>&1
rc=$( { { sh "$HMMV_GUEST_SCRIPTS/$demo.sh" 2>&1; echo $? >&5; } |
	sed 's/^/# /' >&4; } 5>&1 )
if [ "$rc" = 0 ]; then
	echo "ok 1 - guest/$demo.sh ran the demo guests"
else
	echo "not ok 1 - guest/$demo.sh ran the demo guests (exit $rc)"
fi
exit "$rc"
