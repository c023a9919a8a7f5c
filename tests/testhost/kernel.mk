# Debian's stock kernel, shared by the nested test host and the guest.
KERNEL_DIR := $(B)/kernel/current

.PHONY: kernel
kernel: | $(DEPS_OK)
	@sh tests/testhost/fetch-kernel.sh $(B)/kernel
