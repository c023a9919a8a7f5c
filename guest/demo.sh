#!/bin/sh
# make demo's guest (run by tests/system/demo.sh, directly or inside the
# test host): boots Debian's kernel on hmmv with 2 vCPUs, on tiered memory
# when a slow tier is at hand ($HMMV_NVM), and powers it off. From a
# terminal it gives the guest's shell instead ('exit' powers off; Ctrl-A x
# leaves hmmv). Inputs: HMMV_GUEST_KERNEL, HMMV_GUEST_INITRD, HMMV_NVM.
set -u
kernel=${HMMV_GUEST_KERNEL:-/guest/vmlinuz}
initrd=${HMMV_GUEST_INITRD:-/guest/initrd.img}
params="console=ttyS0 quiet panic=-1"
# Interactive only from a real terminal, not the test host's console.
if [ ! -t 0 ] || [ -n "${HMMV_TESTHOST:-}" ]; then
	params="$params hmmv.run=demo"
fi
set -- -k "$kernel" -i "$initrd" -m 512M -c 2
if [ -n "${HMMV_NVM:-}" ]; then
	echo "demo: 512 MiB guest, 256 MiB in DRAM and the rest on $HMMV_NVM"
	set -- "$@" --dram 256M --nvm "$HMMV_NVM"
fi
echo "demo: hmmv run $* -p \"$params\""
hmmv run "$@" -p "$params"
rc=$?
echo "demo: hmmv exited with $rc (0: the guest powered off)"
exit $rc
