#!/bin/sh
# Builds the nested test host: OUT/vmlinux (Debian's kernel, decompressed on
# this machine so the TCG guest skips XZ and boots through PVH) and
# OUT/initramfs.img = a cached base archive (busybox, kernel modules,
# ndctl/daxctl and their libraries, /init) followed by an uncompressed archive
# of ROOT (build/testhost-root) plus the shared libraries its programs need.
# Both parts are keyed by content: re-runs with unchanged inputs only hash.
#   usage: build-image.sh KDIR ROOT OUT
set -eu
KDIR=${1:?usage: build-image.sh KDIR ROOT OUT}
ROOT=${2:?}
OUT=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT" "$ROOT"
OUT=$(cd "$OUT" && pwd)
KDIR=$(cd "$KDIR" && pwd)

MODULES="irqbypass ccp kvm kvm-amd libnvdimm nd_btt nd_pmem nfit device_dax dax_pmem kmem tun"
HOST_PROGS="/usr/bin/ndctl /usr/bin/daxctl"
kver=$(cat "$KDIR/kver")
package=$(cat "$KDIR/package")

# Shared libraries (and the loader) a dynamic executable needs, one a line.
libs_of()
{
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# Copies each library named on stdin to the same absolute path under $1.
copy_libs()
{
	while read -r lib; do
		[ -e "$1$lib" ] && continue
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
}

make_cpio()
{
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# --- the kernel: bzImage payload (XZ) -> vmlinux ELF with its PVH note.
vmlinux=$OUT/vmlinux-$(echo "$package" | tr ' ' '_')
if [ ! -f "$vmlinux" ]; then
	k=$KDIR/vmlinuz
	setup_sects=$(od -An -tu1 -j 497 -N1 "$k" | tr -d ' ')
	poff=$(od -An -tu4 -j 584 -N4 "$k" | tr -d ' ')
	plen=$(od -An -tu4 -j 588 -N4 "$k" | tr -d ' ')
	tail -c +$(( (setup_sects + 1) * 512 + poff + 1 )) "$k" | head -c "$plen" |
		xz -dc --single-stream >"$vmlinux.tmp.$$"
	for old in "$OUT"/vmlinux-*; do
		case "$old" in *.tmp.*) ;; *) rm -f "$old" ;; esac
	done
	mv "$vmlinux.tmp.$$" "$vmlinux"
fi
ln -sfn "$(basename "$vmlinux")" "$OUT/vmlinux"

# --- base archive, keyed by the kernel package and every input's content.
modlist=$(sh "$here/modules.sh" "$KDIR" $MODULES)
base_key=$( {
	echo "$package $MODULES"
	cat "$here/build-image.sh" "$here/modules.sh" "$here/init"
	for f in /bin/busybox $HOST_PROGS; do
		sha256sum "$f"
		libs_of "$f" | xargs -r sha256sum
	done
} | sha256sum | cut -c1-16)
base=$OUT/base-$base_key.cpio
if [ ! -f "$base" ]; then
	st=$(mktemp -d "$OUT/base.XXXXXX")
	trap 'rm -rf "$st"' EXIT
	mkdir -p "$st/bin" "$st/sbin" "$st/dev" "$st/proc" "$st/sys" "$st/tmp" \
		"$st/run" "$st/etc" "$st/root" "$st/guest" "$st/tests/system"
	cp /bin/busybox "$st/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$st/bin/$a"
	done
	cp "$here/init" "$st/init"
	chmod 755 "$st/init"
	for m in $modlist; do
		mkdir -p "$st/lib/modules/$kver/$(dirname "$m")"
		cp "$KDIR/modules/$m" "$st/lib/modules/$kver/$m"
	done
	echo "$modlist" >"$st/etc/testhost-modules"
	for p in $HOST_PROGS; do
		rm -f "$st/bin/$(basename "$p")"
		cp "$p" "$st/bin/"
		libs_of "$p" | copy_libs "$st"
	done
	# Uncompressed: unpacking beats decompressing under emulation.
	make_cpio "$st" >"$base.tmp.$$"
	rm -f "$OUT"/base-*.cpio "$OUT"/base-*.cpio.gz
	mv "$base.tmp.$$" "$base"
	rm -rf "$st"
	trap - EXIT
fi

# --- ROOT archive plus the libraries of its dynamic programs.
st=$(mktemp -d "$OUT/root.XXXXXX")
trap 'rm -rf "$st"' EXIT
cp -a "$ROOT/." "$st/"
find "$st" -type f -perm -u+x | while read -r f; do
	libs_of "$f" | copy_libs "$st"
done
root_key=$( {
	echo "$base_key"
	(cd "$st" && find . -type f | LC_ALL=C sort | xargs -r sha256sum)
	(cd "$st" && find . -type l | LC_ALL=C sort | while read -r l; do
		echo "$l -> $(readlink "$l")"; done)
} | sha256sum | cut -c1-16)
if [ "$(cat "$OUT/initramfs.key" 2>/dev/null)" != "$root_key" ]; then
	{ cat "$base"; make_cpio "$st"; } >"$OUT/initramfs.img.tmp.$$"
	mv "$OUT/initramfs.img.tmp.$$" "$OUT/initramfs.img"
	echo "$root_key" >"$OUT/initramfs.key"
fi
rm -rf "$st"
