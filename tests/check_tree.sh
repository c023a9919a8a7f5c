#!/bin/sh
# make check: the layering and the documentation references, as TAP.
#  - who may include whom: memory/ nothing of hmmv/ vmm/ devices/ tools/;
#    hmmv/ only memory/; devices/ only memory/ (never vmm/ or hmmv/);
#  - every "docs/..." path named in the tree exists, and nothing cites a
#    DESIGN.md (the design document is docs/design.md);
#  - every source path named in a comment or document (vmm/x.c, tests/...)
#    exists, so that a reader following one never lands on nothing
#    (placeholders in capitals, like tests/system/NAME.sh, are skipped).
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

echo 1..6
layer memory 'hmmv|vmm|devices|tools'
layer hmmv 'vmm|devices|tools'
layer devices 'vmm|hmmv|tools'

# Every text file of the tree but build output, as "file:match" lines.
refs()
{
	grep -rIoE --exclude-dir=build --exclude-dir=.git --exclude="${self##*/}" "$1" . |
		sed 's|^\./||'
}

self=tests/check_tree.sh
cites=$(refs 'DESIGN\.md')
[ -z "$cites" ]
ok $? "no reference to a DESIGN.md outside the repository (docs/design.md is the design)"
[ -n "$cites" ] && echo "$cites" | sort -u | sed 's/^/# /'

# missing PATH_REGEX: "file: path" for each path matching PATH_REGEX, as a
# whole word, that is not in the tree (paths with capitals are
# placeholders such as tests/system/NAME.sh).
missing()
{
	refs "(^|[^A-Za-z0-9_/.-])$1([^A-Za-z0-9_]|\$)" |
		sed -E "s#^([^:]*):[^A-Za-z0-9_/.-]?($1)[^A-Za-z0-9_]?\$#\\1:\\2#" |
		sort -u | while IFS=: read -r f d; do
			case "$d" in *[A-Z]*) continue ;; esac
			[ -e "$d" ] || echo "$f: $d"
		done
}

m=$(missing 'docs/[A-Za-z0-9_./-]*[A-Za-z0-9_]')
[ -z "$m" ]
ok $? "every docs/ path named in the tree exists"
[ -n "$m" ] && echo "$m" | sed 's/^/# /'

m=$(missing '(vmm|devices|memory|hmmv|tools|tests|guest)/[A-Za-z0-9_./-]+\.(c|h|sh|mk|md)')
[ -z "$m" ]
ok $? "every source path named in the tree exists"
[ -n "$m" ] && echo "$m" | sed 's/^/# /'
exit $fail
