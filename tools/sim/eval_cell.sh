#!/bin/sh
# One cell of make eval's matrix: eval_cell.sh HMMV OUT "LABEL|FLAGS".
HMMV=$1
OUT=$2
label=${3%%|*}
f=$(echo "$label" | tr / _)
# shellcheck disable=SC2086
"$HMMV" sim ${3#*|} --label "$label" --check --quiet \
	--csv "$OUT/runs/$f.csv" 2> "$OUT/runs/$f.err" && exit 0
echo "eval: $label failed:"
cat "$OUT/runs/$f.err"
exit 1
