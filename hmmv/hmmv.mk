# hmmv/: make bench-trace, the tracker's cost on the guest's throughput
# (tests/bench/trace.sh) in a fresh nested test host. Not part of make test.
# run.sh takes names relative to tests/system, hence ../bench/trace.
TRACE_BENCH_SCRIPT := $(B)/testhost-root/tests/bench/trace.sh

.PHONY: bench-trace
testhost-root: $(TRACE_BENCH_SCRIPT)
$(TRACE_BENCH_SCRIPT): tests/bench/trace.sh
	@install -D -m 644 $< $@

bench-trace: testhost
	@sh tests/testhost/run.sh -t 900 ../bench/trace
