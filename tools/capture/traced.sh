#!/bin/sh
# The simulator's flags for a captured program's trace: the trace, and its
# touches where the capture wrote them (every access, cache hits included:
# what HMM-V's tracking sees; hmmv sim --touch-trace).
# Usage: traced.sh DIR/NAME.trace
set -eu
t=$1
x=${t%.trace}.touch
if [ -f "$x" ]; then
	echo "--trace $t --touch-trace $x"
else
	echo "--trace $t"
fi
