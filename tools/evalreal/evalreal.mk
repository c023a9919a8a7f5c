# make eval-real (a benchmark, not a test): tiering on the real stack, in
# the metered nested test host (tools/evalreal/eval-real.sh). QUICK=1 runs
# fewer workloads with less work. Needs QEMU >= 10 (tools/install-deps.sh).
.PHONY: eval-real
eval-real: all testhost meter
	@QUICK=$(QUICK) sh tools/evalreal/eval-real.sh $(B)/eval/real
