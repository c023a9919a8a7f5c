#!/bin/sh
# Installs hmmv's build and test dependencies on Debian 12. Idempotent and
# silent when everything is already present.
set -eu

PKGS="build-essential pkg-config linux-libc-dev libnuma-dev libpmem-dev
liburing-dev libfdt-dev liblzma-dev xz-utils qemu-system-x86 busybox-static
cpio ndctl daxctl numactl clang libclang-rt-14-dev gnuplot-nox kmod
iproute2 perl valgrind sqlite3 bzip2 python3"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing; run 'make deps' as root" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
