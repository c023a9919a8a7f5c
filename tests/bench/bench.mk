# make bench-blk: the virtio-blk benchmark (tests/bench/blk.sh) in a fresh
# nested test host. Not part of make test. run.sh takes names relative to
# tests/system, hence ../bench/blk; the script goes into the test host's
# image at the matching path.
# Spelled out: this fragment is read before testhost.mk defines TH_ROOT.
BENCH_SCRIPT := $(B)/testhost-root/tests/bench/blk.sh

.PHONY: bench-blk
testhost-root: $(BENCH_SCRIPT)
$(BENCH_SCRIPT): tests/bench/blk.sh
	@install -D -m 644 $< $@

bench-blk: testhost
	@sh tests/testhost/run.sh -t 900 ../bench/blk
