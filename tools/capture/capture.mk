# tools/capture/: real programs' traces for make eval (hmmv capture under
# valgrind's lackey). Slow (lackey): tens of seconds to minutes each, so
# the traces are kept in build/eval/traces/ and rebuilt only when the
# capture tool or the program list changes. Not committed.
CAPTURE_PROGRAMS_TRAIN := xz sort python
CAPTURE_PROGRAMS_TEST  := sqlite perl bzip2
CAPTURE_TRACES := $(addprefix $(B)/eval/traces/,$(addsuffix .trace,\
	$(CAPTURE_PROGRAMS_TRAIN) $(CAPTURE_PROGRAMS_TEST)))

.PHONY: eval-traces
eval-traces: $(CAPTURE_TRACES)

# Rebuilt when the capture code changes, not on every rebuild of hmmv.
$(B)/eval/traces/%.trace: tools/capture/programs.sh $(wildcard tools/capture/*.c) \
		tools/capture/capture.h | $(B)/hmmv
	sh tools/capture/programs.sh $(B)/hmmv $(B)/eval/traces $*

# The training/test matrix of HMM-V against every baseline (README,
# tools/sim/README.md): build/eval-programs/summary.txt.
.PHONY: eval-programs
eval-programs: $(B)/hmmv eval-traces
	sh tools/capture/eval.sh $(B)/hmmv $(B)/eval/traces $(B)/eval-programs

# make eval replays the real programs too: their traces first.
eval: eval-traces
