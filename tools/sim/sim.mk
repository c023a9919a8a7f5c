# Tier simulator evaluation: every workload through every policy, tables,
# acceptance figures and plots into build/eval/.
.PHONY: eval
eval: $(B)/hmmv
	sh tools/sim/eval.sh $(B)/hmmv $(B)/eval
