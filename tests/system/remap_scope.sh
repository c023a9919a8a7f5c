#!/bin/sh
# testhost-timeout: 300
# One move drops the second-level entries of the moved chunk only (its
# 2 MiB-aligned range with chunks below 2 MiB: the kernel's VMA split): after
# a remap (and a write-protected migration) of chunk 1, a guest pass over
# all of RAM logs chunk 1's pages again and no page of another chunk
# (tests/system/remap_scope.c). 2 MiB chunks on a file and on devdax,
# 256 KiB chunks (as tests/system/trace_direct.c), and 2 MiB chunks with
# shmem THP allowed (DRAM memfd in huge pages). Proactive compaction is off
# for the run: it migrates guest pages at random (remap_scope.c reruns a
# configuration that failed while the kernel moved pages anyway).
pc=/proc/sys/vm/compaction_proactiveness
old_pc=$(cat $pc 2>/dev/null)
[ -n "$old_pc" ] && echo 0 >$pc
truncate -s 16M /tmp/rs-slow.img
remap_scope 2048:16:/tmp/rs-slow.img 256:4:/tmp/rs-slow.img:probe 2048:16:/dev/dax0.0 \
	2048:16:/tmp/rs-slow.img:thp
rc=$?
rm -f /tmp/rs-slow.img
[ -n "$old_pc" ] && echo "$old_pc" >$pc
exit $rc
