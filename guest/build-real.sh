#!/bin/sh
# Builds build/guest/real.cpio: real programs from Debian packages (sqlite3,
# redis-server, redis-benchmark, redis-cli) with their shared libraries, an
# uncompressed newc archive to append to the guest's initrd.img for
# make eval-real (the kernel unpacks concatenated archives in order).
#   usage: build-real.sh OUT.cpio
set -eu
OUT=${1:?usage: build-real.sh OUT.cpio}
PROGS="/usr/bin/sqlite3 /usr/bin/redis-server /usr/bin/redis-benchmark /usr/bin/redis-cli"

mkdir -p "$(dirname "$OUT")"
st=$(mktemp -d "$(dirname "$OUT")/real.XXXXXX")
trap 'rm -rf "$st"' EXIT
mkdir -p "$st/bin"
for p in $PROGS; do
	[ -x "$p" ] || { echo "build-real: $p missing (tools/install-deps.sh installs it)" >&2; exit 1; }
	cp -L "$p" "$st/bin/$(basename "$p")"
	ldd "$p" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$st$lib" ] && continue
		mkdir -p "$st$(dirname "$lib")"
		cp -L "$lib" "$st$lib"
	done
done
(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
