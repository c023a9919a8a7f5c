# hmmv/: make bench-trace, the tracker's cost on the guest's throughput
# (tests/bench/trace.sh, put into the test host by tests/bench/bench.mk) in
# a fresh nested test host. Not part of make test.
.PHONY: bench-trace
bench-trace: testhost
	@sh tests/testhost/run.sh -t 900 ../bench/trace
