#!/bin/sh
# Guest side of tests/system/hmmv_*.sh: hotset with the sizes the kernel
# command line gives as hmmv.hotset=HOT_MIB,COLD_MIB,SECONDS[,SHIFT].
args=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	hmmv.hotset=*) args=${arg#hmmv.hotset=} ;;
	esac
done
IFS=, read -r hot cold secs shift <<EOT
$args
EOT
echo "hmmv_hotset: hot ${hot:=64} MiB, cold ${cold:=128} MiB, ${secs:=30} s, shift at ${shift:-never}"
hotset -m "$hot" -c "$cold" -t "$secs" ${shift:+-s "$shift"}
