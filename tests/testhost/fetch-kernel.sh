#!/bin/sh
# Fetches Debian's stock kernel (the package linux-image-amd64 depends on,
# resolved now, never pinned) and unpacks it under OUT/<package-version>/.
# OUT/current points at it; OUT/current/{vmlinuz,kver,modules/} are stable
# names for the test host and guest builders. Cached: re-runs are no-ops
# while the resolved version is unchanged.
set -eu
OUT=${1:?usage: fetch-kernel.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
[ -n "$pkg" ] || { echo "fetch-kernel: cannot resolve linux-image-amd64's kernel package (apt-get update?)" >&2; exit 1; }
ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2; exit }')
dir="$OUT/$pkg-$ver"

if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp/deb"
	(cd "$dir.tmp" && apt-get download "$pkg=$ver" >/dev/null 2>&1) ||
		{ echo "fetch-kernel: apt-get download $pkg=$ver failed" >&2; rm -rf "$dir.tmp"; exit 1; }
	dpkg-deb -x "$dir.tmp"/*.deb "$dir.tmp/deb"
	kver=$(ls "$dir.tmp/deb/lib/modules")
	mv "$dir.tmp/deb/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz"
	mv "$dir.tmp/deb/boot/config-$kver" "$dir.tmp/config"
	mv "$dir.tmp/deb/lib/modules/$kver" "$dir.tmp/modules"
	echo "$kver" > "$dir.tmp/kver"
	echo "$pkg $ver" > "$dir.tmp/package"
	rm -rf "$dir.tmp/deb" "$dir.tmp"/*.deb
	touch "$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
fi
ln -sfn "$pkg-$ver" "$OUT/current"
