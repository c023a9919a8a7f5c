#!/bin/sh
# testhost-timeout: 300
# One move drops the second-level entries of the moved chunk only (its
# 2 MiB-aligned range with chunks below 2 MiB: the kernel's VMA split): after
# a remap (and a write-protected migration) of chunk 1, a guest pass over
# all of RAM logs chunk 1's pages again and no page of another chunk
# (tests/system/remap_scope.c). 2 MiB chunks on a file and on devdax,
# 256 KiB chunks (as tests/system/trace_direct.c), and 2 MiB chunks with
# shmem THP allowed (DRAM memfd in huge pages).
truncate -s 16M /tmp/rs-slow.img
remap_scope 2048:16:/tmp/rs-slow.img 256:4:/tmp/rs-slow.img:probe 2048:16:/dev/dax0.0 \
	2048:16:/tmp/rs-slow.img:thp
rc=$?
rm -f /tmp/rs-slow.img
exit $rc
