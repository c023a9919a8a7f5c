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
