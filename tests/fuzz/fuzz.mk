# libFuzzer targets: every tests/fuzz/*.c is built with clang and the
# sanitizers against the library sources, so the fuzzed code is the shipped
# code. `make fuzz` runs long campaigns; `make fuzz-smoke` (part of
# `make test`) a short one per target.
FUZZ_CC      := clang
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -D_GNU_SOURCE -I. -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRCS    := $(wildcard tests/fuzz/*.c)
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
# Library code each target may need; unused objects are harmless.
FUZZ_LIBSRC  := devices/virtio_rng.c devices/virtqueue.c devices/virtio.c devices/virtio_pci.c \
                devices/virtio_blk.c devices/pci.c devices/irq.c devices/bus.c \
                $(wildcard memory/*.c)
# Per-target extras (the stem is the target name).
FUZZ_EXTRA_fuzz_trace := hmmv/trace.c
FUZZ_EXTRA_fuzz_pool  := hmmv/pool_proto.c hmmv/pool_policy.c tools/pool/ledger.c
FUZZ_EXTRA_fuzz_control := vmm/control.c vmm/control_req.c vmm/control_prom.c vmm/usock.c \
                           $(wildcard hmmv/*.c)
# tests/fuzz/seeds/TARGET/: inputs that once failed, replayed by every run
# (a shell word for the rules' loops, where $$n is the target).
FUZZ_SEEDS   := $$(ls -d tests/fuzz/seeds/$$n 2>/dev/null)
FUZZ_TIME    ?= 600
FUZZ_SMOKE   ?= 20

.PHONY: fuzz fuzz-build fuzz-smoke
fuzz-build: $(FUZZ_BINS)

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBSRC) | $(DEPS_OK)
	@mkdir -p $(dir $@) $(B)/fuzz/corpus/$*
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(filter-out $(wildcard tests/fuzz/*.c),$(FUZZ_LIBSRC) $(FUZZ_EXTRA_$*)) -lpmem -luring -lnuma -lpthread -lm

# Long campaigns, one target after another; corpora kept under build/fuzz.
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); echo "fuzz: $$n for $(FUZZ_TIME) s"; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		    $(B)/fuzz/corpus/$$n $(FUZZ_SEEDS) || exit 1; \
	done

fuzz-smoke: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); echo "fuzz-smoke: $$n for $(FUZZ_SMOKE) s"; \
		$$f -max_total_time=$(FUZZ_SMOKE) $(B)/fuzz/corpus/$$n \
		    $(FUZZ_SEEDS) >$(B)/fuzz/$$n.log 2>&1 || { tail -40 $(B)/fuzz/$$n.log; exit 1; }; \
		grep -E '^(Done|stat::number_of_executed_units)' $(B)/fuzz/$$n.log | tail -1; \
	done

test: fuzz-smoke
