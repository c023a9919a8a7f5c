# hmmv: a small KVM VMM with tiered guest memory.
#
# Conventions (so that each area grows without touching this file):
#  - every vmm/ devices/ memory/ hmmv/ tools/ *.c (recursively one level of
#    subfolders) is part of libhmmv.a, except vmm/main.c which is the binary;
#  - tests/unit/NAME.c becomes build/tests/unit/NAME.t, a TAP program;
#  - each area may add targets in its own AREA/*.mk fragment.

B        := build
CC       ?= gcc
CFLAGS   ?= -O2 -g
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
            -fcf-protection -fPIE -Wformat -Wformat-security
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wvla
ALL_CFLAGS := -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS) -I. -MMD -MP -D_GNU_SOURCE
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)
LIBS     := -lpmem -luring -lnuma -llzma -lpthread -lm

AREAS    := vmm devices memory hmmv tools
# tools/meter/meter.c is a QEMU plugin (tools/meter/meter.mk), and
# tools/evalreal/pagesum.c a program of make eval-real's: not library code.
LIB_SRCS := $(filter-out vmm/main.c tools/meter/meter.c tools/evalreal/pagesum.c,$(wildcard $(addsuffix /*.c,$(AREAS)) $(addsuffix /*/*.c,$(AREAS))))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%.t)

DEPS_OK  := $(B)/.deps-ok

.PHONY: all check test demo clean deps fuzz
all: $(B)/hmmv

# Installs what a fresh Debian 12 machine lacks; silent when all is present.
$(DEPS_OK): tools/install-deps.sh
	@mkdir -p $(B)
	@sh tools/install-deps.sh
	@touch $@
deps: $(DEPS_OK)

$(B)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libhmmv.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/hmmv: $(B)/obj/vmm/main.o $(B)/libhmmv.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/tests/unit/%.t: tests/unit/%.c $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)

# Unit tests: no KVM needed.
check: $(B)/hmmv $(UNIT_BINS)
	prove --timer $(UNIT_BINS)

clean:
	rm -rf $(B)

-include $(wildcard */*.mk) $(wildcard */*/*.mk)
-include $(LIB_OBJS:.o=.d) $(B)/obj/vmm/main.d
