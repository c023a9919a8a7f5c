# memory/: the remap benchmark, on this machine's /dev/kvm when usable and
# in a fresh nested test host (devdax, CPU-less node). Not part of make test.
# The test host only runs scripts from tests/system/, so the bench script
# goes into its image under that folder and run.sh is pointed at a small
# folder that names it (as bench-blk does).
MEM_BENCH      := $(B)/bench/mem_bench_remap
MEM_BENCH_TOP  := $(B)/bench-top-mem
MEM_BENCH_ROOT := $(B)/testhost-root

$(MEM_BENCH): tests/bench/mem_remap.c tests/system/mem_miniguest.h $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)

testhost-root: $(MEM_BENCH_ROOT)/bin/mem_bench_remap $(MEM_BENCH_ROOT)/tests/system/bench_remap.sh
$(MEM_BENCH_ROOT)/bin/mem_bench_remap: $(MEM_BENCH)
	@install -D -m 755 $< $@
$(MEM_BENCH_ROOT)/tests/system/bench_remap.sh: tests/bench/remap.sh
	@install -D -m 644 $< $@

.PHONY: bench-remap
bench-remap: $(MEM_BENCH) testhost
	@echo "== bench-remap on this machine's /dev/kvm (memfd as the slow tier via node=0, file in /var/tmp)"
	@truncate -s 64M $(B)/bench/slow.img
	@$(MEM_BENCH) --nvm node=0 --nvm $(CURDIR)/$(B)/bench/slow.img; rc=$$?; rm -f $(B)/bench/slow.img; exit $$rc
	@echo "== bench-remap in the nested test host (devdax, CPU-less node 1, file)"
	@mkdir -p $(MEM_BENCH_TOP)/tests/testhost $(MEM_BENCH_TOP)/tests/system
	@ln -sf $(CURDIR)/tests/testhost/run.sh $(MEM_BENCH_TOP)/tests/testhost/run.sh
	@ln -sf $(CURDIR)/tests/bench/remap.sh $(MEM_BENCH_TOP)/tests/system/bench_remap.sh
	@TESTHOST_DIR=$(CURDIR)/$(B)/testhost sh $(MEM_BENCH_TOP)/tests/testhost/run.sh bench_remap

# Shared body of the tests/system/mem_guest_*.sh system tests.
testhost-root: $(MEM_BENCH_ROOT)/tests/system/lib/mem_guest.sh
$(MEM_BENCH_ROOT)/tests/system/lib/mem_guest.sh: tests/system/lib/mem_guest.sh
	@install -D -m 644 $< $@
