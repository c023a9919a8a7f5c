# The nested test host: a QEMU TCG machine with /dev/kvm, /dev/dax0.0 and a
# CPU-less NUMA node, booted fresh for each system test (README, "Tests").
#
# Anything under $(TH_ROOT) goes into the test host's initramfs at the same
# path; areas add their files as prerequisites of the phony testhost-root.
TH_DIR    := $(B)/testhost
TH_ROOT   := $(B)/testhost-root
SYS_BIN   := $(B)/tests/system-bin
SYS_C     := $(wildcard tests/system/*.c)
SYS_SH    := $(wildcard tests/system/*.sh)
SYS_PROGS := $(SYS_C:tests/system/%.c=$(SYS_BIN)/%)

.PHONY: testhost testhost-root testhost-shell system-progs
system-progs: $(SYS_PROGS)

testhost-root: $(TH_ROOT)/bin/hmmv $(TH_ROOT)/guest/vmlinuz \
	$(SYS_PROGS:$(SYS_BIN)/%=$(TH_ROOT)/bin/%) $(SYS_SH:%=$(TH_ROOT)/%)

# System-test helper programs: tests/system/NAME.c -> /bin/NAME in the host.
$(SYS_BIN)/%: tests/system/%.c $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)

$(TH_ROOT)/bin/hmmv: $(B)/hmmv
	@install -D -m 755 $< $@
$(TH_ROOT)/bin/%: $(SYS_BIN)/%
	@install -D -m 755 $< $@
$(TH_ROOT)/tests/system/%.sh: tests/system/%.sh
	@install -D -m 644 $< $@
$(TH_ROOT)/guest/vmlinuz: kernel
	@cmp -s $(KERNEL_DIR)/vmlinuz $@ || install -D -m 644 $(KERNEL_DIR)/vmlinuz $@

# Content-keyed: a re-run with unchanged inputs only hashes them.
testhost: kernel testhost-root
	@sh tests/testhost/build-image.sh $(KERNEL_DIR) $(TH_ROOT) $(TH_DIR)

# A shell inside the test host, for debugging ('poweroff -f' leaves).
testhost-shell: testhost
	@sh tests/testhost/run.sh --shell

$(B)/tests/kvm-usable: tests/testhost/kvm-usable.c $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)

# The guest side of the demos.
testhost-root: $(TH_ROOT)/guest/demo.sh $(TH_ROOT)/guest/demo_pool.sh
$(TH_ROOT)/guest/%.sh: guest/%.sh
	@install -D -m 644 $< $@

# make demo: everything built, then the demo guest, directly on a usable
# /dev/kvm, else inside the nested test host.
demo: all system-progs $(B)/tests/kvm-usable testhost
	@sh tests/testhost/demo.sh

# make demo-pool: two guests on one hmmv pool, DRAM flowing to the one
# whose hot set grows (guest/demo_pool.sh).
.PHONY: demo-pool
demo-pool: all system-progs $(B)/tests/kvm-usable testhost
	@HMMV_DEMO_POOL=1 TESTHOST_TIMEOUT=$${TESTHOST_TIMEOUT:-1800} sh tests/testhost/demo.sh
