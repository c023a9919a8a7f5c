# Benchmarks that run in a fresh nested test host; not part of make test.
# Every tests/bench/*.sh goes into the test host's image at the same path
# (spelled out: this fragment is read before testhost.mk defines TH_ROOT);
# run.sh takes names relative to tests/system, hence ../bench/NAME.
BENCH_SCRIPTS := $(patsubst %,$(B)/testhost-root/%,$(wildcard tests/bench/*.sh))

.PHONY: bench-blk
testhost-root: $(BENCH_SCRIPTS)
$(B)/testhost-root/tests/bench/%.sh: tests/bench/%.sh
	@install -D -m 644 $< $@

# make bench-blk: the virtio-blk benchmark (tests/bench/blk.sh).
bench-blk: testhost
	@sh tests/testhost/run.sh -t 900 ../bench/blk
