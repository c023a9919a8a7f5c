# Real programs from Debian packages for the guest (guest/build-real.sh):
# an archive make eval-real appends to the guest's initrd in the test host.
REAL_CPIO := $(B)/guest/real.cpio

$(REAL_CPIO): guest/build-real.sh | $(DEPS_OK)
	sh guest/build-real.sh $@

testhost-root: $(B)/testhost-root/guest/real.cpio
$(B)/testhost-root/guest/real.cpio: $(REAL_CPIO)
	@install -D -m 644 $< $@
