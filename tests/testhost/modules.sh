#!/bin/sh
# Prints, in load order (dependencies first, each once), the paths relative to
# KDIR/modules of the named kernel modules. Debian ships no modules.dep in the
# package (depmod makes it at install time), so dependencies come from each
# module's own "depends" field. Built-in modules print nothing.
#   usage: modules.sh KDIR NAME...
set -eu
KDIR=${1:?usage: modules.sh KDIR NAME...}
shift
MDIR=$KDIR/modules
[ -d "$MDIR/kernel" ] || { echo "modules.sh: no modules under $MDIR" >&2; exit 1; }

# name (with _ for -) -> path, one "name path" per line.
index=$(cd "$MDIR" && find kernel -name '*.ko' | awk '{
	n = $0; sub(/.*\//, "", n); sub(/\.ko$/, "", n); gsub(/-/, "_", n)
	print n, $0 }')
seen=" "

resolve()
{
	local name path dep

	name=$(echo "$1" | tr - _)
	case "$seen" in *" $name "*) return 0 ;; esac
	seen="$seen$name "
	path=$(echo "$index" | awk -v n="$name" '$1 == n { print $2; exit }')
	if [ -z "$path" ]; then
		if grep -q "/$name.ko\$" "$MDIR/modules.builtin" 2>/dev/null ||
		   grep -q "/$(echo "$1" | tr _ -).ko\$" "$MDIR/modules.builtin" 2>/dev/null; then
			return 0
		fi
		echo "modules.sh: module $1 not found under $MDIR" >&2
		return 1
	fi
	for dep in $(modinfo -F depends "$MDIR/$path" | tr , ' '); do
		resolve "$dep"
	done
	echo "$path"
}

for m in "$@"; do
	resolve "$m"
done
