#!/bin/sh
# make check: the layering and the documentation references, as TAP.
#  - who may include whom: memory/ nothing of hmmv/ vmm/ devices/ tools/;
#    hmmv/ only memory/; devices/ only memory/ (never vmm/ or hmmv/);
#  - every "docs/..." path named in the tree exists, and nothing cites a
#    DESIGN.md (the design document is docs/design.md).
# Run from the top of the repository.
n=0
fail=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

# files FOLDER: the C files of FOLDER and its subfolders.
files()
{
	find "$1" -name '*.[ch]' | sort
}

# layer FOLDER FORBIDDEN_REGEX: no quoted include of a forbidden folder.
layer()
{
	bad=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]+\"($2)/" $(files "$1") /dev/null)
	[ -z "$bad" ]
	ok $? "$1/ includes nothing from $(echo "$2" | sed 's/|/, /g')"
	[ -n "$bad" ] && echo "$bad" | sed 's/^/# /'
}

echo 1..5
layer memory 'hmmv|vmm|devices|tools'
layer hmmv 'vmm|devices|tools'
layer devices 'vmm|hmmv|tools'

# Tracked text files only (git ls-files when in a checkout, else find).
tracked()
{
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files
	else
		find . -type f ! -path './build/*' ! -path './.git/*' | sed 's|^\./||'
	fi
}

self=tests/check_tree.sh
cites=$(tracked | grep -v "^$self\$" | while read -r f; do
	[ -f "$f" ] && grep -Hn "DESIGN\.md" "$f"
done)
[ -z "$cites" ]
ok $? "no reference to a DESIGN.md outside the repository (docs/design.md is the design)"
[ -n "$cites" ] && echo "$cites" | sed 's/^/# /'

missing=$(tracked | grep -v "^$self\$" | while read -r f; do
	[ -f "$f" ] || continue
	grep -oE "docs/[A-Za-z0-9_./-]*[A-Za-z0-9_]" "$f" | sort -u | while read -r d; do
		[ -e "$d" ] || echo "$f: $d"
	done
done)
[ -z "$missing" ]
ok $? "every docs/ path named in the tree exists"
[ -n "$missing" ] && echo "$missing" | sed 's/^/# /'
exit $fail
