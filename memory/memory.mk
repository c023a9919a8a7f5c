# memory/: the shared body of the tests/system/mem_guest_*.sh system tests
# goes into the test host's image (the remap benchmark's rules are in
# tests/bench/bench.mk).
testhost-root: $(B)/testhost-root/tests/system/lib/mem_guest.sh
$(B)/testhost-root/tests/system/lib/mem_guest.sh: tests/system/lib/mem_guest.sh
	@install -D -m 644 $< $@
