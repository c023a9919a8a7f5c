# The guest side: build/guest/initrd.img (guest/build-initrd.sh), also put
# into the test host as /guest/initrd.img.
GUEST_IMG    := $(B)/guest/initrd.img
GUEST_INPUTS := guest/build-initrd.sh guest/init guest/modules.list \
	tests/testhost/modules.sh $(wildcard guest/progs/*.c guest/scripts/*.sh)

.PHONY: guest-initrd
guest-initrd: $(GUEST_IMG)

$(GUEST_IMG): $(GUEST_INPUTS) | kernel $(DEPS_OK)
	sh guest/build-initrd.sh $(KERNEL_DIR) $@

testhost-root: $(B)/testhost-root/guest/initrd.img
$(B)/testhost-root/guest/initrd.img: $(GUEST_IMG)
	@install -D -m 644 $< $@

# The test host starts with an empty disk: put the guest kernel's
# host-decompressed vmlinux into hmmv's default cache there ($HOME is / for
# the test host's init), so tests do not decompress under TCG each time.
GUEST_KCACHE := $(B)/testhost-root/.cache/hmmv
.PHONY: guest-kcache
testhost-root: guest-kcache
guest-kcache: $(B)/hmmv kernel
	@mkdir -p $(GUEST_KCACHE)
	@$(B)/hmmv run -k $(KERNEL_DIR)/vmlinuz --cache $(GUEST_KCACHE) --prepare

# make bench-boot: guest/bench_boot.sh in the nested test host (this
# machine's /dev/kvm may lack hardware paging; BENCH_DIRECT=1 runs it here).
# run.sh takes names under tests/system, hence the relative name.
testhost-root: $(B)/testhost-root/guest/bench_boot.sh
$(B)/testhost-root/guest/bench_boot.sh: guest/bench_boot.sh
	@install -D -m 644 $< $@

.PHONY: bench-boot
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
