# Benchmarks: make bench-blk, bench-trace, bench-hmmv, bench-remap, bench-boot.
# Each runs in a fresh nested test host (bench-remap also on this machine's
# /dev/kvm first); none is part of make test. Figures are ratios to a baseline
# measured in the same run.
#
# Every tests/bench/*.sh goes into the test host's image at the same path
# (spelled out: this fragment is read before testhost.mk defines TH_ROOT);
# run.sh takes names relative to tests/system, hence ../bench/NAME.
BENCH_ROOT    := $(B)/testhost-root
BENCH_SCRIPTS := $(patsubst %,$(BENCH_ROOT)/%,$(wildcard tests/bench/*.sh))

.PHONY: bench-blk bench-trace bench-hmmv bench-remap bench-boot
testhost-root: $(BENCH_SCRIPTS)
$(BENCH_ROOT)/tests/bench/%.sh: tests/bench/%.sh
	@install -D -m 644 $< $@

# The virtio-blk benchmark (tests/bench/blk.sh).
bench-blk: testhost
	@sh tests/testhost/run.sh -t 900 ../bench/blk

# The access tracker's cost on the guest's throughput (tests/bench/trace.sh).
bench-trace: testhost
	@sh tests/testhost/run.sh -t 900 ../bench/trace

# The engine's tracking overhead, scaling with guest size and capture time
# (tests/bench/hmmv.sh).
bench-hmmv: testhost
	@sh tests/testhost/run.sh -t 1800 ../bench/hmmv

# The remap cost per chunk, as ratios to memcpy (tests/bench/mem_remap.c):
# on this machine's /dev/kvm when usable (memfd as the slow tier via node=0,
# a file in build/bench), then in the test host (devdax, CPU-less node 1,
# file; tests/bench/remap.sh).
MEM_BENCH := $(B)/bench/mem_bench_remap

$(MEM_BENCH): tests/bench/mem_remap.c tests/system/mem_miniguest.h $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)

testhost-root: $(BENCH_ROOT)/bin/mem_bench_remap
$(BENCH_ROOT)/bin/mem_bench_remap: $(MEM_BENCH)
	@install -D -m 755 $< $@

bench-remap: $(MEM_BENCH) testhost
	@echo "== bench-remap on this machine's /dev/kvm (memfd as the slow tier via node=0, file in $(B)/bench)"
	@truncate -s 64M $(B)/bench/slow.img
	@$(MEM_BENCH) --nvm node=0 --nvm $(CURDIR)/$(B)/bench/slow.img; rc=$$?; rm -f $(B)/bench/slow.img; exit $$rc
	@echo "== bench-remap in the nested test host (devdax, CPU-less node 1, file)"
	@sh tests/testhost/run.sh -t 900 ../bench/remap

# Boot time (guest/bench_boot.sh) in the test host; BENCH_DIRECT=1 runs it on
# this machine's /dev/kvm instead (which may lack hardware paging).
testhost-root: $(BENCH_ROOT)/guest/bench_boot.sh
$(BENCH_ROOT)/guest/bench_boot.sh: guest/bench_boot.sh
	@install -D -m 644 $< $@

ifeq ($(BENCH_DIRECT),1)
bench-boot: all system-progs $(GUEST_IMG)
	@PATH="$(CURDIR)/$(SYS_BIN):$(CURDIR)/$(B):$$PATH" \
		HMMV_GUEST_KERNEL="$(KERNEL_DIR)/vmlinuz" HMMV_GUEST_INITRD="$(GUEST_IMG)" \
		sh guest/bench_boot.sh
else
# BENCH_RUNS=N and BENCH_MEMFLAGS=--dram=256M,hugetlb (no spaces) reach the
# script through the test host's kernel command line (init's environment).
bench-boot: testhost
	@TESTHOST_CMDLINE="$(if $(BENCH_RUNS),BENCH_RUNS=$(BENCH_RUNS)) $(if $(BENCH_MEMFLAGS),BENCH_MEMFLAGS=$(BENCH_MEMFLAGS))" \
		sh tests/testhost/run.sh -t 1500 ../../guest/bench_boot
endif

# The pool with four co-running guests, --policy hmmv against equal
# (tests/bench/pool.sh); an evaluation that fails when hmmv does not put
# more of the hot sets in DRAM. The test host's node 0 gets 2.5 GiB (node 1,
# unused here, its least: 128 MiB) for the four guests of 384 MiB and their
# slow-tier files; QUICK=1 measures for half as long.
.PHONY: eval-pool
eval-pool: testhost
	@TESTHOST_DRAM_MB=$${TESTHOST_DRAM_MB:-2560} TESTHOST_SLOW_MB=$${TESTHOST_SLOW_MB:-128} \
		TESTHOST_CMDLINE="$(if $(filter 1,$(QUICK)),EVAL_QUICK=1)" \
		sh tests/testhost/run.sh -t 2400 ../bench/pool
