#!/bin/sh
# Builds the guest initramfs (an uncompressed newc cpio: nothing for the
# guest to decompress): busybox-static, the kernel modules named in
# guest/modules.list with their dependencies, guest/progs/*.c built static
# as /bin/NAME, guest/scripts/*.sh as /scripts/NAME.sh, and guest/init.
#   usage: build-initrd.sh KDIR OUT.img
set -eu
KDIR=${1:?usage: build-initrd.sh KDIR OUT.img}
OUT=${2:?usage: build-initrd.sh KDIR OUT.img}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
CC=${CC:-gcc}

mkdir -p "$(dirname "$OUT")"
st=$(mktemp -d "$(dirname "$OUT")/initrd.XXXXXX")
trap 'rm -rf "$st"' EXIT
mkdir -p "$st/bin" "$st/sbin" "$st/dev" "$st/proc" "$st/sys" "$st/tmp" \
	"$st/run" "$st/etc" "$st/root" "$st/scripts"

cp /bin/busybox "$st/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$st/bin/$a"
done
install -m 755 "$here/init" "$st/init"

kver=$(cat "$KDIR/kver")
names=$(sed -e 's/#.*//' "$here/modules.list" | tr -s ' \t' '\n\n' | grep -v '^$' || true)
: >"$st/etc/guest-modules"
if [ -n "$names" ]; then
	# shellcheck disable=SC2086
	for m in $(sh "$top/tests/testhost/modules.sh" "$KDIR" $names); do
		mkdir -p "$st/lib/modules/$kver/$(dirname "$m")"
		cp "$KDIR/modules/$m" "$st/lib/modules/$kver/$m"
		echo "$m" >>"$st/etc/guest-modules"
	done
fi

for c in "$here"/progs/*.c; do
	[ -f "$c" ] || continue
	n=$(basename "$c" .c)
	rm -f "$st/bin/$n"
	$CC -static -O2 -Wall -Wextra -Werror -o "$st/bin/$n" "$c"
done
for s in "$here"/scripts/*.sh; do
	[ -f "$s" ] || continue
	install -m 755 "$s" "$st/scripts/$(basename "$s")"
done

(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
