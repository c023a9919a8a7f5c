# make eval-real (a benchmark, not a test): tiering on the real stack, in
# the metered nested test host (tools/evalreal/eval-real.sh). QUICK=1 runs
# fewer workloads with less work. Needs QEMU >= 10 (tools/install-deps.sh).
.PHONY: eval-real
PAGESUM := $(B)/evalreal/pagesum
eval-real: all testhost meter $(PAGESUM)
	@QUICK=$(QUICK) sh tools/evalreal/eval-real.sh $(B)/eval/real

# The guest's part of a trace's traffic (tools/evalreal/analyse.sh).
$(PAGESUM): tools/evalreal/pagesum.c tools/evalreal/runs.h tools/evalreal/steps.h $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)

# meter_calib.hostcheck reads the touch trace's time slots with it.
testhost: $(PAGESUM)
