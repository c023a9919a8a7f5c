# Tier simulator evaluation: the whole matrix (every workload, DRAM size,
# slow tier, seed and policy), targets checked, tables and plots into
# build/eval/. QUICK=1 for a fast look (seed 1, DRAM 10/25%, Optane).
QUICK ?= 0
.PHONY: eval
eval: $(B)/hmmv
	QUICK=$(QUICK) sh tools/sim/eval.sh $(B)/hmmv $(B)/eval

# One-parameter sweeps of the baselines (tools/sim/README.md, "Tuning").
.PHONY: sweep
sweep: $(B)/hmmv
	sh tools/sim/sweep.sh $(B)/hmmv $(B)/eval
