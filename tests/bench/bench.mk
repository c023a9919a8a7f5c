# make bench-blk: the virtio-blk benchmark (tests/bench/blk.sh) in a fresh
# nested test host. Not part of make test. The test host only runs scripts
# from tests/system/, so the script goes into its image under that folder
# as bench_blk.sh, and run.sh is pointed at a small folder that names it.
BENCH_TOP := $(B)/bench-top
# Spelled out: this fragment is read before testhost.mk defines TH_ROOT.
BENCH_SCRIPT := $(B)/testhost-root/tests/system/bench_blk.sh

.PHONY: bench-blk
testhost-root: $(BENCH_SCRIPT)
$(BENCH_SCRIPT): tests/bench/blk.sh
	@install -D -m 644 $< $@

bench-blk: testhost
	@mkdir -p $(BENCH_TOP)/tests/testhost $(BENCH_TOP)/tests/system
	@ln -sf $(CURDIR)/tests/testhost/run.sh $(BENCH_TOP)/tests/testhost/run.sh
	@ln -sf $(CURDIR)/tests/bench/blk.sh $(BENCH_TOP)/tests/system/bench_blk.sh
	@TESTHOST_DIR=$(CURDIR)/$(TH_DIR) sh $(BENCH_TOP)/tests/testhost/run.sh bench_blk
