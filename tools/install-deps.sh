#!/bin/sh
# Installs hmmv's build and test dependencies on Debian 12. Idempotent and
# silent when everything is already present.
set -eu

PKGS="build-essential pkg-config linux-libc-dev libnuma-dev libpmem-dev
liburing-dev libfdt-dev liblzma-dev xz-utils qemu-system-x86 busybox-static
cpio ndctl daxctl numactl clang libclang-rt-14-dev gnuplot-nox kmod
iproute2 perl valgrind sqlite3 bzip2 python3 redis-server redis-tools"

# The nested test host's QEMU must be 10 or later: the traffic meter
# (tools/meter) needs guest-physical addresses from TCG plugins, which
# Debian 12's QEMU 7.2 does not give (it reports RAMBlock offsets).
# bookworm-backports carries QEMU 10.
QEMU_MIN=10
BACKPORTS=bookworm-backports

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

# Major version of the installed qemu-system-x86 (0 when absent).
qemu_major()
{
	dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null |
		sed -e 's/^[0-9]*://' -e 's/[^0-9].*//' | grep . || echo 0
}

old_qemu=
[ "$(qemu_major)" -ge "$QEMU_MIN" ] || old_qemu=1
[ -z "$missing" ] && [ -z "$old_qemu" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing${old_qemu:+ (and QEMU >= $QEMU_MIN from $BACKPORTS)}; run 'make deps' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$old_qemu" ] &&
   ! grep -rqs "$BACKPORTS" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "install-deps: adding Debian's $BACKPORTS to apt's sources (for QEMU >= $QEMU_MIN)" >&2
	cat >/etc/apt/sources.list.d/$BACKPORTS.sources <<EOS
Types: deb
URIs: http://deb.debian.org/debian
Suites: $BACKPORTS
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi
echo "install-deps: installing$missing${old_qemu:+ qemu-system-x86 from $BACKPORTS}" >&2
apt-get update -qq >/dev/null
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$old_qemu" ]; then
	apt-get install -y -qq --no-install-recommends -t "$BACKPORTS" \
		qemu-system-x86 >/dev/null
	[ "$(qemu_major)" -ge "$QEMU_MIN" ] || {
		echo "install-deps: qemu-system-x86 from $BACKPORTS is still older than $QEMU_MIN" >&2
		exit 1
	}
fi
