# The traffic meter's trace blocks on its report's clock (awk functions;
# tools/evalreal/analyse.sh and tests/system/meter_calib.hostcheck read
# this file into their programs).
#
# The meter (tools/meter/meter.c, meter_trace_flush) writes a block of its
# per-page traces when its clock has entered a new 100 ms interval K,
# numbered K: it holds the traffic since the flush before, [K - 1, K) x
# 100 ms. A mark flushes too, numbered by its interval unless that number
# is taken (at most one block per number), then by the next: a mark at T
# ms in interval C = int(T / 100), after that interval's own flush, closes
# block C + 1 (what came since C x 100 ms), and the next flush, at the
# start of interval C + 2, writes block C + 2 (what came after the mark,
# up to 200 ms). This takes a flush at the start of every interval, which
# the meter makes at its first slow-path access there (a busy test host
# makes thousands a millisecond; tests/system/meter_calib checks it).
#
# blk_mark(MS): the report's next mark, in its order; sets blk_b[K], the
# block mark K closed (the traffic up to it ends there).
# blk(MS): the block that holds the traffic just after host time MS.

function blk_mark(ms,    c) {
	c = int(ms / 100)
	if (c >= blk_last)
		blk_last = c + 1
	blk_t[++blk_n] = ms
	blk_b[blk_n] = blk_last++
}

function blk(ms,    j, k) {
	for (j = 0; j < blk_n && blk_t[j + 1] <= ms; j++)
		;
	k = int(ms / 100) + 1
	if (j && k < blk_b[j] + 1)
		k = blk_b[j] + 1
	return j < blk_n && blk_t[j + 1] < 100 * k ? blk_b[j + 1] : k
}
